import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { definitionInputSchema } from '../core/definition.js';
import type { Definition } from '../core/definition.js';
import { findDefinition, insertDefinition } from '../store/definitions.js';
import type { Store } from '../store/connect-store.js';
import { ApiError } from './api-errors.js';
import type { ApiDependencies } from './api-context.js';
import { buildJobReport, jobReportSchema } from './job-report.js';
import {
  commonErrorResponses,
  errorBodySchema,
  idParamsSchema,
  validationErrorResponse,
} from './shared-schemas.js';
import { startJobRun } from './start-job-run.js';
import { validationHook } from './validation-hook.js';

const definitionSchema = definitionInputSchema.extend({
  id: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});

const createDefinitionRoute = createRoute({
  method: 'post',
  path: '/definitions',
  summary: 'Create an import definition',
  request: { body: { required: true, content: { 'application/json': { schema: definitionInputSchema } } } },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: definitionSchema } } },
    ...validationErrorResponse,
    ...commonErrorResponses,
  },
});

const getDefinitionRoute = createRoute({
  method: 'get',
  path: '/definitions/{id}',
  summary: 'Read an import definition',
  request: { params: idParamsSchema },
  responses: {
    200: { description: 'The definition', content: { 'application/json': { schema: definitionSchema } } },
    ...commonErrorResponses,
  },
});

const runDefinitionRoute = createRoute({
  method: 'post',
  path: '/definitions/{id}/run',
  summary: 'Run a definition now',
  request: {
    params: idParamsSchema,
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z.object({ dry_run: z.boolean().default(false) }).strict(),
        },
      },
    },
  },
  responses: {
    201: { description: 'The new job', content: { 'application/json': { schema: jobReportSchema } } },
    409: {
      description: 'Disabled, or a job of this definition is running',
      content: { 'application/json': { schema: errorBodySchema } },
    },
    503: {
      description: 'Temporal is unreachable',
      content: { 'application/json': { schema: errorBodySchema } },
    },
    ...validationErrorResponse,
    ...commonErrorResponses,
  },
});

/** Routes of import definitions. */
export function createDefinitionsRoutes(dependencies: ApiDependencies) {
  const app = new OpenAPIHono({ defaultHook: validationHook });

  app.openapi(createDefinitionRoute, async (context) => {
    const definition = await insertDefinition(
      dependencies.store,
      context.req.valid('json'),
      dependencies.clock(),
    );
    return context.json(presentDefinition(definition), 201);
  });

  app.openapi(getDefinitionRoute, async (context) => {
    const definition = await loadDefinition(dependencies.store, context.req.valid('param').id);
    return context.json(presentDefinition(definition), 200);
  });

  app.openapi(runDefinitionRoute, async (context) => {
    const definition = await loadDefinition(dependencies.store, context.req.valid('param').id);
    const hasBody = (context.req.header('content-length') ?? '0') !== '0';
    const dryRun = hasBody ? context.req.valid('json').dry_run : false;

    const job = await startJobRun({
      store: dependencies.store,
      temporal: dependencies.temporal,
      settings: dependencies.settings,
      definition,
      trigger: 'manual',
      dryRun,
      now: dependencies.clock(),
    });
    return context.json(await buildJobReport(dependencies.store, job), 201);
  });

  return app;
}

async function loadDefinition(store: Store, id: string): Promise<Definition> {
  const definition = await findDefinition(store, id);
  if (definition === null) {
    throw new ApiError(
      404,
      'definition_not_found',
      `Definition ${id} not found; list definitions to find its id`,
    );
  }
  return definition;
}

function presentDefinition(definition: Definition): z.infer<typeof definitionSchema> {
  return {
    ...definition,
    created_at: definition.created_at.toISOString(),
    updated_at: definition.updated_at.toISOString(),
  };
}
