import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../../api/create-app.js';
import { readSettings } from '../../core/settings.js';
import { findDefinition } from '../../store/definitions.js';
import {
  createSecretKeyring,
  sealSecret,
  SecretUnsealError,
  unsealSecret,
} from '../../store/secret-sealing.js';
import { unsealDefinitionSecrets } from '../../store/secret-sealing-definitions.js';
import { startJobEnvironment } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';
import { requestAs } from './api-requests.js';

const oldKey = randomBytes(32).toString('base64');
const newKey = randomBytes(32).toString('base64');

describe('secret keyring', () => {
  test('seals with the current key and unseals with an earlier one', () => {
    const before = createSecretKeyring({ currentKey: oldKey });
    const after = createSecretKeyring({ currentKey: newKey, previousKeys: [oldKey] });

    const sealed = sealSecret(before, 'p4ssw0rd', 'definition-1/source.password');

    expect(sealed.key_id).toBe(before.current.id);
    expect(after.current.id).not.toBe(before.current.id);
    expect(unsealSecret(after, sealed, 'definition-1/source.password')).toBe('p4ssw0rd');
    expect(sealSecret(after, 'p4ssw0rd', 'x').key_id).toBe(after.current.id);
  });

  test('a secret whose key is gone cannot be unsealed', () => {
    const sealed = sealSecret(
      createSecretKeyring({ currentKey: oldKey }),
      'p4ssw0rd',
      'definition-1/source.password',
    );
    const withoutOldKey = createSecretKeyring({ currentKey: newKey });

    expect(() => unsealSecret(withoutOldKey, sealed, 'definition-1/source.password')).toThrow(
      new SecretUnsealError(
        `The secret definition-1/source.password was sealed with key ${sealed.key_id}, which is not configured; list that key in PROFILE_JOBS_SECRET_KEYS or set the secret again`,
        sealed.key_id,
      ),
    );
  });

  test('a secret moved to another field or altered cannot be unsealed', () => {
    const keyring = createSecretKeyring({ currentKey: oldKey });
    const sealed = sealSecret(keyring, 'p4ssw0rd', 'definition-1/source.password');
    const altered = { ...sealed, data: Buffer.from('x'.repeat(8)).toString('base64') };

    expect(() => unsealSecret(keyring, sealed, 'definition-2/source.password')).toThrow(SecretUnsealError);
    expect(() => unsealSecret(keyring, altered, 'definition-1/source.password')).toThrow(SecretUnsealError);
  });

  test('a key of the wrong length is rejected without showing it', () => {
    const shortKey = randomBytes(16).toString('base64');

    expect(() => createSecretKeyring({ currentKey: shortKey })).toThrow(
      'the current secret key must be 32 random bytes in base64 (44 characters); got 16 bytes',
    );
    expect(() => readSettings({ PROFILE_JOBS_SECRET_KEY: shortKey })).toThrow(
      'Invalid settings in the environment: PROFILE_JOBS_SECRET_KEY=(hidden): must be 32 random bytes in base64, made for example by `openssl rand -base64 32`',
    );
  });

  test('settings read the current and earlier keys', () => {
    const settings = readSettings({
      PROFILE_JOBS_SECRET_KEY: newKey,
      PROFILE_JOBS_SECRET_KEYS: ` ${oldKey} `,
    });

    expect(settings.secretKey).toBe(newKey);
    expect(settings.previousSecretKeys).toEqual([oldKey]);
    expect(settings.importJobsEnabled).toBe(true);
    expect(readSettings({ PROFILE_JOBS_IMPORT_JOBS_ENABLED: 'false' }).importJobsEnabled).toBe(false);
  });
});

describe('key rotation through the API', () => {
  let environment: JobTestEnvironment;

  beforeAll(async () => {
    environment = await startJobEnvironment({ secretKey: oldKey });
  });

  afterAll(async () => {
    await environment?.close();
  });

  test('an edit seals kept secrets again with the new key', async () => {
    const created = await environment.request('POST', '/definitions', {
      name: 'rotated',
      for_deletion: true,
      source: { protocol: 'local', path: 'a.csv' },
      webhook: { url: 'https://hooks.example.com', secret: 'webhook-secret-before-rotation' },
    });
    const { id } = (await created.json()) as { id: string };
    const rotated = createApp({
      store: environment.store,
      temporal: environment.temporal,
      settings: { ...environment.settings, secretKey: newKey, previousSecretKeys: [oldKey] },
      clock: () => new Date(),
    });

    const edited = await requestAs(
      { app: rotated },
      environment.settings.apiKey,
      'PATCH',
      `/definitions/${id}`,
      {
        webhook: { url: 'https://hooks.example.com/v2', secret: '********' },
      },
    );

    expect(edited.status).toBe(200);
    const stored = await findDefinition(environment.store, id);
    const newKeyring = createSecretKeyring({ currentKey: newKey });
    expect(stored?.webhook?.secret.key_id).toBe(newKeyring.current.id);
    expect(stored === null ? null : unsealDefinitionSecrets(stored, newKeyring).webhook).toEqual({
      url: 'https://hooks.example.com/v2',
      secret: 'webhook-secret-before-rotation',
    });
  });

  test('a masked secret with nothing stored is rejected', async () => {
    const created = await environment.request('POST', '/definitions', {
      name: 'no webhook yet',
      for_deletion: true,
      source: { protocol: 'local', path: 'a.csv' },
    });
    const { id } = (await created.json()) as { id: string };

    const edited = await environment.request('PATCH', `/definitions/${id}`, {
      webhook: { url: 'https://hooks.example.com', secret: '********' },
    });

    expect(edited.status).toBe(400);
    expect(((await edited.json()) as { error: { details: unknown } }).error.details).toEqual([
      {
        field: 'webhook.secret',
        message:
          'secret must be at least 16 characters, so that signatures cannot be guessed (got a hidden value)',
      },
    ]);
  });
});
