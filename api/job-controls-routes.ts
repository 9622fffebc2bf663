import { OpenAPIHono, z } from '@hono/zod-openapi';
import { WorkflowNotFoundError } from '@temporalio/client';
import { jobStatuses, percentDone } from '../core/job-model.js';
import { startJobRun } from '../jobs/start-job-run.js';
import { pauseSignal, progressQuery, resumeSignal } from '../workflows/job-controls.js';
import type { JobProgress } from '../workflows/job-controls.js';
import { processLogger } from '../worker/process-logger.js';
import { protectedRoute } from './access-control.js';
import type { ApiEnv, ApiServices } from './api-context.js';
import { ApiError } from './api-errors.js';
import { loadDefinition } from './definitions-routes.js';
import { buildJobReport, jobReportSchema } from './job-report.js';
import { loadJob } from './jobs-routes.js';
import { errorResponses, idParamsSchema } from './shared-schemas.js';
import { withApiErrors } from './to-api-error.js';
import { validationHook } from './validation-hook.js';

/** How long a progress read waits for the workflow to respond before it returns the stored report. */
const progressQueryTimeoutMs = 5_000;

const runDefinitionRoute = protectedRoute('jobs:control', {
  method: 'post',
  path: '/definitions/{id}/run',
  summary: 'Run a definition now',
  description: 'A dry run does everything but the deletes; its report shows what would have been deleted.',
  request: {
    params: idParamsSchema,
    body: {
      required: false,
      content: { 'application/json': { schema: z.object({ dry_run: z.boolean().default(false) }).strict() } },
    },
  },
  responses: {
    201: { description: 'The new job', content: { 'application/json': { schema: jobReportSchema } } },
    ...errorResponses(400, 404, 409, 503),
  },
});

const controlActions = ['pause', 'resume', 'cancel'] as const;
type ControlAction = (typeof controlActions)[number];

const controlAnswerSchema = z.object({
  job_id: z.string(),
  action: z.enum(controlActions),
  message: z.string(),
});

const controlSummaries: Record<ControlAction, string> = {
  pause: 'Pause a running job: chunks already running finish, and no new chunk starts',
  resume: 'Resume a paused job',
  cancel: 'Cancel a running job: running chunks stop, and the report ends CANCELLED with estimated counts',
};

const controlMessages: Record<ControlAction, string> = {
  pause: 'Pause requested: chunks already running finish, and no new chunk starts until the job is resumed',
  resume: 'Resume requested: the job starts new chunks again',
  cancel: 'Cancel requested: running chunks stop at their next heartbeat, and the report ends CANCELLED',
};

const pastParticiples: Record<ControlAction, string> = {
  pause: 'paused',
  resume: 'resumed',
  cancel: 'cancelled',
};

const controlRoutes = controlActions.map((action) =>
  protectedRoute('jobs:control', {
    method: 'post',
    path: `/jobs/{id}/${action}`,
    summary: controlSummaries[action],
    request: { params: idParamsSchema },
    responses: {
      202: {
        description: 'Sent to the job',
        content: { 'application/json': { schema: controlAnswerSchema } },
      },
      ...errorResponses(404, 409, 503),
    },
  }),
);

const jobProgressSchema = z.object({
  job_id: z.string(),
  status: z.enum(jobStatuses),
  /** `workflow` for live counts from the running workflow, `report` for the stored report. */
  source: z.enum(['workflow', 'report']),
  phase: z.enum(['planning', 'processing', 'finishing', 'ended']),
  paused: z.boolean(),
  total: z.number(),
  processed: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  percent: z.number(),
  /** Chunks of the file and how many have finished; null when read from the report. */
  chunks: z.object({ total: z.number(), done: z.number() }).nullable(),
});

const getProgressRoute = protectedRoute('jobs:read', {
  method: 'get',
  path: '/jobs/{id}/progress',
  summary: 'Read the live progress of a job',
  description:
    'Queries the running workflow. A job that has ended, or whose workflow does not respond, returns its stored report.',
  request: { params: idParamsSchema },
  responses: {
    200: { description: 'The progress', content: { 'application/json': { schema: jobProgressSchema } } },
    ...errorResponses(404),
  },
});

/** Routes that run a definition and control its jobs: run now, pause, resume, cancel, progress. */
export function createJobControlsRoutes() {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(runDefinitionRoute, async (context) => {
    const services = context.get('services');
    const definition = await loadDefinition(services, context.req.valid('param').id);
    const dryRun = (context.req.valid('json') as { dry_run?: boolean }).dry_run ?? false;

    const job = await withApiErrors(
      () => startJobRun({ ...services, definition, trigger: 'manual', dryRun, now: services.clock() }),
      'Starting the job',
    );
    return context.json(await buildJobReport(services.store, job), 201);
  });

  for (const [index, route] of controlRoutes.entries()) {
    const action = controlActions[index] as ControlAction;
    app.openapi(route, async (context) => {
      const services = context.get('services');
      await controlJob(services, context.req.valid('param').id, action);
      return context.json(
        { job_id: context.req.valid('param').id, action, message: controlMessages[action] },
        202,
      );
    });
  }

  app.openapi(getProgressRoute, async (context) => {
    const services = context.get('services');
    return context.json(await readProgress(services, context.req.valid('param').id), 200);
  });

  return app;
}

/**
 * Sends a control to the workflow of a running job.
 * @throws ApiError 404 for an unknown job, 409 for a job that has ended, 503 when Temporal is unreachable.
 */
async function controlJob(services: ApiServices, jobId: string, action: ControlAction): Promise<void> {
  const job = await loadJob(services, jobId);
  if (job.status !== 'WAITING') {
    throw new ApiError(
      409,
      'job_ended',
      `Job ${jobId} has ended with status ${job.status}; only a running job can be ${pastParticiples[action]}`,
    );
  }

  const handle = services.temporal.workflow.getHandle(job.workflow_id);
  try {
    await withApiErrors(async () => {
      if (action === 'cancel') {
        await handle.cancel();
      } else {
        await handle.signal(action === 'pause' ? pauseSignal : resumeSignal);
      }
    }, `Sending ${action} to job ${jobId}`);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      throw new ApiError(
        409,
        'job_ended',
        `Job ${jobId} is not running: its workflow has closed; read its report for the outcome`,
      );
    }
    throw error;
  }
  processLogger.info({ jobId, definitionId: job.definition_id, action }, 'Sent job control');
}

async function readProgress(
  services: ApiServices,
  jobId: string,
): Promise<z.infer<typeof jobProgressSchema>> {
  const job = await loadJob(services, jobId);
  if (job.status === 'WAITING') {
    try {
      const progress: JobProgress = await services.temporal.withDeadline(
        Date.now() + progressQueryTimeoutMs,
        () => services.temporal.workflow.getHandle(job.workflow_id).query(progressQuery),
      );
      return {
        job_id: jobId,
        status: job.status,
        source: 'workflow',
        phase: progress.phase,
        paused: progress.paused,
        total: progress.total,
        processed: progress.processed,
        succeeded: progress.succeeded,
        failed: progress.failed,
        percent: percentDone(progress),
        chunks: { total: progress.chunkCount, done: progress.chunksDone },
      };
    } catch (error) {
      processLogger.warn({ err: error, jobId }, 'Progress query failed; returning the stored report');
    }
  }

  const stored = await loadJob(services, jobId);
  const report = await buildJobReport(services.store, stored);
  let phase: z.infer<typeof jobProgressSchema>['phase'] = 'ended';
  if (stored.status === 'WAITING') {
    phase = stored.plan === null ? 'planning' : 'processing';
  }
  return {
    job_id: jobId,
    status: report.status,
    source: 'report',
    phase,
    paused: report.paused,
    total: report.total,
    processed: report.progress.processed,
    succeeded: report.succeeded,
    failed: report.failed,
    percent: report.progress.percent,
    chunks: null,
  };
}
