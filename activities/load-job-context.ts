import { ApplicationFailure } from '@temporalio/common';
import type { Definition } from '../core/definition.js';
import { findDefinition } from '../store/definitions.js';
import { unsealDefinitionSecrets } from '../store/secret-sealing-definitions.js';
import { findJob } from '../store/jobs.js';
import type { JobDocument } from '../store/jobs.js';
import type { ActivityDependencies } from './activity-dependencies.js';

/**
 * Loads a job and its definition with its secrets unsealed. The plain secrets stay in the activity's
 * memory: they never enter workflow inputs, results or history.
 */
export async function loadJobContext(
  dependencies: ActivityDependencies,
  jobId: string,
): Promise<{ job: JobDocument; definition: Definition }> {
  const job = await findJob(dependencies.store, jobId);
  if (job === null) {
    throw ApplicationFailure.create({
      message: `Job ${jobId} not found`,
      type: 'JobNotFound',
      nonRetryable: true,
    });
  }

  const definition = await findDefinition(dependencies.store, job.definition_id);
  if (definition === null) {
    throw ApplicationFailure.create({
      message: `Definition ${job.definition_id} of job ${jobId} was deleted while the job ran`,
      type: 'DefinitionNotFound',
      nonRetryable: true,
    });
  }

  return { job, definition: unsealDefinitionSecrets(definition, dependencies.keyring) };
}
