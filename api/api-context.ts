import type { Client } from '@temporalio/client';
import type { Settings } from '../core/settings.js';
import type { Store } from '../store/connect-store.js';

/** What the routes need, handed to `createApp` once. */
export interface ApiDependencies {
  store: Store;
  temporal: Client;
  settings: Pick<Settings, 'taskQueue' | 'chunkWindow' | 'chunksPerRun' | 'apiKey'>;
  clock: () => Date;
}
