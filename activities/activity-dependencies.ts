import type { Settings } from '../core/settings.js';
import type { DefinitionSource } from '../core/definition.js';
import type { FileSource } from '../sources/file-source.js';
import type { Store } from '../store/connect-store.js';
import type { SecretKeyring } from '../store/secret-sealing.js';
import type { LoadWebhookTarget } from './webhook-target.js';

/** External dependencies of the activities, handed in once so tests can give their own. */
export interface ActivityDependencies {
  store: Store;
  openSource: (source: DefinitionSource) => Promise<FileSource>;
  settings: Pick<
    Settings,
    'maxRecords' | 'chunkRecords' | 'batchRecords' | 'storeConcurrency' | 'defaultPhoneRegion'
  >;
  clock: () => Date;
  /** Unseals the secrets of definitions; they exist in plain text only inside an activity. */
  keyring: SecretKeyring;
  /** Reads a definition's webhook with its secret; without it, no job sends a webhook. */
  loadWebhookTarget?: LoadWebhookTarget;
}
