import type { JobTestEnvironment } from './test-services.js';

/**
 * Returns the attempt number of each started activity of a workflow run, by activity type, as the
 * history records them. A failure that was retried shows as an attempt above 1.
 */
export async function activityAttempts(
  environment: JobTestEnvironment,
  workflowId: string,
): Promise<Record<string, number[]>> {
  const history = await environment.temporal.workflow.getHandle(workflowId).fetchHistory();
  const typeByScheduledId = new Map<string, string>();
  const attempts: Record<string, number[]> = {};

  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      typeByScheduledId.set(String(event.eventId), scheduled.activityType?.name ?? 'unknown');
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const type = typeByScheduledId.get(String(started.scheduledEventId)) ?? 'unknown';
      (attempts[type] ??= []).push(started.attempt ?? 0);
    }
  }
  return attempts;
}

/**
 * Returns the whole history of a workflow run as text, with every payload decoded as UTF-8, so a
 * test can check that a string appears nowhere in it.
 */
export async function historyText(environment: JobTestEnvironment, workflowId: string): Promise<string> {
  const history = await environment.temporal.workflow.getHandle(workflowId).fetchHistory();
  return JSON.stringify(history, (_key, value: unknown) => {
    if (value instanceof Uint8Array) {
      return Buffer.from(value).toString('utf8');
    }
    // A Buffer reaches the replacer already turned into { type: 'Buffer', data: [...] } by its toJSON.
    const serialized = value as { type?: unknown; data?: unknown } | null;
    if (serialized?.type === 'Buffer' && Array.isArray(serialized.data)) {
      return Buffer.from(serialized.data as number[]).toString('utf8');
    }
    return value;
  });
}
