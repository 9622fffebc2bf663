import { z } from '@hono/zod-openapi';
import { definitionInputSchema } from '../core/definition.js';
import type { SealedDefinition } from '../core/definition.js';
import { maskDefinitionSecrets } from '../store/secret-sealing-definitions.js';

/** A definition as the API shows it: every secret is the masked marker `********`. */
export const definitionViewSchema = definitionInputSchema
  .extend({
    id: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Definition');

export type DefinitionView = z.infer<typeof definitionViewSchema>;

export const definitionListSchema = z.object({
  definitions: z.array(definitionViewSchema),
  page: z.number(),
  page_size: z.number(),
  total: z.number(),
});

/** Returns the view of a saved definition, with its secrets masked. */
export function presentDefinition(definition: SealedDefinition): DefinitionView {
  const { created_at, updated_at, ...fields } = definition;
  return {
    ...fields,
    ...maskDefinitionSecrets(definition),
    created_at: created_at.toISOString(),
    updated_at: updated_at.toISOString(),
  } as DefinitionView;
}
