import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './api-errors.js';

/**
 * Rejects a request that does not carry the administrator API key in `Authorization: Bearer <key>`
 * or `X-API-Key`. Keys are compared as SHA-256 digests in constant time.
 */
export function requireApiKey(administratorKey: string): MiddlewareHandler {
  const expected = digest(administratorKey);

  return async (context, next) => {
    const presented = readPresentedKey(context.req.header('authorization'), context.req.header('x-api-key'));
    if (presented === undefined) {
      throw new ApiError(
        401,
        'missing_api_key',
        'This route needs an API key: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"',
      );
    }
    if (!timingSafeEqual(digest(presented), expected)) {
      throw new ApiError(
        401,
        'invalid_api_key',
        'The API key is not valid; check it or ask an administrator for one',
      );
    }
    await next();
  };
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
