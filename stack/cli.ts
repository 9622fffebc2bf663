/**
 * Command line of the embedded stack: `tsx stack/cli.ts start|stop|status [options]`.
 * `npm run stack:start` and `npm run stack:stop` call it.
 */
import { parseArgs } from 'node:util';

import { defaultServices, parseServiceNames, stackEnvironment, type StackServiceName } from './config.js';
import { StackError } from './errors.js';
import { stackStatus, startStack, stopStack } from './stack.js';

const usage = `Usage: tsx stack/cli.ts <command> [options]

Commands:
  start    build missing servers, start them on 127.0.0.1 and wait until they respond
  stop     stop the servers of the stack (all of them unless --services is given)
  status   show which servers run and whether they respond

Options:
  --services a,b          servers to start or stop, among postgres, ferretdb, temporal, s3, gcs, sftp
                          (start default: ${defaultServices.join(',')})
  --with-object-stores    also start s3 (versitygw) and gcs (fake-gcs-server)
  --with-file-servers     also start s3, gcs and sftp (OpenSSH sshd; needs root)
  -h, --help              show this help

Environment variables (default):
${Object.entries(stackEnvironment)
  .map(([name, value]) => `  ${name.padEnd(32)}${value}`)
  .join('\n')}
`;

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      services: { type: 'string' },
      'with-object-stores': { type: 'boolean', default: false },
      'with-file-servers': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0];

  if (values.help || command === undefined) {
    process.stdout.write(usage);
    return;
  }
  if (positionals.length > 1) {
    throw new StackError(`expected one command, got ${positionals.join(' ')}\n\n${usage}`, 'config');
  }

  let services: StackServiceName[] | undefined =
    values.services === undefined ? undefined : parseServiceNames(values.services);
  if (values['with-object-stores']) {
    services = [...(services ?? defaultServices), 's3', 'gcs'];
  }
  if (values['with-file-servers']) {
    services = [...new Set([...(services ?? defaultServices), 's3', 'gcs', 'sftp'] as const)];
  }

  switch (command) {
    case 'start': {
      const started = Date.now();
      const info = await startStack({ services });
      console.log(`[stack] ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      console.log(`  MongoDB (FerretDB)  ${info.mongoUrl}`);
      console.log(`  Temporal            ${info.temporalAddress} (namespace ${info.temporalNamespace})`);
      console.log(`  Temporal Web UI     ${info.temporalUiUrl}`);
      console.log(`  PostgreSQL          ${info.postgresUrl}`);
      if (info.s3) console.log(`  S3 (versitygw)      ${info.s3.endpoint}`);
      if (info.gcs) console.log(`  GCS (fake-gcs)      ${info.gcs.endpoint}`);
      if (info.sftp) {
        console.log(`  SFTP (OpenSSH)      sftp://${info.sftp.username}@${info.sftp.host}:${info.sftp.port}`);
      }
      return;
    }

    case 'stop':
      await stopStack({ services });
      return;

    case 'status': {
      for (const status of await stackStatus()) {
        const state = !status.running
          ? 'stopped'
          : `running, pid ${status.pid}, ${status.responding ? 'responding' : 'NOT responding'} at ${status.address}`;
        console.log(`${status.service.padEnd(10)}${state}`);
      }
      return;
    }

    default:
      throw new StackError(
        `unknown command "${command}", expected start, stop or status\n\n${usage}`,
        'config',
      );
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // These messages already state what to fix, and a stack trace would only bury them.
  const isUsageError = String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
  console.error(error instanceof StackError || isUsageError ? `[stack] ${(error as Error).message}` : error);
  process.exitCode = 1;
});
