import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  expectedDeletedIds,
  expectedFailed,
  expectedSucceeded,
  fixtureCsv,
  fixtureJson,
  fixtureProfileCount,
  fixtureRecordCount,
} from '../support/deletion-fixture.js';
import {
  createDefinition,
  readAllLogs,
  resetProfiles,
  runToEnd,
  writeImportFile,
} from '../support/job-steps.js';
import { startJobEnvironment } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';

let environment: JobTestEnvironment;

beforeAll(async () => {
  environment = await startJobEnvironment();
});

afterAll(async () => {
  await environment?.close();
});

async function remainingProfileIds(): Promise<Set<string>> {
  const remaining = await environment.store.profiles.find({}, { projection: { _id: 1 } }).toArray();
  return new Set(remaining.map((profile) => profile._id));
}

describe('deletion job from a 1,000-line CSV file', () => {
  let report: Awaited<ReturnType<typeof runToEnd>>;
  let jobId: string;

  beforeAll(async () => {
    await resetProfiles(environment);
    const path = await writeImportFile(environment, 'fixture.csv', fixtureCsv());
    const definitionId = await createDefinition(environment, { source: { protocol: 'local', path } });
    report = await runToEnd(environment, definitionId);
    jobId = report.id;
  });

  test('ends SUCCESS with exact counts', () => {
    expect(report.status).toBe('SUCCESS');
    expect(report.total).toBe(fixtureRecordCount);
    expect(report.succeeded).toBe(expectedSucceeded);
    expect(report.failed).toBe(expectedFailed);
    expect(report.estimated).toBe(false);
    expect(report.progress).toEqual({ processed: 1000, total: 1000, percent: 100 });
    expect(report.job_type).toBe('DELETION');
    expect(report.trigger).toBe('manual');
  });

  test('stores the time the plan spent scanning', async () => {
    const job = await environment.store.jobs.findOne({ _id: jobId });
    const reportSeconds =
      (Date.parse(String(report.ended_at)) - Date.parse(String(report.started_at))) / 1000;

    expect(job?.plan?.scan_seconds).toBeGreaterThan(0);
    expect(job?.plan?.scan_seconds).toBeLessThan(reportSeconds);
  });

  test('deletes every named profile and nothing else', async () => {
    const remaining = await remainingProfileIds();
    const deleted = new Set(expectedDeletedIds());

    expect(remaining.size).toBe(fixtureProfileCount - deleted.size);
    for (let i = 0; i < fixtureProfileCount; i += 1) {
      expect(remaining.has(`p-${i}`), `profile p-${i}`).toBe(!deleted.has(`p-${i}`));
    }
    const untouched = await environment.store.profiles.findOne({ _id: 'p-1000' });
    expect(untouched).toEqual({
      _id: 'p-1000',
      email: 'person1000@example.com',
      external_id: 'ext-1000',
      given_name: 'Person 1000',
    });
  });

  test('writes one WARNING per failed record with its line', async () => {
    const warnings = await readAllLogs(environment, jobId, 'WARNING');

    expect(warnings).toHaveLength(expectedFailed);
    // The log is in time order: the plan's warnings come before those of the chunks.
    const lines = warnings.map((warning) => warning.line ?? 0).sort((a, b) => a - b);
    expect(lines).toEqual(Array.from({ length: expectedFailed }, (_, index) => 912 + index));
  });

  test('names the reason of each kind of failure', async () => {
    const byLine = new Map(
      (await readAllLogs(environment, jobId, 'WARNING')).map((entry) => [entry.line, entry.content]),
    );

    expect(byLine.get(912)).toBe('Line 912: no matching profile for email n***@example.com.');
    expect(byLine.get(952)).toBe(
      'Line 952: duplicate of line 2 (same email p***@example.com); skipped, not applied twice.',
    );
    expect(byLine.get(972)).toBe(
      'Line 972: conflict: external_id ex***50 and email p***@example.com point at two different profiles; nothing deleted.',
    );
    expect(byLine.get(982)).toMatch(/^Line 982: invalid email /);
    expect(byLine.get(992)).toMatch(/^Line 992: no identifier/);
    expect(byLine.get(997)).toMatch(/^Line 997: invalid phone_number /);
  });

  test('keeps identifiers out of log lines', async () => {
    const logs = await readAllLogs(environment, jobId);

    for (const entry of logs) {
      expect(entry.content).not.toMatch(/person\d+@example\.com|nobody\d+@example\.com|ext-\d+|\+336/);
    }
  });

  test('logs the start, the total and the summary', async () => {
    const lines = (await readAllLogs(environment, jobId, 'LOG')).map((entry) => entry.content);

    expect(lines).toEqual([
      'Delete profiles from file local file fixture.csv',
      'Total profiles to delete: 1000',
      'Deleted 910 profiles, 90 failed',
    ]);
  });
});

describe('deletion job from a JSON file', () => {
  test('gives the same counts and deletions as CSV', async () => {
    await resetProfiles(environment);
    const path = await writeImportFile(environment, 'fixture.json', fixtureJson());
    const definitionId = await createDefinition(environment, {
      source: { protocol: 'local', path },
      file_format: { format: 'json' },
    });

    const report = await runToEnd(environment, definitionId);

    expect(report.status).toBe('SUCCESS');
    expect(report.total).toBe(fixtureRecordCount);
    expect(report.succeeded).toBe(expectedSucceeded);
    expect(report.failed).toBe(expectedFailed);
    const remaining = await remainingProfileIds();
    expect(remaining.size).toBe(fixtureProfileCount - expectedDeletedIds().length);
    for (const id of expectedDeletedIds()) {
      expect(remaining.has(id), id).toBe(false);
    }
    const warnings = await readAllLogs(environment, report.id, 'WARNING');
    expect(warnings).toHaveLength(expectedFailed);
  });
});

describe('deletion job that cannot go on', () => {
  test('missing file ends FAILURE with an ERROR line', async () => {
    await resetProfiles(environment);
    const definitionId = await createDefinition(environment, {
      source: { protocol: 'local', path: 'missing.csv' },
    });

    const report = await runToEnd(environment, definitionId);

    expect(report.status).toBe('FAILURE');
    expect(report.succeeded).toBe(0);
    const errors = await readAllLogs(environment, report.id, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.content).toBe(
      "File not found: local file missing.csv under the import root. Check the definition's source.path.",
    );
    expect(await environment.store.profiles.countDocuments({})).toBe(fixtureProfileCount);
  });

  test('unparseable file ends FAILURE before deleting anything', async () => {
    await resetProfiles(environment);
    const path = await writeImportFile(
      environment,
      'broken.json',
      '{"email":"person1@example.com"},\n{"email":"person2@example.com"}\n',
    );
    const definitionId = await createDefinition(environment, {
      source: { protocol: 'local', path },
      file_format: { format: 'json' },
    });

    const report = await runToEnd(environment, definitionId);

    expect(report.status).toBe('FAILURE');
    const errors = await readAllLogs(environment, report.id, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.content).toMatch(/line 1/i);
    expect(await environment.store.profiles.countDocuments({})).toBe(fixtureProfileCount);
  });

  test('path outside the import root is rejected', async () => {
    const definitionId = await createDefinition(environment, {
      source: { protocol: 'local', path: '../../etc/passwd' },
    });

    const report = await runToEnd(environment, definitionId);

    expect(report.status).toBe('FAILURE');
    const errors = await readAllLogs(environment, report.id, 'ERROR');
    expect(errors[0]?.content).toBe(
      'source.path "../../etc/passwd" is outside the import root; give a path to a file inside it.',
    );
  });
});
