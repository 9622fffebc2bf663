import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildWorker, builtWorkerPath } from '../../worker/build-worker.js';

const buildFolder = path.dirname(builtWorkerPath);

/** Package imports written at the top of a compiled module, which load with it. */
function staticPackageImports(code: string): string[] {
  return [...code.matchAll(/^import\s[^;]*?from\s*"([^".][^"]*)";/gms)].map((match) => match[1]!);
}

/** Files named by `import("./…")` in a compiled module. */
function dynamicImports(code: string): string[] {
  return [...code.matchAll(/import\("\.\/([^"]+)"\)/g)].map((match) => match[1]!);
}

describe('compiled worker', () => {
  let entryCode = '';

  beforeAll(async () => {
    await buildWorker();
    entryCode = await readFile(builtWorkerPath, 'utf8');
  });

  test('entry module links its source map', async () => {
    const map = JSON.parse(await readFile(`${builtWorkerPath}.map`, 'utf8')) as { sources: string[] };

    expect(entryCode.trimEnd().endsWith('//# sourceMappingURL=worker.mjs.map')).toBe(true);
    expect(map.sources).toContain('../worker/main.ts');
    expect(map.sources).toContain('../activities/process-chunk.ts');
  });

  test('lazy packages stay out of the entry module', () => {
    const imports = staticPackageImports(entryCode);

    expect(imports).toContain('@temporalio/worker');
    expect(imports).toContain('mongodb');
    expect(imports).not.toContain('@aws-sdk/client-s3');
    expect(imports).not.toContain('@google-cloud/storage');
    expect(imports).not.toContain('ssh2');
    expect(imports).not.toContain('undici');
    expect(entryCode).toContain('import("undici")');
  });

  test('remote sources load from their own modules', async () => {
    const files = dynamicImports(entryCode);
    const built = await readdir(buildFolder);
    const exported: string[] = [];

    for (const file of files) {
      expect(built).toContain(file);
      const module = (await import(pathToFileURL(path.join(buildFolder, file)).href)) as object;
      exported.push(...Object.keys(module));
    }

    expect(files).toHaveLength(3);
    expect(exported.sort()).toEqual(['GcsFileSource', 'S3FileSource', 'SftpFileSource']);
  });
});
