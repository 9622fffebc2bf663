import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, constants, mkdir, mkdtemp, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { displayPath, type StackPaths } from './config.js';
import { StackError } from './errors.js';

/** How to get one server binary from pinned Go sources. */
export interface GoBinarySpec {
  /** File name in `.stack/bin`. */
  binary: string;
  /** Shown in the build line, for example `temporal v1.5.1`. */
  label: string;
  /**
   * Build time with empty Go build and module caches, measured on a 2-core Debian 12 machine
   * with Go 1.26, shown so that a long cold build is not taken for a hang.
   */
  coldBuildEstimate: string;
  /** `go install` of a pinned module version, or `go build` of a module in this repository. */
  source:
    { kind: 'install'; packageAtVersion: string; ldflags?: string } | { kind: 'build'; moduleDir: string };
}

export const temporalBinary: GoBinarySpec = {
  binary: 'temporal',
  label: 'temporal v1.5.1',
  coldBuildEstimate: '2 to 4 minutes on a cold cache',
  // Newer tags of the CLI do not build with `go install`. The ldflags set the version that
  // `temporal --version` prints, as the CLI's release builds do.
  source: {
    kind: 'install',
    packageAtVersion: 'github.com/temporalio/cli/cmd/temporal@v1.5.1',
    ldflags: '-X github.com/temporalio/cli/temporalcli.Version=1.5.1',
  },
};

export const ferretdbBinary: GoBinarySpec = {
  binary: 'ferretdb',
  label: 'ferretdb v1.24.2',
  coldBuildEstimate: '1 to 2 minutes on a cold cache',
  source: { kind: 'build', moduleDir: 'stack/ferretdb' },
};

export const versitygwBinary: GoBinarySpec = {
  binary: 'versitygw',
  label: 'versitygw v1.7.0',
  coldBuildEstimate: 'about 1 minute on a cold cache',
  source: { kind: 'install', packageAtVersion: 'github.com/versity/versitygw/cmd/versitygw@v1.7.0' },
};

export const fakeGcsServerBinary: GoBinarySpec = {
  binary: 'fake-gcs-server',
  label: 'fake-gcs-server v1.56.1',
  coldBuildEstimate: 'about 1 minute on a cold cache',
  source: { kind: 'install', packageAtVersion: 'github.com/fsouza/fake-gcs-server@v1.56.1' },
};

/** Places where a Go toolchain is usually installed when it is not on PATH. */
const goCandidates = ['/usr/local/go/bin/go', '/usr/lib/go/bin/go'];

/**
 * Finds the `go` command: `$GO`, then PATH, then the usual install folders.
 * @throws StackError saying how to install Go when none is found.
 */
export async function findGo(): Promise<string> {
  const pathEntries = (process.env.PATH ?? '').split(path.delimiter).filter((entry) => entry !== '');
  const candidates = [
    ...(process.env.GO ? [process.env.GO] : []),
    ...pathEntries.map((entry) => path.join(entry, 'go')),
    ...goCandidates,
  ];

  for (const candidate of candidates) {
    if (await isExecutable(candidate)) return candidate;
  }

  throw new StackError(
    'Go toolchain not found on PATH, in $GO or in /usr/local/go/bin: install Go 1.24 or newer (https://go.dev/dl/) or set GO=/path/to/go',
    'build',
  );
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns the path of a server binary in `.stack/bin`, building it first when it is missing or
 * was built from another pinned version. A binary without a stamp file (copied in by hand) is
 * trusted as it is.
 * @throws StackError naming the build log when the build fails.
 */
export async function ensureGoBinary(
  spec: GoBinarySpec,
  paths: StackPaths,
  log: (message: string) => void,
): Promise<string> {
  const binaryPath = path.join(paths.binDir, spec.binary);
  const stampPath = `${binaryPath}.stamp`;
  const stamp = await computeStamp(spec, paths);

  if (await isExecutable(binaryPath)) {
    const builtStamp = await readFile(stampPath, 'utf8').catch(() => undefined);
    if (builtStamp === undefined || builtStamp === stamp) return binaryPath;
    log(`${spec.binary} in ${paths.binDir} was built from other sources; rebuilding it`);
  }

  await mkdir(paths.binDir, { recursive: true });
  await mkdir(paths.logDir, { recursive: true });
  const logFile = path.join(paths.logDir, `build-${spec.binary}.log`);
  log(`building ${spec.label} into ${displayPath(paths.root, paths.binDir)} (${spec.coldBuildEstimate})…`);

  const started = Date.now();
  // Build into a fresh folder and rename, so that a failed or concurrent build never leaves a
  // half-written binary where the next start would take it as built.
  const buildDir = await mkdtemp(path.join(paths.binDir, `.build-${spec.binary}-`));
  try {
    await runGoBuild(spec, paths, buildDir, logFile);
    await rename(path.join(buildDir, spec.binary), binaryPath);
    await writeFile(stampPath, stamp);
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }

  log(`built ${spec.label} in ${Math.round((Date.now() - started) / 1000)} s`);
  return binaryPath;
}

async function runGoBuild(spec: GoBinarySpec, paths: StackPaths, buildDir: string, logFile: string) {
  const go = await findGo();
  const source = spec.source;
  const args =
    source.kind === 'install'
      ? ['install', ...(source.ldflags ? ['-ldflags', source.ldflags] : []), source.packageAtVersion]
      : // Without -buildvcs=false, go build runs git on this repository and fails where git is
        // missing or rejects the folder's owner; the binary needs no commit stamp.
        ['build', '-buildvcs=false', '-o', path.join(buildDir, spec.binary), '.'];
  const cwd = source.kind === 'install' ? buildDir : path.join(paths.root, source.moduleDir);

  const logHandle = await open(logFile, 'w');
  await logHandle.write(`${new Date().toISOString()} ${go} ${args.join(' ')} (in ${cwd})\n`);

  const exitCode = await new Promise<number | string>((resolve) => {
    const child = spawn(go, args, {
      cwd,
      // GOBIN only matters to `go install`.
      env: { ...process.env, GOBIN: buildDir },
      stdio: ['ignore', logHandle.fd, logHandle.fd],
    });
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code, signal) => resolve(code ?? `signal ${signal}`));
  }).finally(() => logHandle.close());

  if (exitCode !== 0) {
    throw new StackError(
      `building ${spec.label} failed (${typeof exitCode === 'number' ? `exit code ${exitCode}` : exitCode}); see ${logFile}`,
      spec.binary,
      logFile,
    );
  }
}

/**
 * Describes what a binary is built from: the pinned package and flags, or for a module of this
 * repository a hash of its go.mod, go.sum and Go files.
 */
async function computeStamp(spec: GoBinarySpec, paths: StackPaths): Promise<string> {
  const source = spec.source;
  if (source.kind === 'install') {
    return `${source.packageAtVersion} ${source.ldflags ?? ''}\n`;
  }

  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) {
    hash.update(file);
    hash.update(await readFile(path.join(paths.root, source.moduleDir, file)));
  }
  return `${source.moduleDir} ${hash.digest('hex')}\n`;
}
