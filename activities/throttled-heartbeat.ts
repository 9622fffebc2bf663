import type { Context } from '@temporalio/activity';

/**
 * Time between two heartbeats of one activity. Each call into the SDK encodes its details and crosses
 * into the native core even though the core sends at most one heartbeat per 80% of the heartbeat
 * timeout to the server, so a heartbeat per store operation cost the worker a tenth of its CPU.
 * Cancellation still arrives with the next heartbeat the core sends.
 */
export const heartbeatIntervalMs = 1_000;

/** Returns a function that heartbeats with the details it is given, at most once per interval. */
export function createThrottledHeartbeat(
  context: Context,
  intervalMs = heartbeatIntervalMs,
): (details: unknown) => void {
  let lastBeat = -Infinity;
  return (details) => {
    const now = performance.now();
    if (now - lastBeat < intervalMs) {
      return;
    }
    lastBeat = now;
    context.heartbeat(details);
  };
}
