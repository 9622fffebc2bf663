/**
 * Node options the worker process starts with. With V8's defaults on a machine with gigabytes of
 * memory, the worker's heap grows to about 340 MB, mostly garbage, before V8 collects it, and the
 * process peaks near 600 MB. Semi-spaces of 8 MB and an old generation capped at 256 MB bring the
 * peak to 283 MB on a 100,000-record job and 363 MB on a million-record one, whose plan adds its
 * duplicate table, while the live heap stays about 65 MB (`npm run bench`, 2 vCPUs).
 *
 * Limitation: the cap leaves room for several jobs at once, but a worker that serves many more must
 * raise it, or V8 stops the process when the live heap reaches it.
 *
 * The `worker` script of package.json, the Dockerfile and docker-compose.yml pass the same options,
 * and a test checks that they match.
 */
export const workerNodeOptions = ['--max-semi-space-size=8', '--max-old-space-size=256'];

/** Arguments for the Node binary to run `entry` (such as `worker/main.ts`) through tsx. */
export function serviceNodeArguments(entry: string): string[] {
  const options = entry === 'worker/main.ts' ? workerNodeOptions : [];
  return [...options, '--import', 'tsx', entry];
}
