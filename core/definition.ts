import { z } from 'zod';
import { describeCronProblem } from './cron-expression.js';
import { checkWebhookUrl } from './webhook-address.js';
import { textEncodings } from './file-format.js';
import type { FileFormat } from './file-format.js';
import {
  encryptionSchema,
  secretEncryptionFields,
  secretSourceFields,
  sourceSchema,
} from './source-settings.js';
import type { DefinitionSource, EncryptionSettings } from './source-settings.js';

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
  z
    .string({ error: `${field} must be a string of one character` })
    .refine((value) => [...value].length === 1, { error: `${field} must be exactly one character` });

const fileFormatFields = {
  format: z.enum(['csv', 'json'], { error: 'format must be one of: csv, json' }),
  encoding: z.enum(textEncodings, { error: `encoding must be one of: ${textEncodings.join(', ')}` }),
  delimiter: singleCharacter('delimiter'),
  quote: singleCharacter('quote'),
  escape: singleCharacter('escape'),
};

const fileFormatSchema = z
  .object({
    format: fileFormatFields.format.default('csv'),
    encoding: fileFormatFields.encoding.default('utf-8'),
    delimiter: fileFormatFields.delimiter.default(';'),
    quote: fileFormatFields.quote.default('"'),
    escape: fileFormatFields.escape.default('\\'),
  })
  .strict();

const cronSchema = z
  .string({ error: 'cron must be a string such as "0 3 * * *"' })
  .superRefine((cron, context) => {
    const problem = describeCronProblem(cron);
    if (problem !== null) {
      context.addIssue({ code: 'custom', message: `cron ${problem}` });
    }
  });

const timezoneSchema = z
  .string({ error: 'timezone must be a string such as Europe/Paris' })
  .refine(isTimeZoneName, 'timezone must be an IANA time zone name such as Europe/Paris or UTC');

/** When a definition runs on its own; Temporal takes the runs (one Schedule per definition). */
const scheduleSchema = z
  .object({
    /** Five-field cron expression, such as `0 3 * * *` (every day at 03:00), or `@daily`-style shorthand. */
    cron: cronSchema,
    /** IANA time zone the cron expression is read in; UTC unless set. */
    timezone: timezoneSchema.default('UTC'),
  })
  .strict();

const webhookFields = {
  url: z
    .url({
      protocol: /^https?$/,
      error: 'url must be an http:// or https:// URL such as https://hooks.example.com/profile-jobs',
    })
    .superRefine((url, context) => {
      // Link-local and cloud metadata addresses are rejected on save, and again after DNS on send.
      // A URL that is not http or https already has its own message from the rule above.
      if (!/^https?:\/\//i.test(url)) {
        return;
      }
      const check = checkWebhookUrl(url);
      if (!check.ok) {
        context.addIssue({ code: 'custom', message: check.reason });
      }
    }),
  /** Key of the HMAC-SHA256 signature of each delivery. */
  secret: z
    .string({ error: 'secret must be a string' })
    .min(16, 'secret must be at least 16 characters, so that signatures cannot be guessed')
    .max(1024, 'secret must be at most 1024 characters'),
  /** Fixed `Authorization` header value, for receivers that check only that. */
  authorization: z
    .string({ error: 'authorization must be a string' })
    .min(1, 'authorization must not be empty')
    .max(4096, 'authorization must be at most 4096 characters'),
};

/** The end-of-job webhook: where each run's outcome is POSTed, and how it is signed. */
const webhookSchema = z
  .object({
    url: webhookFields.url,
    secret: webhookFields.secret,
    authorization: webhookFields.authorization.optional(),
  })
  .strict();

const generalFields = {
  name: z
    .string({ error: 'name must be a string' })
    .trim()
    .min(1, 'name must not be empty')
    .max(200, 'name must be at most 200 characters'),
  description: z
    .string({ error: 'description must be a string' })
    .max(2000, 'description must be at most 2000 characters'),
  enabled: z.boolean({ error: 'enabled must be true or false' }),
  for_deletion: z.literal(true, {
    error:
      'for_deletion must be true: only deletion jobs can run in this version (import runs are not built yet)',
  }),
  match_by: z.enum(matchByValues, { error: `match_by must be one of: ${matchByValues.join(', ')}` }),
  /** Region for phone numbers written in local form; the deployment's default when absent. */
  default_phone_region: z
    .string({ error: 'default_phone_region must be a string such as FR' })
    .regex(/^[A-Z]{2}$/, 'default_phone_region must be a two-letter ISO 3166 code such as FR'),
};

/** Request body that creates a definition. Unknown fields are rejected. */
export const definitionInputSchema = z
  .object({
    name: generalFields.name,
    description: generalFields.description.default(''),
    enabled: generalFields.enabled.default(true),
    for_deletion: generalFields.for_deletion,
    match_by: generalFields.match_by.default('auto'),
    default_phone_region: generalFields.default_phone_region.optional(),
    source: sourceSchema,
    /** Set when the file is encrypted with `openssl enc -aes-256-cbc -pbkdf2`. */
    encryption: encryptionSchema.optional(),
    file_format: fileFormatSchema.prefault({}),
    schedule: scheduleSchema.optional(),
    webhook: webhookSchema.optional(),
  })
  .strict();

/**
 * The body of an edit: a JSON merge patch (RFC 7396) of the definition. A field left out keeps its
 * value, `null` removes an optional field, and objects are merged field by field, except `source`
 * when its protocol changes, which is replaced whole. Secrets left out, or sent back as the masked
 * marker, keep their stored value. The merged definition is then checked like a new one.
 */
export const definitionPatchSchema = z
  .object({
    name: generalFields.name,
    description: generalFields.description,
    enabled: generalFields.enabled,
    for_deletion: generalFields.for_deletion,
    match_by: generalFields.match_by,
    default_phone_region: generalFields.default_phone_region.nullable(),
    source: z
      .looseObject({ protocol: z.string({ error: 'source.protocol must be a string' }).optional() })
      .meta({ description: 'Settings of the source to change; the fields depend on the protocol' }),
    encryption: z.looseObject({}).nullable(),
    file_format: z.object(fileFormatFields).partial().strict(),
    schedule: z.object({ cron: cronSchema, timezone: timezoneSchema }).partial().strict().nullable(),
    webhook: z
      .object({ url: webhookFields.url, secret: z.string(), authorization: z.string().nullable() })
      .partial()
      .strict()
      .nullable(),
  })
  .partial()
  .strict();

export type DefinitionInput = z.infer<typeof definitionInputSchema>;
export type DefinitionPatch = z.infer<typeof definitionPatchSchema>;
type WebhookSettings = z.infer<typeof webhookSchema>;
export type { DefinitionSource, EncryptionSettings } from './source-settings.js';

/** Text that the API shows in place of every secret, and that an edit may send back to keep one. */
export const maskedSecret = '********';

/** Fields of the webhook settings that hold a secret. */
export const secretWebhookFields = ['secret', 'authorization'] as const;

/** Parts of a definition that may hold secrets. */
export const secretParts = ['source', 'encryption', 'webhook'] as const;
export type SecretPart = (typeof secretParts)[number];

/**
 * Returns the names of the secret fields of one part of a definition. A source's secrets depend on
 * its protocol; an unknown protocol has none.
 */
export function secretFieldsOf(part: SecretPart, settings: { protocol?: unknown }): readonly string[] {
  switch (part) {
    case 'source': {
      const protocol = settings.protocol;
      return typeof protocol === 'string' && Object.hasOwn(secretSourceFields, protocol)
        ? secretSourceFields[protocol as keyof typeof secretSourceFields]
        : [];
    }
    case 'encryption':
      return secretEncryptionFields;
    case 'webhook':
      return secretWebhookFields;
  }
}

type SecretFieldName =
  | (typeof secretSourceFields)[keyof typeof secretSourceFields][number]
  | (typeof secretEncryptionFields)[number]
  | (typeof secretWebhookFields)[number];

/** A secret encrypted with AES-256-GCM under the key `key_id`; binary parts are base64. */
export interface SealedSecret {
  sealed: 'aes-256-gcm';
  key_id: string;
  iv: string;
  tag: string;
  data: string;
}

/** `T` with every secret field holding a `SealedSecret` in place of its plain value. */
export type WithSealedSecrets<T> = T extends unknown
  ? { [K in keyof T]: K extends SecretFieldName ? SealedSecret : T[K] }
  : never;

interface SavedFields {
  id: string;
  created_at: Date;
  updated_at: Date;
}

/**
 * A saved definition as the store returns it: every secret is sealed. The activity that opens the
 * source or sends the webhook unseals it with `unsealDefinitionSecrets` from
 * `store/secret-sealing-definitions.ts`.
 */
export interface SealedDefinition
  extends Omit<DefinitionInput, 'source' | 'encryption' | 'webhook'>, SavedFields {
  source: WithSealedSecrets<DefinitionSource>;
  encryption?: WithSealedSecrets<EncryptionSettings>;
  webhook?: WithSealedSecrets<WebhookSettings>;
}

/**
 * A saved definition with its secrets in plain text. Keep it in memory only: never store it, log it
 * or pass it to a workflow.
 */
export interface Definition extends DefinitionInput, SavedFields {}

/** Returns the reader options of a definition's file format. */
export function fileFormatOf(definition: Pick<Definition, 'file_format'>): FileFormat {
  const { format, encoding, delimiter, quote, escape } = definition.file_format;
  return { format, encoding, csv: { delimiter, quote, escape } };
}

/** True for IANA time zone names such as `Europe/Paris` or `UTC`; offsets such as `+01:00` are rejected. */
function isTimeZoneName(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) {
    return false;
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
