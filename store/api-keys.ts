import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { Store } from './connect-store.js';

/**
 * Roles an API key carries. `administrator`, `manager` and `developer` manage definitions and control
 * jobs; only `administrator` manages API keys; `viewer` reads job reports and logs.
 */
export const apiKeyRoles = ['administrator', 'manager', 'developer', 'viewer'] as const;
export type ApiKeyRole = (typeof apiKeyRoles)[number];

/**
 * A stored API key. The key itself is never stored: only its SHA-256 digest, which is enough because
 * keys are 32 random bytes, so no dictionary or brute-force search can find one from its digest.
 */
export interface ApiKeyDocument {
  /** The key id, which is also the part of the key after `pj_`; lookups are an equality on `_id`. */
  _id: string;
  name: string;
  role: ApiKeyRole;
  /** Hex SHA-256 digest of the whole key. */
  key_hash: string;
  created_at: Date;
  revoked_at: Date | null;
}

/** Shape of a key: `pj_`, a 16-hex-digit key id, `_`, and 32 random bytes in base64url. */
const apiKeyPattern = /^pj_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

function apiKeys(store: Store): Collection<ApiKeyDocument> {
  return store.db.collection<ApiKeyDocument>('api_keys');
}

/** Creates an API key and returns it with its stored record. The key is shown to the caller once. */
export async function createApiKey(
  store: Store,
  fields: { name: string; role: ApiKeyRole },
  now: Date,
): Promise<{ key: string; document: ApiKeyDocument }> {
  const id = randomBytes(8).toString('hex');
  const key = `pj_${id}_${randomBytes(32).toString('base64url')}`;

  const document: ApiKeyDocument = {
    _id: id,
    name: fields.name,
    role: fields.role,
    key_hash: hashApiKey(key),
    created_at: now,
    revoked_at: null,
  };
  await apiKeys(store).insertOne(document);
  return { key, document };
}

/**
 * Finds the stored key that `presented` is, by its id and then its digest compared in constant time.
 * @returns the key's record, or null when the text is not a stored key or the key was revoked.
 */
export async function findApiKeyByKey(store: Store, presented: string): Promise<ApiKeyDocument | null> {
  const id = apiKeyPattern.exec(presented)?.[1];
  if (id === undefined) {
    return null;
  }

  const document = await apiKeys(store).findOne({ _id: id });
  if (document === null || document.revoked_at !== null) {
    return null;
  }
  const matches = timingSafeEqual(
    Buffer.from(hashApiKey(presented), 'hex'),
    Buffer.from(document.key_hash, 'hex'),
  );
  return matches ? document : null;
}

export async function findApiKey(store: Store, id: string): Promise<ApiKeyDocument | null> {
  return apiKeys(store).findOne({ _id: id });
}

/** Lists keys, newest first, revoked ones included. */
export async function listApiKeys(
  store: Store,
  options: { offset: number; limit: number },
): Promise<{ keys: ApiKeyDocument[]; total: number }> {
  const [keys, total] = await Promise.all([
    apiKeys(store)
      .find({})
      .sort({ created_at: -1, _id: 1 })
      .skip(options.offset)
      .limit(options.limit)
      .toArray(),
    apiKeys(store).countDocuments({}),
  ]);
  return { keys, total };
}

/**
 * Revokes a key, so that it authenticates no further request. Revoking it again keeps the first
 * revocation time.
 * @returns the key's record after the change, or null when no such key exists.
 */
export async function revokeApiKey(store: Store, id: string, now: Date): Promise<ApiKeyDocument | null> {
  await apiKeys(store).updateOne({ _id: id, revoked_at: null }, { $set: { revoked_at: now } });
  return findApiKey(store, id);
}

/** Hex SHA-256 digest of a key. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
