import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { JobReport } from '../../api/job-report.js';
import { insertProfiles } from '../../store/profiles.js';
import type { ProfileDocument } from '../../store/profiles.js';
import { fixtureProfiles } from './deletion-fixture.js';
import type { JobTestEnvironment } from './test-services.js';

/** Writes `content` under the environment's import root and returns its path relative to the root. */
export async function writeImportFile(
  environment: JobTestEnvironment,
  name: string,
  content: string | Uint8Array,
): Promise<string> {
  await writeFile(path.join(environment.importRoot, name), content);
  return name;
}

/** Creates a deletion definition through the API and returns its id. */
export async function createDefinition(
  environment: JobTestEnvironment,
  fields: Record<string, unknown>,
): Promise<string> {
  const response = await environment.request('POST', '/definitions', {
    name: 'test deletion',
    for_deletion: true,
    ...fields,
  });
  const body = (await response.json()) as { id: string };
  expect(response.status, JSON.stringify(body)).toBe(201);
  return body.id;
}

/** Runs a definition through the API, waits for its workflow to close and returns the final report. */
export async function runToEnd(
  environment: JobTestEnvironment,
  definitionId: string,
  options: { dryRun?: boolean } = {},
): Promise<JobReport> {
  const started = await startRun(environment, definitionId, options);
  await environment.temporal.workflow
    .getHandle(started.workflow_id)
    .result()
    .catch(() => undefined);
  return readReport(environment, started.id);
}

export async function startRun(
  environment: JobTestEnvironment,
  definitionId: string,
  options: { dryRun?: boolean } = {},
): Promise<JobReport> {
  const response = await environment.request('POST', `/definitions/${definitionId}/run`, {
    dry_run: options.dryRun ?? false,
  });
  const body = (await response.json()) as JobReport;
  expect(response.status, JSON.stringify(body)).toBe(201);
  return body;
}

export async function readReport(environment: JobTestEnvironment, jobId: string): Promise<JobReport> {
  const response = await environment.request('GET', `/jobs/${jobId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as JobReport;
}

export interface LogLine {
  level: string;
  content: string;
  line: number | null;
}

/** Reads every log entry of a job, page by page. */
export async function readAllLogs(
  environment: JobTestEnvironment,
  jobId: string,
  level?: string,
): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for (let page = 1; ; page += 1) {
    const levelQuery = level === undefined ? '' : `&level=${level}`;
    const response = await environment.request(
      'GET',
      `/jobs/${jobId}/logs?page=${page}&page_size=1000${levelQuery}`,
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { entries: LogLine[]; total: number };
    lines.push(...body.entries.map(({ level, content, line }) => ({ level, content, line })));
    if (lines.length >= body.total || body.entries.length === 0) {
      return lines;
    }
  }
}

/** Replaces every profile of the environment's store with `profiles`, the 1,000-line fixture's by default. */
export async function resetProfiles(
  environment: JobTestEnvironment,
  profiles: ProfileDocument[] = fixtureProfiles(),
): Promise<void> {
  await environment.store.profiles.deleteMany({});
  await insertProfiles(environment.store, profiles);
}
