import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { closeStore, connectStore, createIndexes } from '../../store/connect-store.js';
import type { Store } from '../../store/connect-store.js';
import { chunkId, findJobChunk, saveJobChunks } from '../../store/job-chunks.js';
import type { JobChunkDocument } from '../../store/job-chunks.js';
import { uniqueDatabaseUrl } from '../support/test-services.js';

let store: Store;

beforeAll(async () => {
  store = await connectStore({ url: uniqueDatabaseUrl(inject('mongoUrl')) });
  await createIndexes(store);
});

afterAll(async () => {
  await store?.db.dropDatabase();
  await closeStore(store);
});

function plannedChunks(jobId: string, count: number, recordCount: number): JobChunkDocument[] {
  return Array.from({ length: count }, (_, index) => ({
    _id: chunkId(jobId, index),
    job_id: jobId,
    index,
    start_offset: index * 1_000,
    end_offset: (index + 1) * 1_000,
    start_line: index * recordCount + 2,
    record_count: recordCount,
    skip_lines: index === 3 ? [index * recordCount + 5] : [],
  }));
}

test('saving 200 chunks twice replaces them', async () => {
  await saveJobChunks(store, plannedChunks('job-a', 200, 5_000));

  // A retried plan saves the chunks again, here with other contents, and the store still responds.
  await saveJobChunks(store, plannedChunks('job-a', 200, 4_000));

  expect(await store.jobChunks.countDocuments({ job_id: 'job-a' })).toBe(200);
  expect(await findJobChunk(store, 'job-a', 0)).toMatchObject({ record_count: 4_000, start_line: 2 });
  expect(await findJobChunk(store, 'job-a', 3)).toMatchObject({
    record_count: 4_000,
    start_line: 12_002,
    skip_lines: [12_005],
  });
  expect(await findJobChunk(store, 'job-a', 199)).toMatchObject({ record_count: 4_000 });
}, 60_000);

test('second save adds chunks it lacked', async () => {
  await saveJobChunks(store, plannedChunks('job-b', 2, 10));

  await saveJobChunks(store, plannedChunks('job-b', 3, 7));

  expect(await store.jobChunks.countDocuments({ job_id: 'job-b' })).toBe(3);
  expect(await findJobChunk(store, 'job-b', 1)).toMatchObject({ record_count: 7 });
  expect(await findJobChunk(store, 'job-b', 2)).toMatchObject({ record_count: 7, start_line: 16 });
});
