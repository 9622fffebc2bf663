import type { MatchableRecord } from '../core/plan/classify-record.js';
import { maskIdentifier } from '../core/identifiers.js';
import type { IdentifierField } from '../core/identifiers.js';
import type { Store } from '../store/connect-store.js';
import { findProfileIdsByIdentifier } from '../store/profiles.js';
import type { PlannedDeletion } from '../store/job-batches.js';
import { runBounded } from './run-bounded.js';

/** A record of a batch, with the line it starts on. */
export interface BatchRecord extends MatchableRecord {
  line: number;
}

export interface RecordFailure {
  line: number;
  reason: string;
}

/**
 * Finds the profile each record names. Every identifier a record carries is looked up (one indexed
 * query each, all in flight together), so a record whose identifiers point at two profiles is caught
 * as a conflict. A profile already claimed by an earlier line of the batch fails the later line.
 */
export async function resolveDeletions(
  store: Store,
  records: BatchRecord[],
  options: { concurrency: number; shouldStop: () => boolean; onProgress: () => void },
): Promise<{ deletions: PlannedDeletion[]; failures: RecordFailure[]; stopped: boolean }> {
  const lookups = records.flatMap((record) =>
    (Object.entries(record.identifiers) as [IdentifierField, string][]).map(([field, value]) => ({
      record,
      field,
      value,
    })),
  );

  const found = await runBounded(
    lookups,
    options.concurrency,
    async (lookup) => {
      const ids = await findProfileIdsByIdentifier(store, lookup.field, lookup.value);
      options.onProgress();
      return ids;
    },
    options.shouldStop,
  );
  if (found.some((ids) => ids === undefined)) {
    return { deletions: [], failures: [], stopped: true };
  }

  const idsByRecord = new Map<BatchRecord, Map<IdentifierField, string[]>>();
  lookups.forEach((lookup, index) => {
    const byField = idsByRecord.get(lookup.record) ?? new Map<IdentifierField, string[]>();
    byField.set(lookup.field, found[index] ?? []);
    idsByRecord.set(lookup.record, byField);
  });

  const deletions: PlannedDeletion[] = [];
  const failures: RecordFailure[] = [];
  const lineByProfile = new Map<string, number>();
  for (const record of records) {
    const decision = decide(record, idsByRecord.get(record) ?? new Map());
    if ('reason' in decision) {
      failures.push({ line: record.line, reason: decision.reason });
      continue;
    }

    const earlierLine = lineByProfile.get(decision.profileId);
    if (earlierLine !== undefined) {
      failures.push({ line: record.line, reason: `names the same profile as line ${earlierLine}; skipped` });
      continue;
    }
    lineByProfile.set(decision.profileId, record.line);
    deletions.push({ line: record.line, profile_id: decision.profileId });
  }
  return { deletions, failures, stopped: false };
}

function decide(
  record: BatchRecord,
  idsByField: Map<IdentifierField, string[]>,
): { profileId: string } | { reason: string } {
  const matchValue = record.identifiers[record.matchField] ?? '';
  const shown = `${record.matchField} ${maskIdentifier(record.matchField, matchValue)}`;
  const matched = idsByField.get(record.matchField) ?? [];
  if (matched.length > 1) {
    return { reason: `conflict: ${shown} matches several profiles; nothing deleted` };
  }

  const profileId = matched[0];
  if (profileId === undefined) {
    return { reason: `no matching profile for ${shown}` };
  }

  for (const [field, ids] of idsByField) {
    if (ids.some((id) => id !== profileId)) {
      return {
        reason: `conflict: ${shown} and ${field} ${maskIdentifier(field, record.identifiers[field] ?? '')} point at two different profiles; nothing deleted`,
      };
    }
  }
  return { profileId };
}
