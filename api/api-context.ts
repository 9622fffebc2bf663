import type { Client } from '@temporalio/client';
import type { Settings } from '../core/settings.js';
import type { ApiKeyRole } from '../store/api-keys.js';
import type { Store } from '../store/connect-store.js';
import type { SecretKeyring } from '../store/secret-sealing.js';

/** What the routes need, handed to `createApp` once. */
export interface ApiDependencies {
  store: Store;
  temporal: Client;
  settings: Pick<
    Settings,
    | 'taskQueue'
    | 'chunkWindow'
    | 'chunksPerRun'
    | 'apiKey'
    | 'importJobsEnabled'
    | 'secretKey'
    | 'previousSecretKeys'
  >;
  clock: () => Date;
}

/** The dependencies with what `createApp` builds from the settings once. */
export interface ApiServices extends ApiDependencies {
  keyring: SecretKeyring;
}

/** The caller of a request: the API key that authenticated it. */
export interface Caller {
  /** Id of the stored key, or `bootstrap` for the key from `PROFILE_JOBS_API_KEY`. */
  keyId: string;
  role: ApiKeyRole;
}

/** Request variables of the API's Hono apps. */
export interface ApiEnv {
  Variables: {
    services: ApiServices;
    caller: Caller;
  };
}
