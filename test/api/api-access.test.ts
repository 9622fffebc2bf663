import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startJobEnvironment } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';

let environment: JobTestEnvironment;

beforeAll(async () => {
  environment = await startJobEnvironment();
});

afterAll(async () => {
  await environment?.close();
});

const protectedRoutes: [string, string][] = [
  ['POST', '/definitions'],
  ['GET', '/definitions/some-id'],
  ['POST', '/definitions/some-id/run'],
  ['GET', '/jobs/some-id'],
  ['GET', '/jobs/some-id/logs'],
];

describe('API keys', () => {
  test.each(protectedRoutes)('%s %s without a key is refused', async (method, path) => {
    const response = await environment.app.request(path, { method });

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: {
        code: 'missing_api_key',
        message:
          'This route needs an API key: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"',
      },
    });
  });

  test.each(protectedRoutes)('%s %s with a wrong key is refused', async (method, path) => {
    const response = await environment.app.request(path, {
      method,
      headers: { authorization: 'Bearer wrong-key-wrong-key-wrong-key' },
    });

    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('invalid_api_key');
  });

  test('X-API-Key header is accepted', async () => {
    const response = await environment.app.request('/jobs/unknown-job', {
      headers: { 'x-api-key': environment.settings.apiKey ?? '' },
    });

    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('job_not_found');
  });
});

describe('definition validation', () => {
  test('unknown field is named', async () => {
    const response = await environment.request('POST', '/definitions', {
      name: 'x',
      for_deletion: true,
      source: { protocol: 'local', path: 'a.csv' },
      colour: 'blue',
    });

    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      error: { code: string; details: { field: string; message: string }[] };
    };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.details).toEqual([
      { field: 'colour', message: 'unknown field "colour"; remove it or check its spelling' },
    ]);
  });

  test('delimiter of two characters is rejected with its value', async () => {
    const response = await environment.request('POST', '/definitions', {
      name: 'x',
      for_deletion: true,
      source: { protocol: 'local', path: 'a.csv' },
      file_format: { delimiter: ';;' },
    });

    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { details: { field: string; message: string }[] } };
    expect(body.error.details).toEqual([
      {
        field: 'file_format.delimiter',
        message: 'delimiter must be exactly one character (got ";;")',
      },
    ]);
  });

  test('malformed JSON body gets a JSON error', async () => {
    const response = await environment.app.request('/definitions', {
      method: 'POST',
      headers: { authorization: `Bearer ${environment.settings.apiKey}`, 'content-type': 'application/json' },
      body: '{"name": ',
    });

    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('bad_request');
  });
});
