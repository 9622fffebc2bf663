import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../../api/create-app.js';
import { apiKeyRoles } from '../../store/api-keys.js';
import type { ApiKeyRole } from '../../store/api-keys.js';
import { createDefinition, runToEnd, writeImportFile } from '../support/job-steps.js';
import { startJobEnvironment } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';
import { createKey, expectAnswer, requestAs } from './api-requests.js';
import type { ErrorBody } from './api-requests.js';

let environment: JobTestEnvironment;
const keys = new Map<ApiKeyRole, string>();
let definitionId: string;
let disabledDefinitionId: string;
let endedJobId: string;

beforeAll(async () => {
  environment = await startJobEnvironment();
  for (const role of apiKeyRoles) {
    keys.set(role, await createKey(environment, role));
  }

  const path = await writeImportFile(environment, 'one.csv', 'email\nnobody@example.com\n');
  definitionId = await createDefinition(environment, { source: { protocol: 'local', path } });
  disabledDefinitionId = await createDefinition(environment, {
    source: { protocol: 'local', path },
    enabled: false,
  });
  endedJobId = (await runToEnd(environment, definitionId)).id;
});

afterAll(async () => {
  await environment?.close();
});

type Caller = ApiKeyRole | 'no key';
const managers: ApiKeyRole[] = ['administrator', 'manager', 'developer'];

interface RouteCase {
  method: string;
  path: () => string;
  body?: () => unknown;
  /** Roles that may call the route. */
  roles: readonly ApiKeyRole[];
  /** Status the route gives to an allowed caller with this request. */
  allowed: number;
}

const newDefinition = () => ({
  name: 'created in the access table',
  for_deletion: true,
  source: { protocol: 'local', path: 'one.csv' },
});

/** Every route of the API, with a request whose response is known once the caller is let through. */
const routes: RouteCase[] = [
  { method: 'POST', path: () => '/definitions', body: newDefinition, roles: managers, allowed: 201 },
  { method: 'GET', path: () => '/definitions', roles: managers, allowed: 200 },
  { method: 'GET', path: () => `/definitions/${definitionId}`, roles: managers, allowed: 200 },
  {
    method: 'PATCH',
    path: () => `/definitions/${definitionId}`,
    body: () => ({ description: 'edited' }),
    roles: managers,
    allowed: 200,
  },
  { method: 'DELETE', path: () => '/definitions/missing', roles: managers, allowed: 404 },
  {
    method: 'POST',
    path: () => `/definitions/${disabledDefinitionId}/disable`,
    roles: managers,
    allowed: 200,
  },
  { method: 'POST', path: () => `/definitions/${definitionId}/enable`, roles: managers, allowed: 200 },
  {
    method: 'POST',
    path: () => `/definitions/${disabledDefinitionId}/run`,
    body: () => ({}),
    roles: managers,
    allowed: 409,
  },
  { method: 'POST', path: () => `/jobs/${endedJobId}/pause`, roles: managers, allowed: 409 },
  { method: 'POST', path: () => `/jobs/${endedJobId}/resume`, roles: managers, allowed: 409 },
  { method: 'POST', path: () => `/jobs/${endedJobId}/cancel`, roles: managers, allowed: 409 },
  { method: 'GET', path: () => `/jobs/${endedJobId}`, roles: apiKeyRoles, allowed: 200 },
  { method: 'GET', path: () => `/jobs/${endedJobId}/logs`, roles: apiKeyRoles, allowed: 200 },
  { method: 'GET', path: () => `/jobs/${endedJobId}/progress`, roles: apiKeyRoles, allowed: 200 },
  { method: 'GET', path: () => '/jobs', roles: apiKeyRoles, allowed: 200 },
  { method: 'GET', path: () => `/jobs/${endedJobId}/logs/download`, roles: apiKeyRoles, allowed: 200 },
  { method: 'GET', path: () => `/jobs/${endedJobId}/failed-records`, roles: apiKeyRoles, allowed: 200 },
  { method: 'GET', path: () => `/definitions/${definitionId}/last-job`, roles: apiKeyRoles, allowed: 200 },
  {
    method: 'POST',
    path: () => '/api-keys',
    body: () => ({ name: 'made in the access table', role: 'viewer' }),
    roles: ['administrator'],
    allowed: 201,
  },
  { method: 'GET', path: () => '/api-keys', roles: ['administrator'], allowed: 200 },
  { method: 'DELETE', path: () => '/api-keys/0000000000000000', roles: ['administrator'], allowed: 404 },
];

const callers: Caller[] = ['no key', ...apiKeyRoles];

/** Returns the route as the OpenAPI document names it, such as `GET /definitions/{id}`. */
function routeName(route: RouteCase): string {
  const path = route.path().replace(/^(\/[a-z-]+\/)[^/]+/, '$1{id}');
  return `${route.method} ${path}`;
}

function expectedStatus(route: RouteCase, caller: Caller): number {
  if (caller === 'no key') {
    return 401;
  }
  return route.roles.includes(caller) ? route.allowed : 403;
}

describe('route access by role', () => {
  const table = routes.flatMap((route) =>
    callers.map((caller) => [routeName(route), caller, expectedStatus(route, caller), route] as const),
  );

  test.each(table)('%s as %s returns %i', async (_name, caller, expected, route) => {
    const key = caller === 'no key' ? undefined : keys.get(caller);
    const response = await requestAs(environment, key, route.method, route.path(), route.body?.());

    const text = await response.text();
    expect(response.status, text).toBe(expected);
    if (expected === 403) {
      expect(JSON.parse(text)).toEqual({
        error: {
          code: 'forbidden',
          message: `This route needs an API key with one of the roles ${route.roles.join(', ')}; the key ${keys.get(caller as ApiKeyRole)?.slice(3, 19)} has the role ${caller}`,
        },
      });
    }
    if (expected === 401) {
      expect(JSON.parse(text)).toEqual({
        error: {
          code: 'missing_api_key',
          message:
            'This route needs an API key: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"',
        },
      });
    }
  });

  test('the table covers every route of the OpenAPI document', async () => {
    const document = (await (await environment.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const tested = routes.map(routeName);

    expect([...new Set(tested)].sort()).toEqual(documented.sort());
  });
});

describe('API keys', () => {
  test('a wrong key is refused', async () => {
    const response = await requestAs(environment, 'pj_0123456789abcdef_' + 'x'.repeat(43), 'GET', '/jobs/x');

    expect(response.status).toBe(401);
    expect(((await response.json()) as ErrorBody).error).toEqual({
      code: 'invalid_api_key',
      message: 'The API key is not valid or was revoked; check it or ask an administrator for one',
    });
  });

  test('X-API-Key header is accepted', async () => {
    const response = await environment.app.request(`/jobs/${endedJobId}`, {
      headers: { 'x-api-key': keys.get('viewer') ?? '' },
    });

    expect(response.status).toBe(200);
  });

  test('a new key is shown once and stored hashed', async () => {
    const created = await expectAnswer<{
      id: string;
      key: string;
      name: string;
      role: string;
      prefix: string;
    }>(environment, 'POST', '/api-keys', { name: 'deploy bot', role: 'developer' }, 201);

    expect(created.key).toMatch(new RegExp(`^pj_${created.id}_[A-Za-z0-9_-]{43}$`));
    expect(created).toMatchObject({ name: 'deploy bot', role: 'developer', prefix: `pj_${created.id}_…` });
    const stored = await environment.store.db.collection('api_keys').findOne({ _id: created.id as never });
    expect(JSON.stringify(stored)).not.toContain(created.key.slice(20));
    expect(stored?.['key_hash']).toMatch(/^[0-9a-f]{64}$/);

    const listed = await expectAnswer<{ keys: Record<string, unknown>[] }>(
      environment,
      'GET',
      '/api-keys',
      undefined,
      200,
    );
    const listedText = JSON.stringify(listed);
    for (const key of [created.key, ...keys.values()]) {
      expect(listedText).not.toContain(key.slice(20));
    }
    expect(listed.keys.find((key) => key['id'] === created.id)).toEqual({
      id: created.id,
      name: 'deploy bot',
      role: 'developer',
      prefix: `pj_${created.id}_…`,
      created_at: expect.any(String),
      revoked_at: null,
    });
  });

  test('a revoked key stops working', async () => {
    const key = await createKey(environment, 'viewer');
    const id = key.slice(3, 19);
    expect((await requestAs(environment, key, 'GET', `/jobs/${endedJobId}`)).status).toBe(200);

    const revoked = await expectAnswer<{ revoked_at: string | null }>(
      environment,
      'DELETE',
      `/api-keys/${id}`,
      undefined,
      200,
    );
    const after = await requestAs(environment, key, 'GET', `/jobs/${endedJobId}`);

    expect(revoked.revoked_at).not.toBeNull();
    expect(after.status).toBe(401);
    expect(((await after.json()) as ErrorBody).error.code).toBe('invalid_api_key');
  });

  test('the bootstrap key cannot be revoked through the API', async () => {
    const response = await environment.request('DELETE', '/api-keys/bootstrap');

    expect(response.status).toBe(409);
    expect(((await response.json()) as ErrorBody).error.code).toBe('bootstrap_key');
  });

  test('a key with an unknown role is rejected', async () => {
    const response = await environment.request('POST', '/api-keys', { name: 'x', role: 'owner' });

    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.details).toEqual([
      {
        field: 'role',
        message: 'role must be one of: administrator, manager, developer, viewer (got "owner")',
      },
    ]);
  });
});

describe('import jobs switched off', () => {
  let switchedOff: ReturnType<typeof createApp>;

  beforeAll(() => {
    switchedOff = createApp({
      store: environment.store,
      temporal: environment.temporal,
      settings: { ...environment.settings, importJobsEnabled: false },
      clock: () => new Date(),
    });
  });

  const jobRoutes = routes.filter((route) => !route.path().startsWith('/api-keys'));

  test.each(jobRoutes.map((route) => [routeName(route), route] as const))(
    '%s returns 403',
    async (_name, route) => {
      const response = await requestAs(
        { app: switchedOff },
        keys.get('administrator'),
        route.method,
        route.path(),
        route.body?.(),
      );

      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({
        error: {
          code: 'import_jobs_disabled',
          message:
            'Import jobs are switched off on this deployment (PROFILE_JOBS_IMPORT_JOBS_ENABLED=false); ask its operators to switch them on',
        },
      });
    },
  );

  test('API keys can still be managed', async () => {
    const response = await requestAs({ app: switchedOff }, keys.get('administrator'), 'GET', '/api-keys');

    expect(response.status).toBe(200);
  });
});

describe('request errors', () => {
  test('malformed JSON body gets a JSON error', async () => {
    const response = await environment.app.request('/definitions', {
      method: 'POST',
      headers: { authorization: `Bearer ${environment.settings.apiKey}`, 'content-type': 'application/json' },
      body: '{"name": ',
    });

    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe('bad_request');
  });

  test('unknown route gets a JSON 404', async () => {
    const response = await environment.request('GET', '/nowhere');

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'route_not_found', message: 'No route GET /nowhere' },
    });
  });
});

describe('OpenAPI document', () => {
  test('lists every route with bearer security and its errors', async () => {
    const response = await environment.app.request('/openapi.json');
    const document = (await response.json()) as {
      openapi: string;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
      paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
    };

    expect(response.status).toBe(200);
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.securitySchemes).toEqual({
      apiKey: {
        type: 'http',
        scheme: 'bearer',
        description: 'An API key, sent as "Authorization: Bearer <key>" (or as "X-API-Key: <key>")',
      },
    });
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['Error', 'Definition', 'ApiKey']),
    );
    const operations = Object.entries(document.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, operation]) => ({ route: `${method} ${path}`, operation })),
    );
    for (const { route, operation } of operations) {
      expect(operation.security, route).toEqual([{ apiKey: [] }]);
      expect(Object.keys(operation.responses), route).toEqual(expect.arrayContaining(['401', '403', '500']));
    }
    const run = document.paths['/definitions/{id}/run']?.['post'];
    expect(Object.keys(run?.responses ?? {}).sort()).toEqual([
      '201',
      '400',
      '401',
      '403',
      '404',
      '409',
      '500',
      '503',
    ]);
  });
});
