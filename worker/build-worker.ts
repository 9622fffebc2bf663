import { randomUUID } from 'node:crypto';
import { rename, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repositoryRoot = path.resolve(import.meta.dirname, '..');

/**
 * The worker's entry module relative to the repository root, compiled with the modules it imports;
 * packages stay imports of node_modules. The folder sits one level below the root, as `worker/` does,
 * so the paths that worker modules compute from `import.meta.url` (the workflow sources, the bundler
 * script) point at the same files.
 */
export const builtWorkerEntry = '.build/worker.mjs';

/** `builtWorkerEntry` as an absolute path. */
export const builtWorkerPath = path.join(repositoryRoot, builtWorkerEntry);

const buildFolder = path.dirname(builtWorkerPath);

/**
 * Compiles `worker/main.ts` into `builtWorkerPath`, with linked source maps. Running the worker from
 * this file instead of through tsx spares the process tsx's loader thread, whose V8 heap cost about
 * 30 MB of resident memory on an idle worker. Modules that the worker imports with `import()`, such
 * as the remote file sources, become files of their own beside it, so their packages load only when
 * a job needs them.
 *
 * Each file is written under a temporary name and renamed, the entry module last, so a process that
 * starts the worker while another builds it reads whole files, old or new.
 *
 * Limitation: files of earlier builds stay in `.build/` until deleted by hand, because a worker still
 * running may load one of them later.
 * @throws Error from esbuild, naming the file and line, when the sources do not compile.
 */
export async function buildWorker(): Promise<string> {
  const result = await build({
    entryPoints: { worker: path.join(repositoryRoot, 'worker', 'main.ts') },
    outdir: buildFolder,
    outExtension: { '.js': '.mjs' },
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // Node 24 runs `using` declarations natively, which esbuild's node24 target does not assume.
    supported: { using: true },
    sourcemap: 'linked',
    write: false,
    logLevel: 'silent',
  });

  await mkdir(buildFolder, { recursive: true });
  const entryLast = [...result.outputFiles].sort(
    (a, b) => Number(a.path === builtWorkerPath) - Number(b.path === builtWorkerPath),
  );
  for (const output of entryLast) {
    // Unique per call, so two builds in one process cannot rename each other's file away.
    const temporaryPath = `${output.path}.${randomUUID()}.tmp`;
    await writeFile(temporaryPath, output.contents);
    await rename(temporaryPath, output.path);
  }
  return builtWorkerPath;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildWorker();
}
