import { expect } from 'vitest';
import { deleteDefinitionSchedule } from '../../jobs/definition-schedule.js';
import type { ApiKeyRole } from '../../store/api-keys.js';
import type { JobTestEnvironment } from '../support/test-services.js';

/** The error body of the API. */
export interface ErrorBody {
  error: { code: string; message: string; details?: { field: string; message: string }[] };
}

/** Calls the app in process with `key` as bearer token, or with no key when it is undefined. */
export function requestAs(
  environment: Pick<JobTestEnvironment, 'app'>,
  key: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) {
    headers['authorization'] = `Bearer ${key}`;
  }
  return Promise.resolve(
    environment.app.request(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

/** Creates an API key with `role` as the bootstrap administrator and returns the key. */
export async function createKey(environment: JobTestEnvironment, role: ApiKeyRole): Promise<string> {
  const response = await environment.request('POST', '/api-keys', { name: `${role} key`, role });
  const body = (await response.json()) as { key: string };
  expect(response.status, JSON.stringify(body)).toBe(201);
  return body.key;
}

/** Sends a request as the administrator, checks its status and returns its JSON body. */
export async function expectAnswer<T>(
  environment: JobTestEnvironment,
  method: string,
  path: string,
  body: unknown,
  status: number,
): Promise<T> {
  const response = await environment.request(method, path, body);
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Sends a request that must fail with `status`, and returns its error body. */
export async function expectError(
  environment: JobTestEnvironment,
  method: string,
  path: string,
  body: unknown,
  status: number,
): Promise<ErrorBody['error']> {
  return (await expectAnswer<ErrorBody>(environment, method, path, body, status)).error;
}

/** Waits until `check` returns a value other than undefined, polling every 100 ms for at most `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Deletes the Temporal Schedules of the environment's definitions, so none outlives its test file. */
export async function deleteDefinitionSchedules(environment: JobTestEnvironment): Promise<void> {
  const definitions = await environment.store.definitions.find({}, { projection: { _id: 1 } }).toArray();
  for (const definition of definitions) {
    await deleteDefinitionSchedule(environment.temporal, definition._id);
  }
}
