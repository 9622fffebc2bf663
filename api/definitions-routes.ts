import { OpenAPIHono, z } from '@hono/zod-openapi';
import { definitionInputSchema, definitionPatchSchema } from '../core/definition.js';
import type { SealedDefinition } from '../core/definition.js';
import { deleteDefinitionSchedule, syncDefinitionSchedule } from '../jobs/definition-schedule.js';
import { findRunningJob } from '../jobs/run-lock.js';
import {
  deleteDefinition,
  findDefinition,
  insertDefinition,
  listDefinitions,
  newDefinitionId,
  setDefinitionEnabled,
  updateDefinition,
} from '../store/definitions.js';
import { processLogger } from '../worker/process-logger.js';
import { protectedRoute } from './access-control.js';
import type { ApiEnv, ApiServices } from './api-context.js';
import { ApiError } from './api-errors.js';
import { applyDefinitionPatch, buildNewDefinition, runAffectingFieldsIn } from './definition-editing.js';
import { definitionListSchema, definitionViewSchema, presentDefinition } from './definition-view.js';
import { errorResponses, idParamsSchema, pageQueryFields } from './shared-schemas.js';
import { withApiErrors } from './to-api-error.js';
import { validationHook } from './validation-hook.js';

const json = <S>(schema: S) => ({ 'application/json': { schema } });

const createDefinitionRoute = protectedRoute('definitions:manage', {
  method: 'post',
  path: '/definitions',
  summary: 'Create an import definition',
  description: 'Secrets are sealed at rest and shown masked. A schedule creates its Temporal Schedule.',
  request: { body: { required: true, content: json(definitionInputSchema) } },
  responses: {
    201: { description: 'The new definition', content: json(definitionViewSchema) },
    ...errorResponses(400, 503),
  },
});

const listDefinitionsRoute = protectedRoute('definitions:manage', {
  method: 'get',
  path: '/definitions',
  summary: 'List import definitions, oldest first',
  request: {
    query: z.object({ ...pageQueryFields, enabled: z.enum(['true', 'false']).optional() }).strict(),
  },
  responses: {
    200: { description: 'One page of definitions', content: json(definitionListSchema) },
    ...errorResponses(400),
  },
});

const getDefinitionRoute = protectedRoute('definitions:manage', {
  method: 'get',
  path: '/definitions/{id}',
  summary: 'Read an import definition',
  request: { params: idParamsSchema },
  responses: {
    200: { description: 'The definition', content: json(definitionViewSchema) },
    ...errorResponses(404),
  },
});

const editDefinitionRoute = protectedRoute('definitions:manage', {
  method: 'patch',
  path: '/definitions/{id}',
  summary: 'Edit an import definition',
  description:
    'A JSON merge patch: fields left out keep their value, null removes an optional field, objects merge ' +
    'field by field. Secrets left out or sent back as "********" are kept. While a job runs, the source, ' +
    'encryption, file format and matching cannot change.',
  request: { params: idParamsSchema, body: { required: true, content: json(definitionPatchSchema) } },
  responses: {
    200: { description: 'The edited definition', content: json(definitionViewSchema) },
    ...errorResponses(400, 404, 409, 503),
  },
});

const deleteDefinitionRoute = protectedRoute('definitions:manage', {
  method: 'delete',
  path: '/definitions/{id}',
  summary: 'Delete an import definition and its schedule',
  description: 'Job reports and logs of its runs stay. Refused while one of its jobs runs.',
  request: { params: idParamsSchema },
  responses: {
    204: { description: 'Deleted' },
    ...errorResponses(404, 409, 503),
  },
});

const enableRoutes = [true, false].map((enabled) =>
  protectedRoute('definitions:manage', {
    method: 'post',
    path: enabled ? '/definitions/{id}/enable' : '/definitions/{id}/disable',
    summary: enabled
      ? 'Enable a definition and resume its schedule'
      : 'Disable a definition and pause its schedule',
    description: enabled ? undefined : 'A job that is running goes on; cancel it to stop it.',
    request: { params: idParamsSchema },
    responses: {
      200: { description: 'The definition', content: json(definitionViewSchema) },
      ...errorResponses(404, 503),
    },
  }),
);

/** Routes that manage import definitions. */
export function createDefinitionsRoutes() {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(createDefinitionRoute, async (context) => {
    const services = context.get('services');
    const definition = buildNewDefinition(context.req.valid('json'), {
      id: newDefinitionId(),
      keyring: services.keyring,
      now: services.clock(),
    });

    await insertDefinition(services.store, definition);
    try {
      await withApiErrors(
        () => syncDefinitionSchedule(services, definition),
        'Creating the schedule of the new definition',
      );
    } catch (error) {
      // Without its schedule the definition would not be what the caller asked for, so it is removed.
      await deleteDefinition(services.store, definition.id, null);
      throw error;
    }
    return context.json(presentDefinition(definition), 201);
  });

  app.openapi(listDefinitionsRoute, async (context) => {
    const services = context.get('services');
    const query = context.req.valid('query');
    const { definitions, total } = await listDefinitions(services.store, {
      offset: (query.page - 1) * query.page_size,
      limit: query.page_size,
      enabled: query.enabled === undefined ? undefined : query.enabled === 'true',
    });
    return context.json(
      {
        definitions: definitions.map(presentDefinition),
        page: query.page,
        page_size: query.page_size,
        total,
      },
      200,
    );
  });

  app.openapi(getDefinitionRoute, async (context) => {
    const definition = await loadDefinition(context.get('services'), context.req.valid('param').id);
    return context.json(presentDefinition(definition), 200);
  });

  app.openapi(editDefinitionRoute, async (context) => {
    const services = context.get('services');
    const stored = await loadDefinition(services, context.req.valid('param').id);
    const patch = context.req.valid('json');
    const now = services.clock();
    const edited = applyDefinitionPatch(stored, patch, { keyring: services.keyring, now });

    // A run-affecting edit must find no running job and keep the lock as it was checked.
    const affected = runAffectingFieldsIn(patch);
    let expectedLock: string | null | undefined;
    if (affected.length > 0) {
      const running = await withApiErrors(
        () => findRunningJob({ ...services, now }, stored.id),
        'Checking for a running job',
      );
      if (running?.runningJobId) {
        throw new ApiError(
          409,
          'job_running',
          `Definition ${stored.id} has a running job (${running.runningJobId}), so ${affected.join(', ')} cannot change until it ends; wait for it or cancel it first`,
        );
      }
      expectedLock = running?.lockHolder ?? null;
    }

    if (
      !(await updateDefinition(services.store, edited, {
        updatedAt: stored.updated_at,
        runningJobId: expectedLock,
      }))
    ) {
      throw new ApiError(
        409,
        'definition_changed',
        `Definition ${stored.id} changed, started a job or was deleted while this edit was applied; read it again and retry`,
      );
    }
    await withApiErrors(
      () => syncDefinitionSchedule(services, edited),
      `Definition ${stored.id} was saved, but updating its schedule`,
    );
    return context.json(presentDefinition(edited), 200);
  });

  app.openapi(deleteDefinitionRoute, async (context) => {
    const services = context.get('services');
    const id = context.req.valid('param').id;
    const now = services.clock();

    const running = await withApiErrors(
      () => findRunningJob({ ...services, now }, id),
      'Checking for a running job',
    );
    if (running === undefined) {
      throw definitionNotFound(id);
    }
    if (running.runningJobId !== null) {
      throw new ApiError(
        409,
        'job_running',
        `Definition ${id} has a running job (${running.runningJobId}); wait for it to end or cancel it before deleting the definition`,
      );
    }

    await withApiErrors(() => deleteDefinitionSchedule(services.temporal, id), 'Deleting its schedule');
    if (!(await deleteDefinition(services.store, id, running.lockHolder))) {
      // A run took the lock after the check: the definition stays, so its schedule comes back.
      const definition = await findDefinition(services.store, id);
      if (definition !== null) {
        await syncDefinitionSchedule(services, definition).catch((error: unknown) =>
          processLogger.error(
            { err: error, definitionId: id },
            'Could not restore the schedule of a definition',
          ),
        );
      }
      throw new ApiError(
        409,
        'job_running',
        `Definition ${id} started a job while it was being deleted; try again when the job ends`,
      );
    }
    return context.body(null, 204);
  });

  for (const [index, route] of enableRoutes.entries()) {
    const enabled = index === 0;
    app.openapi(route, async (context) => {
      const services = context.get('services');
      const id = context.req.valid('param').id;
      const definition = await setDefinitionEnabled(services.store, id, enabled, services.clock());
      if (definition === null) {
        throw definitionNotFound(id);
      }
      await withApiErrors(
        () => syncDefinitionSchedule(services, definition),
        `Definition ${id} was ${enabled ? 'enabled' : 'disabled'}, but updating its schedule`,
      );
      return context.json(presentDefinition(definition), 200);
    });
  }

  return app;
}

/**
 * Loads a definition for a route.
 * @throws ApiError 404 when it does not exist.
 */
export async function loadDefinition(services: ApiServices, id: string): Promise<SealedDefinition> {
  const definition = await findDefinition(services.store, id);
  if (definition === null) {
    throw definitionNotFound(id);
  }
  return definition;
}

function definitionNotFound(id: string): ApiError {
  return new ApiError(
    404,
    'definition_not_found',
    `Definition ${id} not found; list definitions to find its id`,
  );
}
