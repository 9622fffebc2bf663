import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startStack } from '../stack/stack.js';
import { closeStore, connectStore } from '../store/connect-store.js';
import { insertProfiles } from '../store/profiles.js';
import { demoCsv, demoProfiles } from './demo-data.js';
import { prepareServiceLaunch } from '../worker/node-options.js';

const seededProfiles = 10_000;
const namedProfiles = 2_500;
const repositoryRoot = path.resolve(import.meta.dirname, '..');

/**
 * Runs the main job end to end on the embedded stack: seeds profiles, writes a deletion file, runs it
 * through the API and a worker, shows its progress, and prints the final report.
 */
async function main(): Promise<void> {
  console.log(
    'Starting the embedded stack (the first run builds the servers, which takes several minutes)...',
  );
  const stack = await startStack();

  const url = new URL(stack.mongoUrl);
  url.pathname = '/profile_jobs_demo';
  const importRoot = path.join(repositoryRoot, '.stack', 'imports');
  const apiPort = Number(process.env['PROFILE_JOBS_API_PORT'] ?? 8080);
  const apiKey = randomBytes(24).toString('base64url');
  const environment = {
    ...process.env,
    PROFILE_JOBS_MONGO_URL: url.toString(),
    PROFILE_JOBS_TEMPORAL_ADDRESS: stack.temporalAddress,
    PROFILE_JOBS_IMPORT_ROOT: importRoot,
    PROFILE_JOBS_API_PORT: String(apiPort),
    PROFILE_JOBS_API_KEY: apiKey,
    // A key for this demo only: secrets sealed with it cannot be read once the demo ends.
    PROFILE_JOBS_SECRET_KEY: randomBytes(32).toString('base64'),
    PROFILE_JOBS_LOG_LEVEL: 'warn',
  };

  const store = await connectStore({ url: url.toString() });
  await store.profiles.deleteMany({});
  await insertProfiles(store, demoProfiles(seededProfiles));
  console.log(`Seeded ${seededProfiles} profiles into database profile_jobs_demo.`);

  const file = demoCsv(namedProfiles);
  await mkdir(importRoot, { recursive: true });
  await writeFile(path.join(importRoot, 'demo-deletion.csv'), file.csv);
  console.log(
    `Wrote .stack/imports/demo-deletion.csv: ${file.named} profiles to delete, ${file.unknown} unknown, ` +
      `${file.duplicates} duplicate, ${file.conflicts} conflicting and ${file.malformed} malformed lines.`,
  );

  const children = [
    await startChild('worker', 'worker/main.ts', environment),
    await startChild('api', 'api/main.ts', environment),
  ];
  try {
    const api = apiClient(`http://127.0.0.1:${apiPort}`, apiKey);
    await waitForApi(api);

    const definition = await api.call('POST', '/definitions', {
      name: 'Demo: delete churned customers',
      for_deletion: true,
      match_by: 'auto',
      source: { protocol: 'local', path: 'demo-deletion.csv' },
      file_format: { format: 'csv', delimiter: ';' },
    });
    const started = await api.call('POST', `/definitions/${definition.id}/run`, {});
    console.log(`Started job ${started.id}.`);

    let report = started;
    while (report.status === 'WAITING') {
      await sleep(500);
      report = await api.call('GET', `/jobs/${started.id}`);
      showProgress(report);
    }
    process.stdout.write('\n');

    const warnings = await api.call('GET', `/jobs/${started.id}/logs?level=WARNING&page_size=5`);
    const logLines = await api.call('GET', `/jobs/${started.id}/logs?level=LOG`);
    const remaining = await store.profiles.countDocuments({});

    console.log('\nFinal report:');
    console.log(JSON.stringify(report, null, 2));
    console.log('\nJob log (LOG level):');
    for (const entry of logLines.entries) console.log(`  ${entry.content}`);
    console.log(`\nFirst warnings (of ${warnings.total}):`);
    for (const entry of warnings.entries) console.log(`  ${entry.content}`);
    console.log(
      `\nProfiles left in the store: ${remaining} (${seededProfiles} seeded − ${report.succeeded} deleted).`,
    );
    console.log(
      `Temporal UI for this run: ${stack.temporalUiUrl}/namespaces/default/workflows/${report.workflow_id}`,
    );
    console.log('The stack keeps running; stop it with: npm run stack:stop');

    const expectedFailed = file.unknown + file.duplicates + file.conflicts + file.malformed;
    if (report.status !== 'SUCCESS' || report.succeeded !== file.named || report.failed !== expectedFailed) {
      throw new Error(
        `The demo expected SUCCESS with ${file.named} succeeded and ${expectedFailed} failed, got ` +
          `${report.status} with ${report.succeeded} and ${report.failed}`,
      );
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await closeStore(store);
  }
}

async function startChild(
  name: string,
  entry: string,
  environment: NodeJS.ProcessEnv,
): Promise<ChildProcess> {
  const node = path.join(repositoryRoot, 'node_modules', '.bin', 'node');
  const launch = await prepareServiceLaunch(entry);
  const child = spawn(node, launch.nodeArguments, {
    cwd: repositoryRoot,
    env: { ...launch.environment, ...environment },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null) {
      console.error(`The ${name} process exited with code ${code}`);
    }
  });
  return child;
}

// API responses are read as loose JSON because the demo only prints them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function apiClient(baseUrl: string, apiKey: string) {
  return {
    async call(method: string, route: string, body?: unknown): Promise<Json> {
      const response = await fetch(baseUrl + route, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const answer: Json = await response.json();
      if (!response.ok) {
        throw new Error(`${method} ${route} returned ${response.status}: ${JSON.stringify(answer)}`);
      }
      return answer;
    },
  };
}

async function waitForApi(api: ReturnType<typeof apiClient>): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await api.call('GET', '/openapi.json');
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error('The API did not respond within 60 seconds; see its output above', { cause: error });
      }
      await sleep(300);
    }
  }
}

function showProgress(report: Json): void {
  const width = 40;
  const filled = Math.round((report.progress.percent / 100) * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  const text = `[${bar}] ${report.progress.percent}% ${report.progress.processed}/${report.progress.total} records, ${report.succeeded} deleted, ${report.failed} failed${report.paused ? ' (paused)' : ''}`;
  process.stdout.write(process.stdout.isTTY ? `\r${text}` : `${text}\n`);
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
