import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { readSettings } from '../core/settings.js';
import { secretKeyringFromSettings } from '../store/secret-sealing.js';
import { openSource } from '../sources/open-source.js';
import { closeStore, connectStore } from '../store/connect-store.js';
import { bundleWorkflowsInChildProcess } from './bundle-workflows.js';
import { createJobWorker } from './create-worker.js';
import { processLogger } from './process-logger.js';
import { ensureRetentionSchedule } from './retention-schedule.js';
import { createWebhookTargetLoader } from '../activities/webhook-target.js';

/** Runs one worker for the job task queue until SIGINT or SIGTERM. */
async function main(): Promise<void> {
  const settings = readSettings();
  const store = await connectStore({ url: settings.mongoUrl, maxPoolSize: settings.storeConcurrency * 4 });
  const connection = await NativeConnection.connect({ address: settings.temporalAddress });
  const keyring = secretKeyringFromSettings(settings);

  const worker = await createJobWorker({
    connection,
    namespace: settings.temporalNamespace,
    taskQueue: settings.taskQueue,
    // Limitation: @temporalio/worker 1.24 keeps a parsed copy of the bundle for 10 s after this, and a
    // job planned in that time peaks about 30 MB higher than on a worker that has run for a while.
    workflowBundle: await bundleWorkflowsInChildProcess(),
    dependencies: {
      store,
      openSource: (source) => openSource(source, settings),
      settings,
      keyring,
      loadWebhookTarget: createWebhookTargetLoader(store, keyring),
      clock: () => new Date(),
    },
  });

  const clientConnection = await Connection.connect({ address: settings.temporalAddress });
  try {
    const temporal = new Client({ connection: clientConnection, namespace: settings.temporalNamespace });
    await ensureRetentionSchedule(temporal, {
      taskQueue: settings.taskQueue,
      retentionDays: settings.retentionDays,
    });
  } finally {
    await clientConnection.close();
  }

  processLogger.info({ taskQueue: settings.taskQueue, temporal: settings.temporalAddress }, 'Worker started');
  try {
    // The SDK shuts the worker down on SIGINT and SIGTERM, letting running activities finish.
    await worker.run();
  } finally {
    await connection.close();
    await closeStore(store);
    processLogger.info('Worker stopped');
  }
}

main().catch((error: unknown) => {
  processLogger.fatal({ err: error }, 'Worker failed');
  process.exitCode = 1;
});
