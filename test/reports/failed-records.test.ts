import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { insertJob } from '../../store/jobs.js';
import { insertProfiles } from '../../store/profiles.js';
import { fixtureCsv, fixtureJson } from '../support/deletion-fixture.js';
import { createDefinition, resetProfiles, runToEnd, writeImportFile } from '../support/job-steps.js';
import { startJobEnvironment } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';
import { jobDocument } from './report-support.js';

let environment: JobTestEnvironment;

beforeAll(async () => {
  environment = await startJobEnvironment();
});

afterAll(async () => {
  await environment?.close();
});

async function downloadFailedRecords(
  jobId: string,
): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const response = await environment.request('GET', `/jobs/${jobId}/failed-records`);
  return {
    status: response.status,
    headers: response.headers,
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

/** Records 910–999 of the fixture fail (lines 912–1001 of the CSV file). */
const failedRecordIndexes = Array.from({ length: 90 }, (_, index) => 910 + index);

describe('failed-records file of the 1,000-line CSV fixture', () => {
  let jobId: string;

  beforeAll(async () => {
    await resetProfiles(environment);
    const path = await writeImportFile(environment, 'fixture.csv', fixtureCsv());
    const definitionId = await createDefinition(environment, { source: { protocol: 'local', path } });
    jobId = (await runToEnd(environment, definitionId)).id;
  });

  test('holds the header and each failed line byte for byte', async () => {
    const lines = fixtureCsv().split('\n');
    const expected = [lines[0], ...failedRecordIndexes.map((record) => lines[record + 1])].join('\n') + '\n';

    const download = await downloadFailedRecords(jobId);

    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="job-${jobId}-failed-records.csv"`,
    );
    expect(download.bytes.toString('utf8')).toBe(expected);
    expect(download.bytes.equals(Buffer.from(expected, 'utf8'))).toBe(true);
  });

  test('runs again after correction and succeeds', async () => {
    const failedFile = (await downloadFailedRecords(jobId)).bytes.toString('utf8');
    const { profiles } = environment.store;

    // Store corrections: the unknown emails get profiles, the duplicates name profiles deleted by the
    // first run (made again), and each conflicting external id moves to the profile of the email.
    await insertProfiles(environment.store, [
      ...Array.from({ length: 40 }, (_, index) => ({
        _id: `n-${index}`,
        email: `nobody${910 + index}@example.com`,
      })),
      ...Array.from({ length: 20 }, (_, index) => ({
        _id: `again-${index}`,
        email: `person${index}@example.com`,
      })),
    ]);
    for (let record = 970; record < 980; record += 1) {
      await profiles.updateOne({ _id: `p-${record + 80}` }, { $unset: { external_id: '' } });
      await profiles.updateOne({ _id: `p-${record + 30}` }, { $set: { external_id: `ext-${record + 80}` } });
    }
    // File corrections: invalid or missing identifiers become those of profiles p-1150 to p-1169.
    const corrected = failedFile
      .split('\n')
      .map((line, index) => {
        const record = 909 + index;
        if (record >= 980 && record < 995) {
          return `person${record + 170}@example.com;;;;`;
        }
        if (record >= 995 && record < 1000) {
          return `;;+3361000${record + 170};;`;
        }
        return line;
      })
      .join('\n');

    const path = await writeImportFile(environment, 'fixture-corrected.csv', corrected);
    const definitionId = await createDefinition(environment, { source: { protocol: 'local', path } });
    const report = await runToEnd(environment, definitionId);

    expect(report.status).toBe('SUCCESS');
    expect(report.total).toBe(90);
    expect(report.succeeded).toBe(90);
    expect(report.failed).toBe(0);
    const empty = await downloadFailedRecords(report.id);
    expect(empty.bytes.toString('utf8')).toBe(`${fixtureCsv().split('\n')[0]}\n`);
  });
});

describe('failed-records file of other files', () => {
  test('keeps multi-line JSON objects whole', async () => {
    await resetProfiles(environment);
    const path = await writeImportFile(environment, 'fixture.json', fixtureJson());
    const definitionId = await createDefinition(environment, {
      source: { protocol: 'local', path },
      file_format: { format: 'json' },
    });

    const report = await runToEnd(environment, definitionId);
    const download = await downloadFailedRecords(report.id);

    const objects = fixtureJson().split(/\n(?=\{)/);
    const expected = failedRecordIndexes.map((record) => objects[record]).join('\n');
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(download.bytes.toString('utf8')).toBe(expected);
  });

  test('keeps the byte-order mark and encoding of a UTF-16 file', async () => {
    await resetProfiles(environment);
    const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const content =
      'email;given_name\nperson1@example.com;Zoë\nnobody@example.com;Zoë\nperson2@example.com;Zoë\n';
    const path = await writeImportFile(environment, 'utf16.csv', utf16(content));
    const definitionId = await createDefinition(environment, {
      source: { protocol: 'local', path },
      file_format: { encoding: 'utf-16' },
    });

    const report = await runToEnd(environment, definitionId);
    const download = await downloadFailedRecords(report.id);

    expect(report.failed).toBe(1);
    expect(download.headers.get('content-type')).toBe('text/csv; charset=utf-16le');
    expect(download.bytes.equals(utf16('email;given_name\nnobody@example.com;Zoë\n'))).toBe(true);
  });

  test('answers 409 while the job runs', async () => {
    const jobId = randomUUID();
    await insertJob(environment.store, jobDocument({ _id: jobId, definition_id: 'definition-1' }));

    const response = await environment.request('GET', `/jobs/${jobId}/failed-records`);

    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('job_running');
  });

  test('answers 410 when the job ended before reading its file', async () => {
    const definitionId = await createDefinition(environment, {
      source: { protocol: 'local', path: 'missing.csv' },
    });
    const report = await runToEnd(environment, definitionId);

    const response = await environment.request('GET', `/jobs/${report.id}/failed-records`);

    expect(response.status).toBe(410);
    expect(await response.json()).toEqual({
      error: {
        code: 'failed_records_unavailable',
        message: 'The job ended before its file was read, so no record of it was processed',
      },
    });
  });

  test('answers 410 when the file changed before the run ended', async () => {
    const jobId = randomUUID();
    await insertJob(
      environment.store,
      jobDocument({
        _id: jobId,
        definition_id: 'definition-1',
        status: 'SUCCESS',
        failed_records: { state: 'unavailable', reason: 'The file changed' },
      }),
    );

    const response = await environment.request('GET', `/jobs/${jobId}/failed-records`);

    expect(response.status).toBe(410);
  });
});
