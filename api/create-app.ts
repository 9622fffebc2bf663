import { OpenAPIHono } from '@hono/zod-openapi';
import { secretKeyringFromSettings } from '../store/secret-sealing.js';
import { bearerSchemeName } from './access-control.js';
import type { ApiDependencies, ApiEnv, ApiServices } from './api-context.js';
import { ApiError, handleApiError } from './api-errors.js';
import { createApiKeysRoutes } from './api-keys-routes.js';
import { createDefinitionsRoutes } from './definitions-routes.js';
import { createJobControlsRoutes } from './job-controls-routes.js';
import { createJobsRoutes } from './jobs-routes.js';
import { createJobReportsRoutes } from './job-reports-routes.js';

/**
 * Builds the HTTP API. Every route but the OpenAPI document (`/openapi.json`) needs an API key whose
 * role allows it.
 * @throws Error when no bootstrap API key or no secret key is configured, so a server never starts
 *   open or unable to seal secrets.
 */
export function createApp(dependencies: ApiDependencies) {
  if (dependencies.settings.apiKey === undefined) {
    throw new Error('PROFILE_JOBS_API_KEY is not set; set it to a random key of at least 24 characters');
  }
  const services: ApiServices = {
    ...dependencies,
    keyring: secretKeyringFromSettings(dependencies.settings),
  };

  const app = new OpenAPIHono<ApiEnv>();
  app.onError(handleApiError);
  app.notFound((context) =>
    context.json(
      new ApiError(404, 'route_not_found', `No route ${context.req.method} ${context.req.path}`).toBody(),
      404,
    ),
  );
  app.use(async (context, next) => {
    context.set('services', services);
    await next();
  });

  app.openAPIRegistry.registerComponent('securitySchemes', bearerSchemeName, {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key, sent as "Authorization: Bearer <key>" (or as "X-API-Key: <key>")',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Profile Jobs API',
      version: '0.2.0',
      description: 'Import definitions, their runs and schedules, job reports and logs, and API keys.',
    },
  });

  app.route('/', createDefinitionsRoutes());
  app.route('/', createJobControlsRoutes());
  app.route('/', createJobsRoutes());
  app.route('/', createJobReportsRoutes(services));
  app.route('/', createApiKeysRoutes());
  return app;
}
