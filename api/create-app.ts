import { OpenAPIHono } from '@hono/zod-openapi';
import { ApiError, handleApiError } from './api-errors.js';
import type { ApiDependencies } from './api-context.js';
import { createDefinitionsRoutes } from './definitions-routes.js';
import { createJobsRoutes } from './jobs-routes.js';
import { requireApiKey } from './require-api-key.js';

/**
 * Builds the HTTP API. Every route but the OpenAPI document needs the administrator API key.
 * @throws Error when no API key is configured, so a server never starts open.
 */
export function createApp(dependencies: ApiDependencies) {
  const apiKey = dependencies.settings.apiKey;
  if (apiKey === undefined) {
    throw new Error('PROFILE_JOBS_API_KEY is not set; set it to a random key of at least 24 characters');
  }

  const app = new OpenAPIHono();
  app.onError(handleApiError);
  app.notFound((context) =>
    context.json(
      new ApiError(404, 'route_not_found', `No route ${context.req.method} ${context.req.path}`).toBody(),
      404,
    ),
  );

  app.doc31('/openapi.json', { openapi: '3.1.0', info: { title: 'Profile Jobs API', version: '0.1.0' } });
  app.use('/definitions/*', requireApiKey(apiKey));
  app.use('/definitions', requireApiKey(apiKey));
  app.use('/jobs/*', requireApiKey(apiKey));

  app.route('/', createDefinitionsRoutes(dependencies));
  app.route('/', createJobsRoutes(dependencies));
  return app;
}
