import { z } from 'zod';
import { textEncodings } from './file-format.js';
import type { FileFormat } from './file-format.js';
import { encryptionSchema, sourceSchema } from './source-settings.js';

/** Identifier a record is matched by; `auto` takes the first the record carries, in this order. */
export const matchByValues = [
  'auto',
  'id',
  'external_id',
  'custom_identifier',
  'email',
  'phone_number',
] as const;
export type MatchBy = (typeof matchByValues)[number];

const singleCharacter = (field: string) =>
  z.string().refine((value) => [...value].length === 1, { error: `${field} must be exactly one character` });

const fileFormatSchema = z
  .object({
    format: z.enum(['csv', 'json']).default('csv'),
    encoding: z.enum(textEncodings).default('utf-8'),
    delimiter: singleCharacter('delimiter').default(';'),
    quote: singleCharacter('quote').default('"'),
    escape: singleCharacter('escape').default('\\'),
  })
  .strict();

/** What a caller sends to create a definition; unknown fields are rejected. */
export const definitionInputSchema = z
  .object({
    name: z.string().trim().min(1, 'name must not be empty').max(200),
    description: z.string().max(2000).default(''),
    enabled: z.boolean().default(true),
    for_deletion: z.literal(true, {
      error: 'for_deletion must be true: only deletion jobs can run in this version',
    }),
    match_by: z.enum(matchByValues).default('auto'),
    /** Region for phone numbers written in local form; the deployment's default when absent. */
    default_phone_region: z
      .string()
      .regex(/^[A-Z]{2}$/, 'default_phone_region must be a two-letter ISO 3166 code such as FR')
      .optional(),
    source: sourceSchema,
    encryption: encryptionSchema.optional(),
    file_format: fileFormatSchema.prefault({}),
  })
  .strict();

export type DefinitionInput = z.infer<typeof definitionInputSchema>;
export type { DefinitionSource } from './source-settings.js';

/** A saved definition. */
export interface Definition extends DefinitionInput {
  id: string;
  created_at: Date;
  updated_at: Date;
}

/** Returns the reader options of a definition's file format. */
export function fileFormatOf(definition: Pick<Definition, 'file_format'>): FileFormat {
  const { format, encoding, delimiter, quote, escape } = definition.file_format;
  return { format, encoding, csv: { delimiter, quote, escape } };
}
