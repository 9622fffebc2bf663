import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import type { NativeConnection, WorkflowBundleOption } from '@temporalio/worker';
import { createActivities } from '../activities/create-activities.js';
import type { ActivityDependencies } from '../activities/activity-dependencies.js';

/** Entry module of the job workflows, bundled by the worker for Temporal's deterministic sandbox. */
export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface CreateJobWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  /**
   * A bundle made beforehand, as code or a file; without it the worker bundles the workflows itself.
   * Tests pass one to bundle once per file, and the worker process passes a file made by a child process.
   */
  workflowBundle?: WorkflowBundleOption;
}

/** Creates a worker that runs the job workflows and activities of one task queue. */
export async function createJobWorker(options: CreateJobWorkerOptions): Promise<Worker> {
  const workflowSource =
    options.workflowBundle === undefined ? { workflowsPath } : { workflowBundle: options.workflowBundle };

  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...workflowSource,
    activities: createActivities(options.dependencies),
  });
}
