import { MongoClient } from 'mongodb';
import type { Collection, Db } from 'mongodb';
import type { ProfileDocument } from './profiles.js';
import type { DefinitionDocument } from './definitions.js';
import type { JobDocument } from './jobs.js';
import type { JobLogDocument } from './job-logs.js';
import type { JobChunkDocument } from './job-chunks.js';
import type { JobBatchDocument } from './job-batches.js';
import { identifierIndexFields } from './profiles.js';
import { failedRecordsParts } from './failed-records.js';

/** The collections of one Profile Jobs database. */
export interface Store {
  client: MongoClient;
  db: Db;
  profiles: Collection<ProfileDocument>;
  definitions: Collection<DefinitionDocument>;
  jobs: Collection<JobDocument>;
  jobLogs: Collection<JobLogDocument>;
  jobChunks: Collection<JobChunkDocument>;
  jobBatches: Collection<JobBatchDocument>;
}

export interface ConnectStoreOptions {
  /** MongoDB connection string; its path names the database. */
  url: string;
  /** Connections the driver may open; one per store operation kept in flight. Default 64. */
  maxPoolSize?: number;
}

/**
 * Connects to MongoDB (or FerretDB) and creates the collections' indexes, so every query on a hot
 * path is an equality on `_id` or on one indexed top-level field.
 */
export async function connectStore(options: ConnectStoreOptions): Promise<Store> {
  const client = new MongoClient(options.url, { maxPoolSize: options.maxPoolSize ?? 64 });
  await client.connect();

  const db = client.db();
  const store: Store = {
    client,
    db,
    profiles: db.collection('profiles'),
    definitions: db.collection('definitions'),
    jobs: db.collection('jobs'),
    jobLogs: db.collection('job_logs'),
    jobChunks: db.collection('job_chunks'),
    jobBatches: db.collection('job_batches'),
  };

  await createIndexes(store);
  return store;
}

/** Creates the indexes of every collection; creating an index that exists changes nothing. */
export async function createIndexes(store: Store): Promise<void> {
  // Each identifier is unique across profiles when present. `sparse` lets profiles without it coexist.
  for (const field of identifierIndexFields) {
    await store.profiles.createIndex({ [field]: 1 }, { unique: true, sparse: true, name: `${field}_unique` });
  }

  await store.jobs.createIndex({ definition_id: 1 }, { name: 'definition_id' });
  await store.jobLogs.createIndex({ job_id: 1 }, { name: 'job_id' });
  await store.jobChunks.createIndex({ job_id: 1 }, { name: 'job_id' });
  await store.jobBatches.createIndex({ job_id: 1 }, { name: 'job_id' });
  await failedRecordsParts(store).createIndex({ job_id: 1 }, { name: 'job_id' });
}

export async function closeStore(store: Store): Promise<void> {
  await store.client.close();
}
