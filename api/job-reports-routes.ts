import { OpenAPIHono, z } from '@hono/zod-openapi';
import { protectedRoute } from './access-control.js';
import { jobStatuses, jobTypes } from '../core/job-model.js';
import type { Store } from '../store/connect-store.js';
import { findDefinition } from '../store/definitions.js';
import { findJob, findLastJobOfDefinition, listJobs } from '../store/jobs.js';
import type { JobDocument } from '../store/jobs.js';
import { ApiError } from './api-errors.js';
import { decodeJobCursor, encodeJobCursor } from './job-cursor.js';
import { failedRecordsResponse } from './failed-records-download.js';
import { buildJobReport, jobReportSchema } from './job-report.js';
import { logDownloadResponse } from './log-download.js';
import { errorBodySchema } from './shared-schemas.js';
import { validationHook } from './validation-hook.js';

/** Dependencies of the report routes. */
export interface JobReportsRoutesDependencies {
  store: Store;
  clock: () => Date;
}

const errorContent = { 'application/json': { schema: errorBodySchema } };
const badRequest = {
  400: { description: 'Invalid request: the message names each bad field', content: errorContent },
};
const notFound = { 404: { description: 'Not found', content: errorContent } };
const jobParams = z.object({ id: z.string().min(1) });

const listJobsRoute = protectedRoute('jobs:read', {
  method: 'get',
  path: '/jobs',
  summary: 'List job reports, newest first',
  description:
    'Filters combine with AND. Pages follow `next_cursor`, which is null on the last page. Filter by ' +
    "definition_id when you can: only that definition's reports are read then.",
  request: {
    query: z
      .object({
        definition_id: z.string().min(1).optional(),
        status: z.enum(jobStatuses).optional(),
        job_type: z.enum(jobTypes).optional(),
        /** Reports created at or after this time. */
        created_from: z.iso.datetime({ offset: true }).optional(),
        /** Reports created before this time. */
        created_before: z.iso.datetime({ offset: true }).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().min(1).optional(),
      })
      .strict(),
  },
  responses: {
    200: {
      description: 'One page of job reports',
      content: {
        'application/json': {
          schema: z.object({ jobs: z.array(jobReportSchema), next_cursor: z.string().nullable() }),
        },
      },
    },
    ...badRequest,
  },
});

const lastJobRoute = protectedRoute('jobs:read', {
  method: 'get',
  path: '/definitions/{id}/last-job',
  summary: "Read the report of a definition's last run",
  request: { params: jobParams },
  responses: {
    200: {
      description: 'The newest job of the definition, or null when it never ran',
      content: {
        'application/json': {
          schema: z.object({ definition_id: z.string(), last_job: jobReportSchema.nullable() }),
        },
      },
    },
    ...notFound,
  },
});

const downloadLogsRoute = protectedRoute('jobs:read', {
  method: 'get',
  path: '/jobs/{id}/logs/download',
  summary: "Download a job's log as JSON lines or CSV",
  description:
    'Streams every entry in log order, or with errors_only=true only the ERROR and WARNING entries. ' +
    'Each entry has date, level, line and content; identifiers in the content are masked.',
  request: {
    params: jobParams,
    query: z
      .object({
        errors_only: z.enum(['true', 'false']).default('false'),
        format: z.enum(['jsonl', 'csv']).default('jsonl'),
      })
      .strict(),
  },
  responses: {
    200: {
      description: 'The log, one entry per line (CSV after a header row)',
      content: { 'application/x-ndjson': { schema: z.string() }, 'text/csv': { schema: z.string() } },
    },
    ...badRequest,
    ...notFound,
  },
});

const failedRecordsRoute = protectedRoute('jobs:read', {
  method: 'get',
  path: '/jobs/{id}/failed-records',
  summary: 'Download the records that failed in a run, in the format of its file',
  description:
    "The file's header bytes followed by each failed record exactly as it was in the file (the " +
    'plaintext of an encrypted file), ready to correct and run again. Made when the job ends.',
  request: { params: jobParams },
  responses: {
    200: {
      description: 'The failed records, in the encoding and with the options of the job file',
      content: { 'text/csv': { schema: z.string() }, 'application/x-ndjson': { schema: z.string() } },
    },
    ...notFound,
    409: { description: 'The job is still running; the file is made when it ends', content: errorContent },
    410: { description: 'The file could not be made; the message gives the reason', content: errorContent },
  },
});

/**
 * Routes that read job reports: the list with filters and paging, a definition's last run, and the
 * downloads of a job's log and failed records.
 */
export function createJobReportsRoutes(dependencies: JobReportsRoutesDependencies) {
  const { store, clock } = dependencies;
  const app = new OpenAPIHono({ defaultHook: validationHook });

  app.openapi(listJobsRoute, async (context) => {
    const query = context.req.valid('query');
    const now = clock();

    const jobs = await listJobs(
      store,
      {
        definitionId: query.definition_id,
        status: query.status,
        jobType: query.job_type,
        createdFrom: query.created_from === undefined ? undefined : new Date(query.created_from),
        createdBefore: query.created_before === undefined ? undefined : new Date(query.created_before),
      },
      // One job more than the page shows whether another page follows.
      {
        limit: query.limit + 1,
        after: query.cursor === undefined ? undefined : decodeJobCursor(query.cursor),
      },
    );
    const page = jobs.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor =
      jobs.length > query.limit && last !== undefined
        ? encodeJobCursor({ createdAt: last.created_at, id: last._id })
        : null;

    const reports = await Promise.all(page.map((job) => buildJobReport(store, job, { now })));
    return context.json({ jobs: reports, next_cursor: nextCursor }, 200);
  });

  app.openapi(lastJobRoute, async (context) => {
    const { id } = context.req.valid('param');
    const definition = await findDefinition(store, id);
    if (definition === null) {
      throw new ApiError(
        404,
        'definition_not_found',
        `Definition ${id} not found; list definitions with GET /definitions`,
      );
    }

    const job = await findLastJobOfDefinition(store, id);
    const report = job === null ? null : await buildJobReport(store, job, { now: clock() });
    return context.json({ definition_id: id, last_job: report }, 200);
  });

  app.openapi(downloadLogsRoute, async (context) => {
    const job = await loadJob(store, context.req.valid('param').id);
    const query = context.req.valid('query');
    return logDownloadResponse(store, job._id, {
      errorsOnly: query.errors_only === 'true',
      format: query.format,
    });
  });

  app.openapi(failedRecordsRoute, async (context) => {
    const job = await loadJob(store, context.req.valid('param').id);
    return failedRecordsResponse(store, job);
  });

  return app;
}

async function loadJob(store: Store, id: string): Promise<JobDocument> {
  const job = await findJob(store, id);
  if (job === null) {
    throw new ApiError(404, 'job_not_found', `Job ${id} not found; list jobs with GET /jobs`);
  }
  return job;
}
