import type { Settings } from '../../core/settings.js';
import { startServiceProcess } from './service-process.js';
import type { ServiceProcess } from './service-process.js';

/** Returns the environment variables that give a worker process these settings. */
export function settingsEnvironment(settings: Settings): NodeJS.ProcessEnv {
  return {
    PROFILE_JOBS_MONGO_URL: settings.mongoUrl,
    PROFILE_JOBS_TEMPORAL_ADDRESS: settings.temporalAddress,
    PROFILE_JOBS_TEMPORAL_NAMESPACE: settings.temporalNamespace,
    PROFILE_JOBS_TASK_QUEUE: settings.taskQueue,
    PROFILE_JOBS_IMPORT_ROOT: settings.importRoot,
    PROFILE_JOBS_MAX_RECORDS: String(settings.maxRecords),
    PROFILE_JOBS_CHUNK_RECORDS: String(settings.chunkRecords),
    PROFILE_JOBS_CHUNK_WINDOW: String(settings.chunkWindow),
    PROFILE_JOBS_BATCH_RECORDS: String(settings.batchRecords),
    PROFILE_JOBS_STORE_CONCURRENCY: String(settings.storeConcurrency),
    PROFILE_JOBS_DEFAULT_PHONE_REGION: settings.defaultPhoneRegion,
    PROFILE_JOBS_SECRET_KEY: settings.secretKey,
  };
}

/** Starts `worker/main.ts` with these settings and waits until it polls its task queue. */
export function startWorkerProcess(settings: Settings): Promise<ServiceProcess> {
  return startServiceProcess('worker/main.ts', settingsEnvironment(settings), 'Worker started');
}
