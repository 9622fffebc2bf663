import type { ProfileDocument } from '../../store/profiles.js';

/** Profiles `b-0` … `b-(count−1)` with email `bulkI@example.com`. */
export function bulkProfiles(count: number): ProfileDocument[] {
  return Array.from({ length: count }, (_, i) => ({ _id: `b-${i}`, email: `bulk${i}@example.com` }));
}

/** Returns a CSV naming profiles 0 … named−1 by email, then `unknown` emails that match no profile. */
export function bulkDeletionCsv(named: number, unknown: number): string {
  const lines = ['email'];
  for (let i = 0; i < named; i += 1) {
    lines.push(`bulk${i}@example.com`);
  }
  for (let i = 0; i < unknown; i += 1) {
    lines.push(`unknown${i}@example.org`);
  }
  return lines.join('\n') + '\n';
}

/** Polls `read` until `done` holds for its value, and returns that value. */
export async function waitUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: { timeoutMs: number; what: string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${options.timeoutMs} ms waiting for ${options.what}; last value ${JSON.stringify(value)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
