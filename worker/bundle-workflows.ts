import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { WorkflowBundlePath } from '@temporalio/worker';
import { workflowsPath } from './create-worker.js';

const repositoryRoot = path.resolve(import.meta.dirname, '..');
/**
 * This file's source, which the child process runs as a script through tsx. Named from the repository
 * root, not from `import.meta.url`, because the worker also runs compiled into `.build/worker.mjs`.
 */
const bundlerModulePath = path.join(repositoryRoot, 'worker', 'bundle-workflows.ts');

/**
 * Bundles the workflows in a child process and returns the bundle's file. Webpack needs a few hundred
 * megabytes while it bundles, so it runs in a child process that returns that memory when it exits,
 * instead of in the long-running worker. The bundle is made anew at each start, so it is never stale.
 * @throws Error with the child's output when bundling fails.
 */
export async function bundleWorkflowsInChildProcess(): Promise<WorkflowBundlePath> {
  const folder = await mkdtemp(path.join(tmpdir(), 'profile-jobs-workflows-'));
  const codePath = path.join(folder, 'workflow-bundle.js');
  const node = path.join(repositoryRoot, 'node_modules', '.bin', 'node');

  const child = spawn(node, ['--import', 'tsx', bundlerModulePath, codePath], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr.on('data', (data: Buffer) => (output += data.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (exitCode !== 0) {
    throw new Error(`Bundling the workflows failed with exit code ${exitCode}:\n${output}`);
  }

  return { codePath };
}

/** Writes the workflow bundle to the file named by the first argument. */
async function writeBundle(codePath: string): Promise<void> {
  const bundle = await bundleWorkflowCode({ workflowsPath });
  await writeFile(codePath, bundle.code);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === bundlerModulePath) {
  const codePath = process.argv[2];
  if (codePath === undefined) {
    console.error('Usage: bundle-workflows.ts <output file>');
    process.exitCode = 2;
  } else {
    await writeBundle(codePath);
  }
}
