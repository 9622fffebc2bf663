import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startJobEnvironment } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';
import { deleteDefinitionSchedules, expectAnswer, expectError } from './api-requests.js';

let environment: JobTestEnvironment;

beforeAll(async () => {
  environment = await startJobEnvironment();
});

afterAll(async () => {
  if (environment !== undefined) {
    await deleteDefinitionSchedules(environment);
  }
  await environment?.close();
});

const localSource = { protocol: 'local', path: 'profiles.csv' };

interface DefinitionView {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  match_by: string;
  default_phone_region?: string;
  source: Record<string, unknown>;
  file_format: Record<string, unknown>;
  schedule?: { cron: string; timezone: string };
  webhook?: Record<string, unknown>;
  encryption?: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

function create(fields: Record<string, unknown>): Promise<DefinitionView> {
  return expectAnswer<DefinitionView>(
    environment,
    'POST',
    '/definitions',
    { name: 'definition', for_deletion: true, source: localSource, ...fields },
    201,
  );
}

async function rejectedDetails(
  fields: Record<string, unknown>,
): Promise<{ field: string; message: string }[]> {
  const error = await expectError(
    environment,
    'POST',
    '/definitions',
    { name: 'definition', for_deletion: true, source: localSource, ...fields },
    400,
  );
  expect(error.code).toBe('invalid_request');
  return error.details ?? [];
}

describe('definition creation', () => {
  test('fills every default', async () => {
    const created = await create({ name: 'defaults' });

    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'defaults',
      description: '',
      enabled: true,
      for_deletion: true,
      match_by: 'auto',
      source: localSource,
      file_format: { format: 'csv', encoding: 'utf-8', delimiter: ';', quote: '"', escape: '\\' },
      created_at: expect.any(String),
      updated_at: created.created_at,
    });
  });

  test('keeps every option it is given', async () => {
    const fields = {
      name: 'every option',
      description: 'nightly clean-up',
      enabled: false,
      match_by: 'phone_number',
      default_phone_region: 'BE',
      file_format: { format: 'csv', encoding: 'windows-1252', delimiter: ',', quote: "'", escape: '"' },
      schedule: { cron: '30 2 * * MON-FRI', timezone: 'Europe/Brussels' },
      webhook: { url: 'https://hooks.example.com/jobs', secret: 'webhook-secret-0123456789' },
      encryption: { password: 'file-password', pbkdf2_iterations: 20000, format: 'base64' },
    };
    const created = await create(fields);

    expect(created).toMatchObject({
      ...fields,
      webhook: { url: 'https://hooks.example.com/jobs', secret: '********' },
      encryption: { password: '********', pbkdf2_iterations: 20000, format: 'base64' },
    });
    const read = await expectAnswer<DefinitionView>(
      environment,
      'GET',
      `/definitions/${created.id}`,
      undefined,
      200,
    );
    expect(read).toEqual(created);
  });

  test('for_deletion false is rejected', async () => {
    const details = await rejectedDetails({ for_deletion: false });

    expect(details).toEqual([
      {
        field: 'for_deletion',
        message:
          'for_deletion must be true: only deletion jobs can run in this version (import runs are not built yet) (got false)',
      },
    ]);
  });
});

describe('definition validation', () => {
  const cases: [string, Record<string, unknown>, { field: string; message: string }][] = [
    ['empty name', { name: '' }, { field: 'name', message: 'name must not be empty (got "")' }],
    [
      'enabled as text',
      { enabled: 'yes' },
      { field: 'enabled', message: 'enabled must be true or false (got "yes")' },
    ],
    [
      'unknown match_by',
      { match_by: 'phone' },
      {
        field: 'match_by',
        message:
          'match_by must be one of: auto, id, external_id, custom_identifier, email, phone_number (got "phone")',
      },
    ],
    [
      'lower-case phone region',
      { default_phone_region: 'fr' },
      {
        field: 'default_phone_region',
        message: 'default_phone_region must be a two-letter ISO 3166 code such as FR (got "fr")',
      },
    ],
    [
      'unknown source protocol',
      { source: { protocol: 'ftp', path: 'a.csv' } },
      {
        field: 'source.protocol',
        message: 'source.protocol must be one of: local, sftp, s3, gcs (got "ftp")',
      },
    ],
    [
      'sftp port out of range',
      {
        source: {
          protocol: 'sftp',
          host: 'sftp.example.com',
          port: 70000,
          username: 'u',
          password: 'p',
          path: 'a',
        },
      },
      { field: 'source.port', message: 'port must be an integer from 1 to 65535 (got 70000)' },
    ],
    [
      'file format',
      { file_format: { format: 'xml' } },
      { field: 'file_format.format', message: 'format must be one of: csv, json (got "xml")' },
    ],
    [
      'encoding',
      { file_format: { encoding: 'utf-32' } },
      {
        field: 'file_format.encoding',
        message:
          'encoding must be one of: utf-8, utf-16, utf-16le, utf-16be, iso-8859-1, windows-1252 (got "utf-32")',
      },
    ],
    [
      'two-character delimiter',
      { file_format: { delimiter: ';;' } },
      { field: 'file_format.delimiter', message: 'delimiter must be exactly one character (got ";;")' },
    ],
    [
      'empty quote',
      { file_format: { quote: '' } },
      { field: 'file_format.quote', message: 'quote must be exactly one character (got "")' },
    ],
    [
      'escape of two characters',
      { file_format: { escape: '\\\\' } },
      { field: 'file_format.escape', message: 'escape must be exactly one character (got "\\\\\\\\")' },
    ],
    [
      'unknown file format option',
      { file_format: { colour: 'blue' } },
      { field: 'file_format.colour', message: 'unknown field "colour"; remove it or check its spelling' },
    ],
    [
      'cron minute out of range',
      { schedule: { cron: '61 * * * *' } },
      {
        field: 'schedule.cron',
        message:
          'cron minute field "61" must be 0-59, a range, a list or a step such as */15 (got "61 * * * *")',
      },
    ],
    [
      'cron with three fields',
      { schedule: { cron: '* * *' } },
      {
        field: 'schedule.cron',
        message:
          'cron must have 5 fields (minute hour day-of-month month day-of-week) such as "0 3 * * MON", not 3 (got "* * *")',
      },
    ],
    [
      'cron day of week name',
      { schedule: { cron: '0 3 * * MONDAY' } },
      {
        field: 'schedule.cron',
        message:
          'cron day of week field "MONDAY" must be 0-6 or SUN-SAT, a range, a list or a step such as */15 (got "0 3 * * MONDAY")',
      },
    ],
    [
      'unknown cron shorthand',
      { schedule: { cron: '@every 5m' } },
      {
        field: 'schedule.cron',
        message:
          'cron shorthand must be one of @yearly, @annually, @monthly, @weekly, @daily, @hourly (got "@every 5m")',
      },
    ],
    [
      'unknown time zone',
      { schedule: { cron: '@daily', timezone: 'Mars/Base' } },
      {
        field: 'schedule.timezone',
        message: 'timezone must be an IANA time zone name such as Europe/Paris or UTC (got "Mars/Base")',
      },
    ],
    [
      'time zone offset',
      { schedule: { cron: '@daily', timezone: '+01:00' } },
      {
        field: 'schedule.timezone',
        message: 'timezone must be an IANA time zone name such as Europe/Paris or UTC (got "+01:00")',
      },
    ],
    [
      'webhook URL that is not http',
      { webhook: { url: 'ftp://hooks.example.com', secret: 'webhook-secret-0123456789' } },
      {
        field: 'webhook.url',
        message:
          'url must be an http:// or https:// URL such as https://hooks.example.com/profile-jobs (got "ftp://hooks.example.com")',
      },
    ],
    [
      'webhook URL of the metadata service',
      { webhook: { url: 'http://169.254.169.254/latest/meta-data/', secret: 'webhook-secret-0123456789' } },
      {
        field: 'webhook.url',
        message:
          'webhook address 169.254.169.254 is the cloud metadata service, which is not allowed (got "http://169.254.169.254/latest/meta-data/")',
      },
    ],
    [
      'short webhook secret',
      { webhook: { url: 'https://hooks.example.com', secret: 'short' } },
      {
        field: 'webhook.secret',
        message:
          'secret must be at least 16 characters, so that signatures cannot be guessed (got a hidden value)',
      },
    ],
    [
      'masked marker as a secret',
      { webhook: { url: 'https://hooks.example.com', secret: '********' } },
      {
        field: 'webhook.secret',
        message:
          'secret must be at least 16 characters, so that signatures cannot be guessed (got a hidden value)',
      },
    ],
    [
      'encryption iterations of zero',
      { encryption: { password: 'file-password', pbkdf2_iterations: 0 } },
      {
        field: 'encryption.pbkdf2_iterations',
        message: 'pbkdf2_iterations must be an integer of at least 1, such as 10000 (got 0)',
      },
    ],
  ];

  test.each(cases)('%s is named with its value and rule', async (_name, fields, expected) => {
    expect(await rejectedDetails(fields)).toEqual([expected]);
  });

  test('masked marker as a password is rejected', async () => {
    const details = await rejectedDetails({ encryption: { password: '********' } });

    expect(details).toEqual([
      {
        field: 'encryption.password',
        message:
          '"********" is the marker the API shows in place of a secret, and there is no stored secret to keep; send the secret itself',
      },
    ]);
  });

  test('every bad field is listed at once', async () => {
    const details = await rejectedDetails({ match_by: 'x', file_format: { quote: 'ab' }, colour: 'blue' });

    expect(details.map((detail) => detail.field).sort()).toEqual(['colour', 'file_format.quote', 'match_by']);
  });
});

describe('definition listing', () => {
  test('pages through definitions oldest first', async () => {
    const listed = await startJobEnvironment();
    try {
      const names = ['first', 'second', 'third'];
      for (const name of names) {
        await expectAnswer(
          listed,
          'POST',
          '/definitions',
          { name, for_deletion: true, enabled: name !== 'second', source: localSource },
          201,
        );
      }

      const firstPage = await expectAnswer<{ definitions: DefinitionView[]; total: number; page: number }>(
        listed,
        'GET',
        '/definitions?page=1&page_size=2',
        undefined,
        200,
      );
      const secondPage = await expectAnswer<{ definitions: DefinitionView[]; total: number }>(
        listed,
        'GET',
        '/definitions?page=2&page_size=2',
        undefined,
        200,
      );
      const enabledOnly = await expectAnswer<{ definitions: DefinitionView[]; total: number }>(
        listed,
        'GET',
        '/definitions?enabled=true',
        undefined,
        200,
      );

      expect(firstPage.total).toBe(3);
      expect(firstPage.definitions.map((definition) => definition.name)).toEqual(['first', 'second']);
      expect(secondPage.definitions.map((definition) => definition.name)).toEqual(['third']);
      expect(enabledOnly.total).toBe(2);
      expect(enabledOnly.definitions.map((definition) => definition.name)).toEqual(['first', 'third']);
    } finally {
      await listed.close();
    }
  });

  test('page size above 1000 is rejected', async () => {
    const error = await expectError(environment, 'GET', '/definitions?page_size=5000', undefined, 400);

    expect(error.details).toEqual([
      { field: 'page_size', message: 'Too big: expected number to be <=1000 (got "5000")' },
    ]);
  });
});

describe('definition editing', () => {
  test('changes only the fields it names', async () => {
    const created = await create({
      name: 'before',
      description: 'kept',
      file_format: { format: 'csv', delimiter: ',' },
    });

    const edited = await expectAnswer<DefinitionView>(
      environment,
      'PATCH',
      `/definitions/${created.id}`,
      { name: 'after', file_format: { quote: "'" } },
      200,
    );

    expect(edited).toEqual({
      ...created,
      name: 'after',
      file_format: { format: 'csv', encoding: 'utf-8', delimiter: ',', quote: "'", escape: '\\' },
      updated_at: expect.any(String),
    });
    expect(Date.parse(edited.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.updated_at));
  });

  test('null removes an optional field', async () => {
    const created = await create({
      default_phone_region: 'DE',
      schedule: { cron: '@daily', timezone: 'UTC' },
      webhook: { url: 'https://hooks.example.com', secret: 'webhook-secret-0123456789' },
    });

    const edited = await expectAnswer<DefinitionView>(
      environment,
      'PATCH',
      `/definitions/${created.id}`,
      { default_phone_region: null, schedule: null, webhook: null },
      200,
    );

    expect(edited.default_phone_region).toBeUndefined();
    expect(edited.schedule).toBeUndefined();
    expect(edited.webhook).toBeUndefined();
    const stored = await environment.store.definitions.findOne({ _id: created.id });
    expect(stored).not.toHaveProperty('webhook');
    expect(stored).not.toHaveProperty('schedule');
  });

  test('an invalid result names the field', async () => {
    const created = await create({});

    const error = await expectError(
      environment,
      'PATCH',
      `/definitions/${created.id}`,
      { file_format: { delimiter: 'ab' } },
      400,
    );

    expect(error.details).toEqual([
      { field: 'file_format.delimiter', message: 'delimiter must be exactly one character (got "ab")' },
    ]);
  });

  test('unknown fields and for_deletion false are rejected', async () => {
    const created = await create({});

    const unknown = await expectError(
      environment,
      'PATCH',
      `/definitions/${created.id}`,
      { colour: 'red' },
      400,
    );
    const importMode = await expectError(
      environment,
      'PATCH',
      `/definitions/${created.id}`,
      { for_deletion: false },
      400,
    );

    expect(unknown.details).toEqual([
      { field: 'colour', message: 'unknown field "colour"; remove it or check its spelling' },
    ]);
    expect(importMode.details?.[0]?.field).toBe('for_deletion');
    expect(importMode.details?.[0]?.message).toContain('import runs are not built yet');
  });

  test('a source of another protocol replaces the old one', async () => {
    const created = await create({});

    const edited = await expectAnswer<DefinitionView>(
      environment,
      'PATCH',
      `/definitions/${created.id}`,
      {
        source: {
          protocol: 's3',
          bucket: 'exports',
          region: 'eu-west-3',
          access_key_id: 'AKIAEXAMPLE',
          secret_access_key: 's3-secret-value',
          path: 'profiles.csv',
        },
      },
      200,
    );

    expect(edited.source).toEqual({
      protocol: 's3',
      bucket: 'exports',
      region: 'eu-west-3',
      access_key_id: 'AKIAEXAMPLE',
      secret_access_key: '********',
      path: 'profiles.csv',
    });
  });

  test('unknown definition gets 404', async () => {
    const error = await expectError(environment, 'PATCH', '/definitions/missing', { name: 'x' }, 404);

    expect(error).toEqual({
      code: 'definition_not_found',
      message: 'Definition missing not found; list definitions to find its id',
    });
  });
});

describe('definition enabling and deletion', () => {
  test('disable and enable switch enabled', async () => {
    const created = await create({});

    const disabled = await expectAnswer<DefinitionView>(
      environment,
      'POST',
      `/definitions/${created.id}/disable`,
      undefined,
      200,
    );
    const refused = await expectError(environment, 'POST', `/definitions/${created.id}/run`, {}, 409);
    const enabled = await expectAnswer<DefinitionView>(
      environment,
      'POST',
      `/definitions/${created.id}/enable`,
      undefined,
      200,
    );

    expect(disabled.enabled).toBe(false);
    expect(refused).toEqual({
      code: 'definition_disabled',
      message: `Definition ${created.id} is disabled; enable it to run it`,
    });
    expect(enabled.enabled).toBe(true);
  });

  test('delete removes the definition', async () => {
    const created = await create({});

    await expectAnswer(environment, 'DELETE', `/definitions/${created.id}`, undefined, 204);
    const error = await expectError(environment, 'GET', `/definitions/${created.id}`, undefined, 404);

    expect(error.code).toBe('definition_not_found');
    expect(await environment.store.definitions.countDocuments({ _id: created.id })).toBe(0);
  });
});
