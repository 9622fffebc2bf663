import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { readSettings } from '../core/settings.js';
import { closeStore, connectStore } from '../store/connect-store.js';
import { processLogger } from '../worker/process-logger.js';
import { createApp } from './create-app.js';

/** Serves the API on 127.0.0.1 until SIGINT or SIGTERM. */
async function main(): Promise<void> {
  const settings = readSettings();
  const store = await connectStore({ url: settings.mongoUrl });
  const connection = await Connection.connect({ address: settings.temporalAddress });
  const temporal = new Client({ connection, namespace: settings.temporalNamespace });

  const app = createApp({ store, temporal, settings, clock: () => new Date() });
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: settings.apiPort });
  processLogger.info({ port: settings.apiPort }, 'API listening');

  const stop = () => {
    server.close(() => {
      void connection.close().then(() => closeStore(store));
      processLogger.info('API stopped');
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  processLogger.fatal({ err: error }, 'API failed to start');
  process.exitCode = 1;
});
