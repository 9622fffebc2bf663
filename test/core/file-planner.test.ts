import { describe, expect, it } from 'vitest';

import { FilePlanner } from '../../core/plan/file-planner.js';
import type { ProfileRecord } from '../../core/profile-record.js';

function planRecords(records: ProfileRecord[]) {
  const planner = new FilePlanner({ matchBy: 'auto', defaultRegion: 'FR', chunkRecords: 2, maxRecords: 100 });
  records.forEach((record, i) => planner.add({ kind: 'record', line: i + 2, offset: i * 10, record }));
  return { warnings: planner.takeWarnings(), plan: planner.finish(records.length * 10) };
}

describe('FilePlanner', () => {
  it('fails a repeat of any identifier', () => {
    const { warnings, plan } = planRecords([
      { external_id: 'E1', email: 'ana@example.com' },
      { email: ' Ana@Example.com ' },
      { external_id: 'E1' },
      { external_id: 'E2', email: 'bob@example.com' },
    ]);

    expect(warnings.map((warning) => warning.content)).toEqual([
      'Line 3: duplicate of line 2 (same email a***@example.com); skipped, not applied twice.',
      'Line 4: duplicate of line 2 (same external_id ***); skipped, not applied twice.',
    ]);
    expect(plan.failed).toBe(2);
    expect(plan.chunks.map((chunk) => chunk.skipLines)).toEqual([[3], [4]]);
  });

  it('repeated line registers none of its identifiers', () => {
    const { warnings } = planRecords([
      { email: 'ana@example.com' },
      { external_id: 'NEW-1', email: 'ana@example.com' },
      { external_id: 'NEW-1' },
    ]);

    // Line 3 was skipped, so line 4 is the first to carry NEW-1 and is not a duplicate.
    expect(warnings.map((warning) => warning.line)).toEqual([3]);
  });

  it('cuts chunks at record offsets', () => {
    const { plan } = planRecords([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);

    expect(
      plan.chunks.map((chunk) => [chunk.startOffset, chunk.endOffset, chunk.startLine, chunk.recordCount]),
    ).toEqual([
      [0, 20, 2, 2],
      [20, 30, 4, 1],
    ]);
    expect(plan.total).toBe(3);
  });
});
