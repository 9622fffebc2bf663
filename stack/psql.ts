import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { stackEnvironment } from './config.js';

const execFileAsync = promisify(execFile);

export interface PsqlOptions {
  /** Connection URL, such as `postgres://postgres@127.0.0.1:54329/ferretdb`. */
  url: string;
  /** SQL to run, as with `psql -c`. It may contain several statements separated by semicolons. */
  sql?: string;
  /** SQL script to run, as with `psql -f`. */
  file?: string;
  /** Folder that contains `psql`. Default: PROFILE_JOBS_POSTGRES_BIN, else Debian's PostgreSQL 15 folder. */
  postgresBinDir?: string;
}

/**
 * Runs SQL with `psql` and returns the output in unaligned tuples-only form (`-At`): one line
 * per row, columns separated by `|`, and only the result of the last statement.
 * @throws Error with psql's message when the SQL fails (psql runs with ON_ERROR_STOP).
 */
export async function runPsql(options: PsqlOptions): Promise<string> {
  const binDir =
    options.postgresBinDir ??
    process.env.PROFILE_JOBS_POSTGRES_BIN ??
    stackEnvironment.PROFILE_JOBS_POSTGRES_BIN;
  const args = ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', options.url];
  if (options.sql !== undefined) args.push('-c', options.sql);
  if (options.file !== undefined) args.push('-f', options.file);

  try {
    const { stdout } = await execFileAsync(path.join(binDir, 'psql'), args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`psql failed on ${options.url}: ${stderr || String(error)}`, { cause: error });
  }
}
