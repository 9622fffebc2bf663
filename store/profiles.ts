import type { Store } from './connect-store.js';
import type { IdentifierField } from '../core/identifiers.js';

/** A stored profile. Its own id is `_id`; identifiers are stored normalised. */
export interface ProfileDocument {
  _id: string;
  external_id?: string;
  custom_identifier?: string;
  email?: string;
  phone_number?: string;
  [field: string]: unknown;
}

/** Identifier fields with a unique sparse index; `id` is the document's `_id`. */
export const identifierIndexFields = ['external_id', 'custom_identifier', 'email', 'phone_number'] as const;

/**
 * Returns the ids of the profiles whose `field` equals `value`: none, one, or two when the store
 * is inconsistent. One indexed equality query.
 */
export async function findProfileIdsByIdentifier(
  store: Store,
  field: IdentifierField,
  value: string,
): Promise<string[]> {
  const storedField = field === 'id' ? '_id' : field;
  const found = await store.profiles
    .find({ [storedField]: value }, { projection: { _id: 1 }, limit: 2 })
    .toArray();
  return found.map((profile) => profile._id);
}

/** Deletes one profile by id; returns whether this call removed it. */
export async function deleteProfileById(store: Store, profileId: string): Promise<boolean> {
  const result = await store.profiles.deleteOne({ _id: profileId });
  return result.deletedCount === 1;
}

/** Inserts profiles in batches of 1,000; used to seed stores for demos, tests and benchmarks. */
export async function insertProfiles(store: Store, profiles: ProfileDocument[]): Promise<void> {
  const batchSize = 1_000;
  for (let start = 0; start < profiles.length; start += batchSize) {
    await store.profiles.insertMany(profiles.slice(start, start + batchSize), { ordered: false });
  }
}

export async function profileExists(store: Store, profileId: string): Promise<boolean> {
  const found = await store.profiles.findOne({ _id: profileId }, { projection: { _id: 1 } });
  return found !== null;
}
