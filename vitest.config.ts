import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts the embedded stack once per run; see the file for how tests get the addresses.
    globalSetup: ['test/global-setup.ts'],
    // Child processes rather than worker threads, so that the native module of the Temporal
    // worker and the open connections of a test file stay inside that file's process.
    pool: 'forks',
    // Integration tests talk to real servers: a few thousand FerretDB writes or one workflow
    // run take seconds, not milliseconds.
    testTimeout: 60_000,
    // beforeAll hooks bundle workflows and fill collections. The global setup is not bound by
    // this limit (Vitest applies no timeout to it), so a cold build of the servers can finish.
    hookTimeout: 120_000,
  },
});
