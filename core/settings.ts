import { z } from 'zod';

const positiveInteger = z.coerce.number().int().positive();

const settingsSchema = z.object({
  PROFILE_JOBS_MONGO_URL: z.string().default('mongodb://127.0.0.1:27027/profile_jobs'),
  PROFILE_JOBS_TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  PROFILE_JOBS_TEMPORAL_NAMESPACE: z.string().default('default'),
  PROFILE_JOBS_TASK_QUEUE: z.string().default('profile-jobs'),
  PROFILE_JOBS_IMPORT_ROOT: z.string().default('.stack/imports'),
  PROFILE_JOBS_API_PORT: positiveInteger.max(65535).default(8080),
  PROFILE_JOBS_API_KEY: z.string().min(24).optional(),
  PROFILE_JOBS_MAX_RECORDS: positiveInteger.default(1_000_000),
  PROFILE_JOBS_CHUNK_RECORDS: positiveInteger.default(5_000),
  PROFILE_JOBS_CHUNK_WINDOW: positiveInteger.default(2),
  PROFILE_JOBS_CHUNKS_PER_RUN: positiveInteger.default(500),
  PROFILE_JOBS_BATCH_RECORDS: positiveInteger.default(500),
  PROFILE_JOBS_STORE_CONCURRENCY: positiveInteger.default(32),
  PROFILE_JOBS_RETENTION_DAYS: positiveInteger.default(183),
  PROFILE_JOBS_DEFAULT_PHONE_REGION: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter ISO 3166 region code such as FR')
    .default('FR'),
  PROFILE_JOBS_IMPORT_JOBS_ENABLED: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('true')
    .transform((value) => value === 'true'),
  PROFILE_JOBS_SECRET_KEY: z
    .string()
    .refine(isBase64Key, 'must be 32 random bytes in base64, made for example by `openssl rand -base64 32`')
    .optional(),
  PROFILE_JOBS_SECRET_KEYS: z
    .string()
    .refine(
      (value) => value.split(',').every((key) => isBase64Key(key.trim())),
      'must be earlier secret keys in base64, separated by commas',
    )
    .optional(),
});

function isBase64Key(value: string): boolean {
  return /^[A-Za-z0-9+/]{43}=$/.test(value) && Buffer.from(value, 'base64').length === 32;
}

const hiddenVariables = new Set([
  'PROFILE_JOBS_API_KEY',
  'PROFILE_JOBS_SECRET_KEY',
  'PROFILE_JOBS_SECRET_KEYS',
]);

/** Deployment settings, read once from the environment at start-up. */
export interface Settings {
  /** MongoDB connection string; its path names the database. */
  mongoUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  taskQueue: string;
  /** Folder that `local` sources read from; a path that leaves it is rejected. */
  importRoot: string;
  apiPort: number;
  /** Bootstrap administrator API key; the API refuses to start without one. */
  apiKey: string | undefined;
  /** Largest number of records a file may hold; a larger file fails before anything changes. */
  maxRecords: number;
  /** Records per chunk activity. A chunk should be seconds of store work, so Temporal's per-activity cost stays small. */
  chunkRecords: number;
  /** Chunk activities kept in flight by one job. */
  chunkWindow: number;
  /** Chunks one workflow run starts before it continues as new, which bounds each run's history. */
  chunksPerRun: number;
  /** Records resolved and applied together; the unit of crash recovery inside a chunk. */
  batchRecords: number;
  /** Store operations kept in flight by one chunk. */
  storeConcurrency: number;
  /** Region used to read phone numbers written in local form. */
  defaultPhoneRegion: string;
  /** Days a job report and its logs are kept after the job was created; default 183 (six months). */
  retentionDays: number;
  /**
   * False switches the import-jobs feature off, so every definition and job route of the API
   * returns 403. Default true.
   */
  importJobsEnabled: boolean;
  /**
   * Key that seals the secrets of definitions (AES-256-GCM), 32 bytes in base64. The API refuses to start
   * without one.
   */
  secretKey: string | undefined;
  /** Earlier secret keys, kept so that secrets sealed before a key rotation can still be unsealed. */
  previousSecretKeys: string[];
}

/**
 * Reads the settings from environment variables, so that bad configuration fails at start-up.
 * @throws Error naming every invalid variable, its value and the rule it breaks.
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const shown = hiddenVariables.has(name) ? '(hidden)' : JSON.stringify(env[name]);
      return `${name}=${shown}: ${issue.message}`;
    });
    throw new Error(`Invalid settings in the environment: ${problems.join('; ')}`);
  }

  const values = parsed.data;
  return {
    mongoUrl: values.PROFILE_JOBS_MONGO_URL,
    temporalAddress: values.PROFILE_JOBS_TEMPORAL_ADDRESS,
    temporalNamespace: values.PROFILE_JOBS_TEMPORAL_NAMESPACE,
    taskQueue: values.PROFILE_JOBS_TASK_QUEUE,
    importRoot: values.PROFILE_JOBS_IMPORT_ROOT,
    apiPort: values.PROFILE_JOBS_API_PORT,
    apiKey: values.PROFILE_JOBS_API_KEY,
    maxRecords: values.PROFILE_JOBS_MAX_RECORDS,
    chunkRecords: values.PROFILE_JOBS_CHUNK_RECORDS,
    chunkWindow: values.PROFILE_JOBS_CHUNK_WINDOW,
    chunksPerRun: values.PROFILE_JOBS_CHUNKS_PER_RUN,
    batchRecords: values.PROFILE_JOBS_BATCH_RECORDS,
    storeConcurrency: values.PROFILE_JOBS_STORE_CONCURRENCY,
    defaultPhoneRegion: values.PROFILE_JOBS_DEFAULT_PHONE_REGION,
    retentionDays: values.PROFILE_JOBS_RETENTION_DAYS,
    importJobsEnabled: values.PROFILE_JOBS_IMPORT_JOBS_ENABLED,
    secretKey: values.PROFILE_JOBS_SECRET_KEY,
    previousSecretKeys: values.PROFILE_JOBS_SECRET_KEYS?.split(',').map((key) => key.trim()) ?? [],
  };
}
