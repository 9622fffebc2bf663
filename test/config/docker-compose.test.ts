import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { builtWorkerEntry } from '../../worker/build-worker.js';
import { serviceLaunch, workerNodeOptions } from '../../worker/node-options.js';

// No Docker engine runs where the tests run, so the compose file is checked by reading it.
const repositoryRoot = path.resolve(import.meta.dirname, '..', '..');

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  depends_on?: string[];
  ports?: string[];
  environment?: Record<string, string>;
}

async function readCompose(): Promise<{ services: Record<string, ComposeService> }> {
  const text = await readFile(path.join(repositoryRoot, 'docker-compose.yml'), 'utf8');
  return parse(text, { merge: true }) as { services: Record<string, ComposeService> };
}

describe('docker-compose.yml', () => {
  test('every service has an image or a build', async () => {
    const { services } = await readCompose();

    for (const [name, service] of Object.entries(services)) {
      expect(service.image ?? service.build, name).toBeDefined();
    }
  });

  test('dependencies name existing services', async () => {
    const { services } = await readCompose();

    for (const service of Object.values(services)) {
      for (const dependency of service.depends_on ?? []) {
        expect(Object.keys(services)).toContain(dependency);
      }
    }
  });

  test('published ports bind loopback only', async () => {
    const { services } = await readCompose();

    const ports = Object.values(services).flatMap((service) => service.ports ?? []);
    expect(ports).toEqual(['127.0.0.1:7233:7233', '127.0.0.1:8233:8080', '127.0.0.1:8080:8080']);
  });

  test('worker and API run the project entry points', async () => {
    const { services } = await readCompose();

    expect(services['worker']?.command).toEqual(['node', ...serviceLaunch('worker/main.ts').nodeArguments]);
    expect(services['api']?.command).toEqual(['npx', 'tsx', 'api/main.ts']);
    expect(services['api']?.environment?.['PROFILE_JOBS_MONGO_URL']).toBe(
      'mongodb://mongo:27017/profile_jobs',
    );
    expect(services['api']?.environment?.['PROFILE_JOBS_API_HOST']).toBe('0.0.0.0');
  });

  test('every worker launcher passes the heap options', async () => {
    const packageJson = JSON.parse(await readFile(path.join(repositoryRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const dockerfile = await readFile(path.join(repositoryRoot, 'Dockerfile'), 'utf8');
    const launch = serviceLaunch('worker/main.ts');
    const environment = Object.entries(launch.environment).map(([name, value]) => `${name}=${value}`);

    expect(launch.nodeArguments.slice(0, workerNodeOptions.length)).toEqual(workerNodeOptions);
    expect(launch.nodeArguments.at(-1)).toBe(builtWorkerEntry);
    expect(environment).toEqual(['MALLOC_MMAP_THRESHOLD_=131072']);
    expect(packageJson.scripts['worker']).toBe(
      `tsx worker/build-worker.ts && ${[...environment, 'node', ...launch.nodeArguments].join(' ')}`,
    );
    expect(dockerfile).toContain(
      `CMD ${JSON.stringify(['node', ...launch.nodeArguments]).replaceAll(',', ', ')}`,
    );
    for (const variable of environment) {
      expect(dockerfile).toContain(`ENV ${variable}`);
    }
  });
});
