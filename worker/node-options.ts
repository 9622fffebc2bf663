import { buildWorker, builtWorkerEntry } from './build-worker.js';

/**
 * Node options the worker process starts with. With V8's defaults on a machine with gigabytes of
 * memory, the worker's heap grows to about 340 MB, mostly garbage, before V8 collects it, and the
 * process peaks near 600 MB. Capping the old generation at 256 MB makes V8 collect it far sooner.
 * Semi-spaces are 16 MB: at 8 MB, twice as many scavenges slowed a standalone plan of a million rows
 * from about 950,000 to about 750,000 records per second, for about 15 MB less peak memory (2 vCPUs). `--enable-source-maps` maps error stacks of the
 * compiled worker back to the TypeScript sources.
 *
 * Limitation: the cap leaves room for several jobs at once, but a worker that serves many more must
 * raise it, or V8 stops the process when the live heap reaches it.
 *
 * The `worker` script of package.json, the Dockerfile and docker-compose.yml pass the same options,
 * and a test checks that they match.
 */
export const workerNodeOptions = [
  '--max-semi-space-size=16',
  '--max-old-space-size=256',
  '--enable-source-maps',
];

/**
 * Environment variables the worker process starts with, besides its settings. glibc raises its mmap
 * threshold each time a large block is freed, up to 32 MB, so once the plan frees its duplicate
 * table, later blocks below that size come from the malloc arenas, which keep freed memory. Fixing
 * the threshold at 128 KiB, glibc's initial value, keeps such blocks in mappings of their own that
 * go back to the system when freed. After a standalone plan of a million rows and a full collection,
 * the process stayed 48 MB above its starting memory with the moving threshold and 26 MB with the
 * fixed one. Other C libraries ignore the variable.
 */
export const workerEnvironment: Record<string, string> = { MALLOC_MMAP_THRESHOLD_: '131072' };

/** How to start one of the project's servers with the project's Node binary. */
export interface ServiceLaunch {
  nodeArguments: string[];
  /** Variables to add to the process environment. */
  environment: Record<string, string>;
}

/**
 * Returns the Node arguments and environment that start `entry`: the compiled worker with its options
 * for `worker/main.ts`, and tsx for any other entry (such as `api/main.ts`).
 */
export function serviceLaunch(entry: string): ServiceLaunch {
  if (entry === 'worker/main.ts') {
    return { nodeArguments: [...workerNodeOptions, builtWorkerEntry], environment: workerEnvironment };
  }
  return { nodeArguments: ['--import', 'tsx', entry], environment: {} };
}

/** Compiles the worker anew when `entry` is the worker, then returns `serviceLaunch(entry)`. */
export async function prepareServiceLaunch(entry: string): Promise<ServiceLaunch> {
  if (entry === 'worker/main.ts') {
    await buildWorker();
  }
  return serviceLaunch(entry);
}
