import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Client, ScheduleOptionsAction, ScheduleSpec, ScheduleUpdateOptions } from '@temporalio/client';
import type { SealedDefinition } from '../core/definition.js';
import { definitionIdKey } from '../core/search-attributes.js';
import type { Settings } from '../core/settings.js';
import type { scheduledRunWorkflow } from '../workflows/scheduled-run-workflow.js';

/** Id of the Temporal Schedule of a definition; a definition has at most one. */
export function definitionScheduleId(definitionId: string): string {
  return `definition-${definitionId}`;
}

export interface DefinitionScheduleOptions {
  temporal: Client;
  settings: Pick<Settings, 'taskQueue' | 'chunkWindow' | 'chunksPerRun'>;
}

/**
 * Makes the Temporal Schedule of a definition match it: created when the definition has a schedule,
 * updated with its cron expression and time zone, paused while the definition is disabled, and
 * deleted when it has none. Safe to call again after a failure.
 * @throws errors of the Temporal client, such as an unreachable server.
 */
export async function syncDefinitionSchedule(
  options: DefinitionScheduleOptions,
  definition: Pick<SealedDefinition, 'id' | 'name' | 'enabled' | 'schedule'>,
): Promise<void> {
  const scheduleId = definitionScheduleId(definition.id);
  if (definition.schedule === undefined) {
    await deleteDefinitionSchedule(options.temporal, definition.id);
    return;
  }

  const scheduleOptions = scheduleOf(options, { ...definition, schedule: definition.schedule });
  const handle = options.temporal.schedule.getHandle(scheduleId);
  try {
    await handle.update(() => scheduleOptions);
    return;
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) {
      throw error;
    }
  }

  try {
    await options.temporal.schedule.create({
      scheduleId,
      ...scheduleOptions,
      memo: { definitionName: definition.name },
    });
  } catch (error) {
    // Another request created it between the update and the create: update that one instead.
    if (!(error instanceof ScheduleAlreadyRunning)) {
      throw error;
    }
    await handle.update(() => scheduleOptions);
  }
}

/** Deletes the Temporal Schedule of a definition; a schedule that does not exist is not an error. */
export async function deleteDefinitionSchedule(temporal: Client, definitionId: string): Promise<void> {
  try {
    await temporal.schedule.getHandle(definitionScheduleId(definitionId)).delete();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) {
      throw error;
    }
  }
}

function scheduleOf(
  options: DefinitionScheduleOptions,
  definition: Pick<SealedDefinition, 'id' | 'enabled'> & {
    schedule: NonNullable<SealedDefinition['schedule']>;
  },
): ScheduleUpdateOptions<ScheduleOptionsAction> {
  const spec: ScheduleSpec = {
    cronExpressions: [definition.schedule.cron],
    timezone: definition.schedule.timezone,
  };
  // Limitation: chunkWindow and chunksPerRun are copied into the schedule when it is saved, so a
  // change of those settings reaches scheduled runs only after the definition is edited again.
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: 'scheduledRunWorkflow',
    // Temporal appends the time of each run to this id.
    workflowId: `scheduled-run-${definition.id}`,
    taskQueue: options.settings.taskQueue,
    args: [
      {
        definitionId: definition.id,
        chunkWindow: options.settings.chunkWindow,
        chunksPerRun: options.settings.chunksPerRun,
      } satisfies Parameters<typeof scheduledRunWorkflow>[0],
    ],
    typedSearchAttributes: [{ key: definitionIdKey, value: definition.id }],
  };

  return {
    spec,
    action,
    policies: {
      // The run lock already keeps jobs from overlapping; SKIP also drops a run whose start overlaps.
      overlap: ScheduleOverlapPolicy.SKIP,
      // After an outage, runs more than ten minutes late are dropped rather than started all at once.
      catchupWindow: '10 minutes',
    },
    state: {
      paused: !definition.enabled,
      note: definition.enabled ? 'Definition enabled' : 'Paused because the definition is disabled',
    },
  };
}
