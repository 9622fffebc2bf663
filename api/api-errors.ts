import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { processLogger } from '../worker/process-logger.js';

/** The one error body of the API: a stable code and a message saying what to do. */
export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    /** Validation problems, one per bad field. */
    details?: { field: string; message: string }[];
  };
}

/** A caller mistake or a rejected request, returned with its status and never retried by the server. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: { field: string; message: string }[],
  ) {
    super(message);
  }

  toBody(): ApiErrorBody {
    const details = this.details === undefined ? {} : { details: this.details };
    return { error: { code: this.code, message: this.message, ...details } };
  }
}

/** Converts an error thrown by a route into a response: ApiError as it is, anything else as a 500 logged once. */
export function handleApiError(error: Error, context: Context): Response {
  if (error instanceof ApiError) {
    return context.json(error.toBody(), error.status);
  }
  if (error instanceof HTTPException && error.status < 500) {
    const body = new ApiError(
      error.status,
      'bad_request',
      `${error.message}; send a valid JSON body`,
    ).toBody();
    return context.json(body, error.status);
  }

  processLogger.error({ err: error, path: context.req.path }, 'Request failed');
  return context.json(
    new ApiError(500, 'internal_error', 'The server failed to handle the request; try again later').toBody(),
    500,
  );
}

/**
 * Describes each problem of a request part: the field, the rule and the bad value, so the caller can
 * fix it. Values of secret-looking fields are never echoed.
 */
export function describeValidationIssues(
  issues: z.core.$ZodIssue[],
  input: unknown,
): { field: string; message: string }[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: [...issue.path, key].join('.'),
        message: `unknown field ${JSON.stringify(key)}; remove it or check its spelling`,
      }));
    }

    const field = issue.path.join('.') || '(body)';
    const value = valueAt(input, issue.path);
    const shown = value === undefined ? 'it is missing' : `got ${showValue(field, value)}`;
    return [{ field, message: `${issue.message} (${shown})` }];
  });
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') {
      return undefined;
    }
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

const secretFieldPattern = /password|secret|key|passphrase|credentials|token|authorization/i;

function showValue(field: string, value: unknown): string {
  if (secretFieldPattern.test(field)) {
    return 'a hidden value';
  }
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
