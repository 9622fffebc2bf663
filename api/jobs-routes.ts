import { OpenAPIHono, z } from '@hono/zod-openapi';
import { logLevels } from '../core/job-model.js';
import { listJobLogs } from '../store/job-logs.js';
import { findJob } from '../store/jobs.js';
import type { JobDocument } from '../store/jobs.js';
import { protectedRoute } from './access-control.js';
import type { ApiEnv, ApiServices } from './api-context.js';
import { ApiError } from './api-errors.js';
import { buildJobReport, jobReportSchema } from './job-report.js';
import { errorResponses, idParamsSchema, pageQueryFields } from './shared-schemas.js';
import { validationHook } from './validation-hook.js';

const getJobRoute = protectedRoute('jobs:read', {
  method: 'get',
  path: '/jobs/{id}',
  summary: 'Read a job report',
  request: { params: idParamsSchema },
  responses: {
    200: { description: 'The job report', content: { 'application/json': { schema: jobReportSchema } } },
    ...errorResponses(404),
  },
});

const jobLogSchema = z.object({
  level: z.enum(logLevels),
  content: z.string(),
  date: z.string(),
  line: z.number().nullable(),
});

const listJobLogsRoute = protectedRoute('jobs:read', {
  method: 'get',
  path: '/jobs/{id}/logs',
  summary: "List a job's log entries",
  request: {
    params: idParamsSchema,
    query: z.object({ level: z.enum(logLevels).optional(), ...pageQueryFields }).strict(),
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
    ...errorResponses(400, 404),
  },
});

/** Routes of job reports and logs. */
export function createJobsRoutes() {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(getJobRoute, async (context) => {
    const services = context.get('services');
    const job = await loadJob(services, context.req.valid('param').id);
    return context.json(await buildJobReport(services.store, job), 200);
  });

  app.openapi(listJobLogsRoute, async (context) => {
    const services = context.get('services');
    const job = await loadJob(services, context.req.valid('param').id);
    const query = context.req.valid('query');

    const { entries, total } = await listJobLogs(services.store, job._id, {
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

/**
 * Loads a job for a route.
 * @throws ApiError 404 when it does not exist.
 */
export async function loadJob(services: ApiServices, id: string): Promise<JobDocument> {
  const job = await findJob(services.store, id);
  if (job === null) {
    throw new ApiError(
      404,
      'job_not_found',
      `Job ${id} not found; check the id returned when the job started`,
    );
  }
  return job;
}
