import { createHash, timingSafeEqual } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import type { RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { findApiKeyByKey } from '../store/api-keys.js';
import type { ApiKeyRole } from '../store/api-keys.js';
import { ApiError } from './api-errors.js';
import type { ApiEnv, ApiServices, Caller } from './api-context.js';
import { errorResponses } from './shared-schemas.js';

/** Action that a route allows its caller; each route needs exactly one permission. */
export type Permission = 'definitions:manage' | 'jobs:control' | 'jobs:read' | 'api-keys:manage';

/** Roles that hold each permission. */
export const rolesWith: Record<Permission, readonly ApiKeyRole[]> = {
  'definitions:manage': ['administrator', 'manager', 'developer'],
  'jobs:control': ['administrator', 'manager', 'developer'],
  'jobs:read': ['administrator', 'manager', 'developer', 'viewer'],
  'api-keys:manage': ['administrator'],
};

/** Permissions of the import-jobs feature, which a deployment can switch off. */
const importJobsPermissions: ReadonlySet<Permission> = new Set([
  'definitions:manage',
  'jobs:control',
  'jobs:read',
]);

/** Name of the OpenAPI security scheme: an API key sent as a bearer token. */
export const bearerSchemeName = 'apiKey';

/**
 * Declares a route that needs an API key with `permission`. The check runs before any request part
 * is validated, and the OpenAPI document shows the security scheme, the roles and the 401, 403 and
 * 500 responses.
 */
export function protectedRoute<const R extends RouteConfig>(permission: Permission, route: R) {
  const roles = `Roles: ${rolesWith[permission].join(', ')}.`;
  return createRoute({
    ...route,
    description: route.description === undefined ? roles : `${route.description}\n\n${roles}`,
    security: [{ [bearerSchemeName]: [] }],
    middleware: requirePermission(permission),
    responses: { ...route.responses, ...errorResponses(401, 403, 500) },
  });
}

/**
 * Authenticates the request and checks that its key's role has `permission`, and that the
 * import-jobs feature is on for the routes that belong to it.
 * @throws ApiError 401 for a missing or unknown key, 403 for a role without the permission or a
 *   feature switched off.
 */
export function requirePermission(permission: Permission): MiddlewareHandler<ApiEnv> {
  return async (context, next) => {
    const services = context.get('services');
    const caller = await authenticate(
      services,
      readPresentedKey(context.req.header('authorization'), context.req.header('x-api-key')),
    );

    if (importJobsPermissions.has(permission) && !services.settings.importJobsEnabled) {
      throw new ApiError(
        403,
        'import_jobs_disabled',
        'Import jobs are switched off on this deployment (PROFILE_JOBS_IMPORT_JOBS_ENABLED=false); ask its operators to switch them on',
      );
    }
    const allowed = rolesWith[permission];
    if (!allowed.includes(caller.role)) {
      throw new ApiError(
        403,
        'forbidden',
        `This route needs an API key with one of the roles ${allowed.join(', ')}; the key ${caller.keyId} has the role ${caller.role}`,
      );
    }

    context.set('caller', caller);
    await next();
  };
}

async function authenticate(services: ApiServices, presented: string | undefined): Promise<Caller> {
  if (presented === undefined) {
    throw new ApiError(
      401,
      'missing_api_key',
      'This route needs an API key: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"',
    );
  }

  const bootstrapKey = services.settings.apiKey;
  if (bootstrapKey !== undefined && timingSafeEqual(digest(presented), digest(bootstrapKey))) {
    return { keyId: 'bootstrap', role: 'administrator' };
  }
  const stored = await findApiKeyByKey(services.store, presented);
  if (stored === null) {
    throw new ApiError(
      401,
      'invalid_api_key',
      'The API key is not valid or was revoked; check it or ask an administrator for one',
    );
  }
  return { keyId: stored._id, role: stored.role };
}

function readPresentedKey(
  authorization: string | undefined,
  apiKeyHeader: string | undefined,
): string | undefined {
  const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  return bearer ?? (apiKeyHeader?.trim() || undefined);
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
