import { appendJobLogs } from '../store/job-logs.js';
import { markJobStarted } from '../store/jobs.js';
import type { ActivityDependencies } from './activity-dependencies.js';
import { withActivityFailures } from './activity-failures.js';
import { loadJobContext } from './load-job-context.js';

export interface StartJobInput {
  jobId: string;
}

/** Marks the job as started and writes its first LOG line, naming the file without secrets. */
export function createStartJob(dependencies: ActivityDependencies) {
  return async function startJob(input: StartJobInput): Promise<void> {
    return withActivityFailures(async () => {
      const { job, definition } = await loadJobContext(dependencies, input.jobId);
      const source = await dependencies.openSource(definition.source);

      const now = dependencies.clock();
      await markJobStarted(dependencies.store, input.jobId, now);

      const mode = job.dry_run ? ' (dry run: nothing will be deleted)' : '';
      await appendJobLogs(
        dependencies.store,
        input.jobId,
        [{ key: 'start', level: 'LOG', content: `Delete profiles from file ${source.description}${mode}` }],
        now,
      );
    });
  };
}
