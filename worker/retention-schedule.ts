import { ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import type { RetentionWorkflowInput, retentionWorkflow } from '../workflows/retention-workflow.js';

/** Id of the Schedule that runs the retention workflow of a task queue. */
export function retentionScheduleId(taskQueue: string): string {
  return `retention-${taskQueue}`;
}

/**
 * Creates the daily Schedule of the retention workflow, or updates it so that it carries the current
 * retention period. Every worker calls it at start, so it must stay safe to call concurrently.
 * @throws errors of the Temporal client, such as an unreachable server.
 */
export async function ensureRetentionSchedule(
  temporal: Client,
  options: { taskQueue: string; retentionDays: number },
): Promise<void> {
  const scheduleId = retentionScheduleId(options.taskQueue);
  const input: RetentionWorkflowInput = { retentionDays: options.retentionDays };
  const schedule = {
    // Every day at 03:17 UTC, off the hour when other schedules tend to fire.
    spec: { calendars: [{ hour: 3, minute: 17 }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'retentionWorkflow',
      workflowId: `retention-run-${options.taskQueue}`,
      taskQueue: options.taskQueue,
      args: [input] satisfies Parameters<typeof retentionWorkflow>,
      // A run that no worker picks up (a task queue left behind) closes instead of waiting forever.
      workflowExecutionTimeout: '1 day',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
  };

  try {
    await temporal.schedule.create({ scheduleId, ...schedule });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) {
      throw error;
    }
    // An operator may have paused the schedule; its state is kept.
    await temporal.schedule
      .getHandle(scheduleId)
      .update((previous) => ({ ...schedule, state: previous.state }));
  }
}
