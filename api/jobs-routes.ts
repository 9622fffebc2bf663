import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { logLevels } from '../core/job-model.js';
import { listJobLogs } from '../store/job-logs.js';
import { findJob } from '../store/jobs.js';
import { ApiError } from './api-errors.js';
import type { ApiDependencies } from './api-context.js';
import { buildJobReport, jobReportSchema } from './job-report.js';
import { commonErrorResponses, idParamsSchema, validationErrorResponse } from './shared-schemas.js';
import { validationHook } from './validation-hook.js';

const getJobRoute = createRoute({
  method: 'get',
  path: '/jobs/{id}',
  summary: 'Read a job report',
  request: { params: idParamsSchema },
  responses: {
    200: { description: 'The job report', content: { 'application/json': { schema: jobReportSchema } } },
    ...commonErrorResponses,
  },
});

const jobLogSchema = z.object({
  level: z.enum(logLevels),
  content: z.string(),
  date: z.string(),
  line: z.number().nullable(),
});

const listJobLogsRoute = createRoute({
  method: 'get',
  path: '/jobs/{id}/logs',
  summary: "List a job's log entries",
  request: {
    params: idParamsSchema,
    query: z
      .object({
        level: z.enum(logLevels).optional(),
        page: z.coerce.number().int().min(1).default(1),
        page_size: z.coerce.number().int().min(1).max(1000).default(100),
      })
      .strict(),
  },
  responses: {
    200: {
      description: 'One page of log entries, oldest first',
      content: {
        'application/json': {
          schema: z.object({
            entries: z.array(jobLogSchema),
            page: z.number(),
            page_size: z.number(),
            total: z.number(),
          }),
        },
      },
    },
    ...validationErrorResponse,
    ...commonErrorResponses,
  },
});

/** Routes of job reports and logs. */
export function createJobsRoutes(dependencies: ApiDependencies) {
  const app = new OpenAPIHono({ defaultHook: validationHook });

  app.openapi(getJobRoute, async (context) => {
    const job = await loadJob(dependencies, context.req.valid('param').id);
    return context.json(await buildJobReport(dependencies.store, job), 200);
  });

  app.openapi(listJobLogsRoute, async (context) => {
    const job = await loadJob(dependencies, context.req.valid('param').id);
    const query = context.req.valid('query');

    const { entries, total } = await listJobLogs(dependencies.store, job._id, {
      level: query.level,
      offset: (query.page - 1) * query.page_size,
      limit: query.page_size,
    });
    return context.json(
      {
        entries: entries.map((entry) => ({
          level: entry.level,
          content: entry.content,
          date: entry.date.toISOString(),
          line: entry.line,
        })),
        page: query.page,
        page_size: query.page_size,
        total,
      },
      200,
    );
  });

  return app;
}

async function loadJob(dependencies: ApiDependencies, id: string) {
  const job = await findJob(dependencies.store, id);
  if (job === null) {
    throw new ApiError(
      404,
      'job_not_found',
      `Job ${id} not found; check the id returned when the job started`,
    );
  }
  return job;
}
