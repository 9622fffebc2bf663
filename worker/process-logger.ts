import { pino } from 'pino';

/**
 * Process log of the worker and API, as JSON lines on standard output. Messages are fixed phrases with
 * ids as fields; secrets and profile identifiers are never passed to it.
 */
export const processLogger = pino({ level: process.env['PROFILE_JOBS_LOG_LEVEL'] ?? 'info' });
