import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { isProcessAlive, readPidFile } from './processes.js';

/** Interval between two attempts to take the lock, in milliseconds. */
const retryIntervalMs = 500;

/** Attempts after which a lock file that stays empty counts as abandoned (10 s). */
const maxEmptyReads = 20;

/**
 * Runs `action` while holding `<dataDir>/stack.lock`, so that two processes (two test runs, or
 * a test run and `npm run stack:start`) never build or launch the same server at once. The
 * lock file contains the holder's pid, and a lock whose holder is dead is taken over. A waiting
 * process waits as long as the holder works, which includes a cold build of several minutes.
 */
export async function withStackLock<T>(
  dataDir: string,
  log: (message: string) => void,
  action: () => Promise<T>,
): Promise<T> {
  const lockFile = path.join(dataDir, 'stack.lock');
  let announced = false;
  let emptyReads = 0;

  for (;;) {
    try {
      await writeFile(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }

    // An empty lock file belongs to a holder that has created it but not yet written its pid.
    // If it stays empty, its holder died in between.
    const holder = await readPidFile(lockFile);
    emptyReads = holder === undefined ? emptyReads + 1 : 0;
    if ((holder !== undefined && !isProcessAlive(holder)) || emptyReads > maxEmptyReads) {
      // Limitation: two processes that find the same stale lock at the same moment may both
      // remove it, and the second removal can delete the lock that the first one just took.
      await rm(lockFile, { force: true });
      continue;
    }

    if (!announced && holder !== undefined) {
      log(`waiting for process ${holder}, which is starting or stopping the stack (lock ${lockFile})`);
      announced = true;
    }
    await sleep(retryIntervalMs);
  }

  try {
    return await action();
  } finally {
    await rm(lockFile, { force: true });
  }
}
