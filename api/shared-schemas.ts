import { z } from 'zod';

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  }),
});

export const idParamsSchema = z.object({ id: z.string().min(1) });

/** Error answers every protected route may give. */
export const commonErrorResponses = {
  401: {
    description: 'Missing or invalid API key',
    content: { 'application/json': { schema: errorBodySchema } },
  },
  404: { description: 'Not found', content: { 'application/json': { schema: errorBodySchema } } },
} as const;

export const validationErrorResponse = {
  400: { description: 'Invalid request', content: { 'application/json': { schema: errorBodySchema } } },
} as const;
