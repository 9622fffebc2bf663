import type { JobListPosition } from '../store/jobs.js';
import { ApiError } from './api-errors.js';

/**
 * Encodes the position after a page of jobs as an opaque cursor: base64url of a small JSON object.
 * Clients pass it back unchanged and must not build one.
 */
export function encodeJobCursor(position: JobListPosition): string {
  return Buffer.from(
    JSON.stringify({ t: position.createdAt.toISOString(), i: position.id }),
    'utf8',
  ).toString('base64url');
}

/**
 * Reads a cursor made by `encodeJobCursor`.
 * @throws ApiError 400 when the text is not such a cursor.
 */
export function decodeJobCursor(cursor: string): JobListPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }

  const { t, i } = (decoded ?? {}) as { t?: unknown; i?: unknown };
  const createdAt = typeof t === 'string' ? new Date(t) : null;
  if (createdAt === null || Number.isNaN(createdAt.getTime()) || typeof i !== 'string') {
    throw invalidCursor();
  }
  return { createdAt, id: i };
}

function invalidCursor(): ApiError {
  return new ApiError(
    400,
    'invalid_cursor',
    'cursor is not a cursor from this API; pass the next_cursor of the previous page unchanged, or leave it out for the first page',
  );
}
