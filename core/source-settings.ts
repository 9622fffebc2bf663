import { z } from 'zod';

const filePath = (what: string) => z.string().min(1, `path must name ${what}`);

const nonEmpty = (field: string, example: string) =>
  z.string({ error: `${field} must be a string such as ${example}` }).min(1, `${field} must not be empty`);

const httpUrl = (field: string) =>
  z
    .url({
      protocol: /^https?$/,
      error: `${field} must be an http:// or https:// URL such as http://127.0.0.1:9000`,
    })
    .optional();

/** A file under the server's import root: the embedded default and tests. */
export const localSourceSchema = z
  .object({
    protocol: z.literal('local'),
    /** Path of the file, relative to the server's import root. */
    path: filePath('a file under the import root'),
  })
  .strict();

/**
 * A file on an SFTP server. Exactly one of `password` and `private_key` is set; `passphrase`
 * decrypts an encrypted private key (OpenSSH, legacy PEM such as `RSA PRIVATE KEY`, or PKCS#8).
 */
export const sftpSourceSchema = z
  .object({
    protocol: z.literal('sftp'),
    host: nonEmpty('host', 'sftp.example.com'),
    /** TCP port; 22 unless set. */
    port: z
      .number({ error: 'port must be an integer from 1 to 65535' })
      .int('port must be an integer from 1 to 65535')
      .min(1, 'port must be an integer from 1 to 65535')
      .max(65535, 'port must be an integer from 1 to 65535')
      .default(22),
    username: nonEmpty('username', 'alice'),
    password: z.string().min(1, 'password must not be empty').optional(),
    /** Private key text, from `-----BEGIN` to `-----END ... PRIVATE KEY-----`. */
    private_key: z
      .string()
      .regex(
        /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/,
        'private_key must be an OpenSSH, PEM or PKCS#8 private key starting with "-----BEGIN ... PRIVATE KEY-----"',
      )
      .optional(),
    passphrase: z.string().min(1, 'passphrase must not be empty').optional(),
    /** Path of the file on the server; a relative path starts at the login directory. */
    path: filePath('a file on the SFTP server, such as exports/profiles.csv'),
  })
  .strict()
  .superRefine((source, context) => {
    if ((source.password === undefined) === (source.private_key === undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['password'],
        message: 'sftp sources need exactly one of password or private_key',
      });
    }
    if (source.passphrase !== undefined && source.private_key === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['passphrase'],
        message: 'passphrase is only allowed with private_key',
      });
    }
  });

/** An object in an S3 bucket, on AWS or on an S3-compatible store when `endpoint_url` is set. */
export const s3SourceSchema = z
  .object({
    protocol: z.literal('s3'),
    /** Endpoint of an S3-compatible store; requests then use path-style addressing. AWS unless set. */
    endpoint_url: httpUrl('endpoint_url'),
    bucket: z
      .string({ error: 'bucket must be a string such as my-exports' })
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'bucket must be an S3 bucket name: 3 to 63 lower-case letters, digits, dots or hyphens',
      ),
    region: nonEmpty('region', 'eu-west-3'),
    access_key_id: nonEmpty('access_key_id', 'AKIAIOSFODNN7EXAMPLE'),
    secret_access_key: z.string().min(1, 'secret_access_key must not be empty'),
    /** Object key, such as `exports/profiles.csv`. */
    path: filePath('an object key such as exports/profiles.csv').refine((key) => !key.startsWith('/'), {
      error: 'path must be the object key without a leading "/", such as exports/profiles.csv',
    }),
  })
  .strict();

/** An object in a Google Cloud Storage bucket, read with a service-account key. */
export const gcsSourceSchema = z
  .object({
    protocol: z.literal('gcs'),
    project_id: nonEmpty('project_id', 'my-project'),
    bucket: nonEmpty('bucket', 'my-exports'),
    /** The service-account key file as downloaded from Google Cloud: JSON text or the parsed object. */
    credentials: z.union([z.string(), z.record(z.string(), z.unknown())], {
      error: 'credentials must be the service-account key file, as JSON text or as an object',
    }),
    /** Label sent in the User-Agent of every request, to find this client in audit logs. */
    app_name: z.string().min(1, 'app_name must not be empty').optional(),
    /** Second User-Agent label, such as the team that owns the definition. */
    user_name: z.string().min(1, 'user_name must not be empty').optional(),
    /** Endpoint of a Cloud Storage emulator. Requests to it carry no credentials. Google unless set. */
    endpoint_url: httpUrl('endpoint_url'),
    /** Object name, such as `exports/profiles.csv`. */
    path: filePath('an object name such as exports/profiles.csv'),
  })
  .strict()
  .superRefine((source, context) => {
    const problem = describeCredentialsProblem(source.credentials);
    if (problem !== null) {
      context.addIssue({ code: 'custom', path: ['credentials'], message: problem });
    }
  });

/** Location of a definition's file: the protocol and its settings. */
export const sourceSchema = z.discriminatedUnion(
  'protocol',
  [localSourceSchema, sftpSourceSchema, s3SourceSchema, gcsSourceSchema],
  { error: 'source.protocol must be one of: local, sftp, s3, gcs' },
);

export type DefinitionSource = z.infer<typeof sourceSchema>;
export type LocalSourceSettings = z.infer<typeof localSourceSchema>;
export type SftpSourceSettings = z.infer<typeof sftpSourceSchema>;
export type S3SourceSettings = z.infer<typeof s3SourceSchema>;
export type GcsSourceSettings = z.infer<typeof gcsSourceSchema>;

/**
 * Fields of each protocol's settings that hold a secret. They are sealed in the store, masked in
 * API replies and never written to logs or workflow history.
 */
export const secretSourceFields = {
  local: [],
  sftp: ['password', 'private_key', 'passphrase'],
  s3: ['secret_access_key'],
  gcs: ['credentials'],
} as const satisfies { [P in DefinitionSource['protocol']]: readonly string[] };

/**
 * Encryption of the file, as written by `openssl enc -aes-256-cbc -salt -pbkdf2 -iter N`, written as raw
 * bytes (`binary`) or with `-a` (`base64`, with or without line breaks).
 */
export const encryptionSchema = z
  .object({
    password: z
      .string({ error: 'encryption.password must be a string' })
      .min(1, 'password must not be empty'),
    /** PBKDF2-HMAC-SHA256 iterations, the `-iter` value given to openssl; 10000 unless set. */
    pbkdf2_iterations: z
      .number({ error: 'pbkdf2_iterations must be an integer of at least 1, such as 10000' })
      .int('pbkdf2_iterations must be an integer of at least 1, such as 10000')
      .min(1, 'pbkdf2_iterations must be an integer of at least 1, such as 10000')
      .default(10_000),
    format: z
      .enum(['binary', 'base64'], { error: 'format must be one of: binary, base64' })
      .default('binary'),
  })
  .strict();

export type EncryptionSettings = z.infer<typeof encryptionSchema>;

/** Fields of the encryption settings that hold a secret. */
export const secretEncryptionFields = ['password'] as const;

/** Returns why a service-account key cannot be used, or null when it has the fields a login needs. */
function describeCredentialsProblem(credentials: string | Record<string, unknown>): string | null {
  let parsed: unknown = credentials;
  if (typeof credentials === 'string') {
    try {
      parsed = JSON.parse(credentials);
    } catch {
      // The text is a secret, so the message names no part of it.
      return 'credentials must be the service-account key file as JSON; the text given is not valid JSON';
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return 'credentials must be a JSON object: the service-account key file';
  }

  const missing = ['client_email', 'private_key'].filter(
    (field) => typeof (parsed as Record<string, unknown>)[field] !== 'string',
  );
  if (missing.length > 0) {
    return `credentials must be a service-account key with client_email and private_key; missing ${missing.join(' and ')}`;
  }
  return null;
}
