import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError, describeValidationIssues } from './api-errors.js';

type ValidationResult = { target: string } & ({ success: true } | { success: false; error: z.ZodError });

/** Rejects an invalid request part with the API's error body, one detail per bad field. */
export function validationHook(result: ValidationResult, _context: Context): void {
  if (result.success) {
    return;
  }

  // The validator also hands over the raw input as `data`, so each message can show the bad value.
  const input = (result as { data?: unknown }).data;
  const details = describeValidationIssues(result.error.issues, input);
  const summary = details.map((detail) => `${detail.field}: ${detail.message}`).join('; ');
  throw new ApiError(400, 'invalid_request', `Invalid request ${result.target}: ${summary}`, details);
}
