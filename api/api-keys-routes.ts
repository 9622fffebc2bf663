import { OpenAPIHono, z } from '@hono/zod-openapi';
import { apiKeyRoles, createApiKey, findApiKey, listApiKeys, revokeApiKey } from '../store/api-keys.js';
import type { ApiKeyDocument } from '../store/api-keys.js';
import { processLogger } from '../worker/process-logger.js';
import { protectedRoute } from './access-control.js';
import type { ApiEnv } from './api-context.js';
import { ApiError } from './api-errors.js';
import { errorResponses, idParamsSchema, pageQueryFields } from './shared-schemas.js';
import { validationHook } from './validation-hook.js';

/** An API key as listed: never its secret part, which only its creator saw once. */
const apiKeyViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(apiKeyRoles),
    /** The start of the key, to recognise it: `pj_<id>_…`. */
    prefix: z.string(),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
  })
  .openapi('ApiKey');

const createApiKeyRoute = protectedRoute('api-keys:manage', {
  method: 'post',
  path: '/api-keys',
  summary: 'Create an API key',
  description: 'The response contains the key itself. It is shown this once and cannot be read again.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              name: z
                .string({ error: 'name must be a string' })
                .trim()
                .min(1, 'name must not be empty')
                .max(200, 'name must be at most 200 characters'),
              role: z.enum(apiKeyRoles, { error: `role must be one of: ${apiKeyRoles.join(', ')}` }),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    201: {
      description: 'The new key, with its secret shown once',
      content: { 'application/json': { schema: apiKeyViewSchema.extend({ key: z.string() }) } },
    },
    ...errorResponses(400),
  },
});

const listApiKeysRoute = protectedRoute('api-keys:manage', {
  method: 'get',
  path: '/api-keys',
  summary: 'List API keys, newest first',
  description:
    'Revoked keys are listed with their revocation time. The bootstrap key from the environment is not listed.',
  request: { query: z.object(pageQueryFields).strict() },
  responses: {
    200: {
      description: 'One page of keys',
      content: {
        'application/json': {
          schema: z.object({
            keys: z.array(apiKeyViewSchema),
            page: z.number(),
            page_size: z.number(),
            total: z.number(),
          }),
        },
      },
    },
    ...errorResponses(400),
  },
});

const revokeApiKeyRoute = protectedRoute('api-keys:manage', {
  method: 'delete',
  path: '/api-keys/{id}',
  summary: 'Revoke an API key',
  description: 'The key authenticates no further request. Revoking it again changes nothing.',
  request: { params: idParamsSchema },
  responses: {
    200: { description: 'The revoked key', content: { 'application/json': { schema: apiKeyViewSchema } } },
    ...errorResponses(404, 409),
  },
});

/** Routes that manage API keys; administrators only. */
export function createApiKeysRoutes() {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(createApiKeyRoute, async (context) => {
    const services = context.get('services');
    const { key, document } = await createApiKey(services.store, context.req.valid('json'), services.clock());
    processLogger.info(
      { keyId: document._id, role: document.role, createdBy: context.get('caller').keyId },
      'Created API key',
    );
    return context.json({ ...presentApiKey(document), key }, 201);
  });

  app.openapi(listApiKeysRoute, async (context) => {
    const services = context.get('services');
    const query = context.req.valid('query');
    const { keys, total } = await listApiKeys(services.store, {
      offset: (query.page - 1) * query.page_size,
      limit: query.page_size,
    });
    return context.json(
      { keys: keys.map(presentApiKey), page: query.page, page_size: query.page_size, total },
      200,
    );
  });

  app.openapi(revokeApiKeyRoute, async (context) => {
    const services = context.get('services');
    const id = context.req.valid('param').id;
    if (id === 'bootstrap') {
      throw new ApiError(
        409,
        'bootstrap_key',
        'The bootstrap key comes from PROFILE_JOBS_API_KEY and cannot be revoked here; change that setting and restart the API',
      );
    }
    if ((await findApiKey(services.store, id)) === null) {
      throw new ApiError(404, 'api_key_not_found', `API key ${id} not found; list API keys to find its id`);
    }

    const revoked = await revokeApiKey(services.store, id, services.clock());
    if (revoked === null) {
      throw new ApiError(404, 'api_key_not_found', `API key ${id} not found; list API keys to find its id`);
    }
    processLogger.info({ keyId: id, revokedBy: context.get('caller').keyId }, 'Revoked API key');
    return context.json(presentApiKey(revoked), 200);
  });

  return app;
}

function presentApiKey(document: ApiKeyDocument): z.infer<typeof apiKeyViewSchema> {
  return {
    id: document._id,
    name: document.name,
    role: document.role,
    prefix: `pj_${document._id}_…`,
    created_at: document.created_at.toISOString(),
    revoked_at: document.revoked_at?.toISOString() ?? null,
  };
}
