import { z } from '@hono/zod-openapi';

/** The one error body of the API. */
export const errorBodySchema = z
  .object({
    error: z.object({
      /** Stable code for programs, such as `job_running`. */
      code: z.string(),
      /** Explanation of what went wrong and what to do next, for people. */
      message: z.string(),
      /** Validation problems, one per bad field. */
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

export const idParamsSchema = z.object({ id: z.string().min(1) });

/** Paging of list routes: 1-based page number and entries per page. */
export const pageQueryFields = {
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(1000).default(100),
};

const errorDescriptions = {
  400: 'Invalid request: the details name each bad field, its value and the rule',
  401: 'Missing, unknown or revoked API key',
  403: "The key's role lacks the permission, or import jobs are switched off on this deployment",
  404: 'Not found',
  409: 'Conflicts with the current state, such as a running job; the message names it',
  500: 'The server failed to handle the request; it logged the error',
  503: 'Temporal is unreachable; nothing was changed unless the message says otherwise',
} as const;

type ErrorStatus = keyof typeof errorDescriptions;

/** OpenAPI responses for the given error statuses, each with the API's error body. */
export function errorResponses<S extends ErrorStatus>(
  ...statuses: S[]
): Record<S, { description: string; content: { 'application/json': { schema: typeof errorBodySchema } } }> {
  const responses = {} as Record<
    S,
    { description: string; content: { 'application/json': { schema: typeof errorBodySchema } } }
  >;
  for (const status of statuses) {
    responses[status] = {
      description: errorDescriptions[status],
      content: { 'application/json': { schema: errorBodySchema } },
    };
  }
  return responses;
}
