import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appendJobLogs } from '../../store/job-logs.js';
import { insertJob } from '../../store/jobs.js';
import { startJobEnvironment } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';
import { jobDocument } from './report-support.js';

let environment: JobTestEnvironment;
const jobId = randomUUID();
const at = (second: number) => new Date(Date.UTC(2026, 0, 15, 9, 30, second));

beforeAll(async () => {
  environment = await startJobEnvironment({}, { inProcessWorker: false });
  await insertJob(
    environment.store,
    jobDocument({ _id: jobId, definition_id: 'definition-1', status: 'SUCCESS' }),
  );
  const { store } = environment;
  await appendJobLogs(
    store,
    jobId,
    [{ key: 'start', level: 'LOG', content: 'Delete profiles from file local file x.csv' }],
    at(0),
  );
  await appendJobLogs(
    store,
    jobId,
    [
      {
        key: 'line:3',
        level: 'WARNING',
        content: 'Line 3: no matching profile for email n***@example.com.',
        line: 3,
      },
      { key: 'line:2', level: 'WARNING', content: 'Line 2: invalid email "a,b"; skipped.', line: 2 },
    ],
    at(1),
  );
  await appendJobLogs(
    store,
    jobId,
    [{ key: 'error', level: 'ERROR', content: 'Source said "no",\nthen closed' }],
    at(2),
  );
  await appendJobLogs(
    store,
    jobId,
    [{ key: 'end', level: 'LOG', content: 'Deleted 1 profiles, 2 failed' }],
    at(3),
  );
});

afterAll(async () => {
  await environment?.close();
});

async function download(
  query: string,
): Promise<{ status: number; type: string | null; disposition: string | null; text: string }> {
  const response = await environment.request('GET', `/jobs/${jobId}/logs/download?${query}`);
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    disposition: response.headers.get('content-disposition'),
    text: await response.text(),
  };
}

describe('log download', () => {
  test('full log as JSON lines', async () => {
    const result = await download('format=jsonl');

    expect(result.status).toBe(200);
    expect(result.type).toBe('application/x-ndjson; charset=utf-8');
    expect(result.disposition).toBe(`attachment; filename="job-${jobId}-logs.jsonl"`);
    expect(result.text).toBe(
      [
        '{"date":"2026-01-15T09:30:00.000Z","level":"LOG","line":null,"content":"Delete profiles from file local file x.csv"}',
        '{"date":"2026-01-15T09:30:01.000Z","level":"WARNING","line":2,"content":"Line 2: invalid email \\"a,b\\"; skipped."}',
        '{"date":"2026-01-15T09:30:01.000Z","level":"WARNING","line":3,"content":"Line 3: no matching profile for email n***@example.com."}',
        '{"date":"2026-01-15T09:30:02.000Z","level":"ERROR","line":null,"content":"Source said \\"no\\",\\nthen closed"}',
        '{"date":"2026-01-15T09:30:03.000Z","level":"LOG","line":null,"content":"Deleted 1 profiles, 2 failed"}',
        '',
      ].join('\n'),
    );
  });

  test('errors only as CSV', async () => {
    const result = await download('format=csv&errors_only=true');

    expect(result.status).toBe(200);
    expect(result.type).toBe('text/csv; charset=utf-8');
    expect(result.disposition).toBe(`attachment; filename="job-${jobId}-logs-errors.csv"`);
    expect(result.text).toBe(
      'date,level,line,content\r\n' +
        '2026-01-15T09:30:01.000Z,WARNING,2,"Line 2: invalid email ""a,b""; skipped."\r\n' +
        '2026-01-15T09:30:01.000Z,WARNING,3,Line 3: no matching profile for email n***@example.com.\r\n' +
        '2026-01-15T09:30:02.000Z,ERROR,,"Source said ""no"",\nthen closed"\r\n',
    );
  });

  test('full log as CSV', async () => {
    const result = await download('format=csv&errors_only=false');

    expect(result.text.split('\r\n')).toEqual([
      'date,level,line,content',
      '2026-01-15T09:30:00.000Z,LOG,,Delete profiles from file local file x.csv',
      '2026-01-15T09:30:01.000Z,WARNING,2,"Line 2: invalid email ""a,b""; skipped."',
      '2026-01-15T09:30:01.000Z,WARNING,3,Line 3: no matching profile for email n***@example.com.',
      '2026-01-15T09:30:02.000Z,ERROR,,"Source said ""no"",\nthen closed"',
      '2026-01-15T09:30:03.000Z,LOG,,"Deleted 1 profiles, 2 failed"',
      '',
    ]);
  });

  test('errors only as JSON lines', async () => {
    const result = await download('errors_only=true');

    const entries = result.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: string; line: number | null });
    expect(entries.map((entry) => [entry.level, entry.line])).toEqual([
      ['WARNING', 2],
      ['WARNING', 3],
      ['ERROR', null],
    ]);
  });

  test('streams a log longer than one store batch in order', async () => {
    const longJobId = randomUUID();
    await insertJob(
      environment.store,
      jobDocument({ _id: longJobId, definition_id: 'definition-1', status: 'SUCCESS' }),
    );
    const entries = Array.from({ length: 2_500 }, (_, index) => ({
      key: `line:${index + 2}`,
      level: 'WARNING' as const,
      content: `Line ${index + 2}: no matching profile.`,
      line: index + 2,
    }));
    await appendJobLogs(environment.store, longJobId, entries, at(5));

    const response = await environment.request('GET', `/jobs/${longJobId}/logs/download?format=jsonl`);
    const lines = (await response.text()).trimEnd().split('\n');

    expect(lines).toHaveLength(2_500);
    expect(lines.map((line) => (JSON.parse(line) as { line: number }).line)).toEqual(
      entries.map((entry) => entry.line),
    );
  });

  test('answers 404 for an unknown job', async () => {
    const response = await environment.request('GET', '/jobs/no-such-job/logs/download');
    expect(response.status).toBe(404);
  });
});
