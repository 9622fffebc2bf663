/**
 * Compares the full-file scan rate of `readRecords`, and of the plan's loop (reader batches into a
 * `FilePlanner`), with bare csv-parse over the same generated CSV file, and prints JSON with the
 * rates in records per second and their ratios. Every row carries an e-mail address, an external id
 * and a phone number, so the planner normalises three identifiers per row.
 *
 * Run: `npx tsx bench/csv-scan.ts [rows]` (default 100,000 rows). Each reader scans the file
 * `rounds` times after one warm-up scan, and the best round counts, which damps noise from other
 * processes. csv-parse runs twice: producing arrays (its fastest mode) and producing objects keyed
 * by the header (`columns: true`), the closer match to what `readRecords` returns.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { parse } from 'csv-parse';

import { defaultFileFormat } from '../core/file-format.js';
import { FilePlanner } from '../core/plan/file-planner.js';
import { readRecordBatches, readRecords } from '../core/readers/read-records.js';

const rows = Number(process.argv[2] ?? 100_000);
const rounds = 5;

const givenNames = ['Ana', 'Bob', 'Zoé', 'Jérôme', 'Carl', 'Inès', 'Dan', 'Eve'];

/** Builds a CSV file in the default dialect: a tenth of the rows have a quoted note with an escaped quote and a delimiter. */
function buildCsv(count: number): string {
  const lines = [
    'email;external_id;phone_number;given_name;custom_fields.has_loyalty_card;custom_fields.points;consents.newsletter.granted;note',
  ];
  for (let index = 0; index < count; index++) {
    const name = givenNames[index % givenNames.length]!;
    const note = index % 10 === 0 ? `"said \\"ok\\"; call back"` : 'plain note';
    const phone = `06${String(10_000_000 + index).slice(-8)}`;
    lines.push(
      `user${index}@example.com;${String(index).padStart(8, '0')};${phone};${name};${index % 2 === 0};${index % 500};TRUE;${note}`,
    );
  }
  return lines.join('\n') + '\n';
}

async function scanWithCsvParse(path: string, columns: boolean): Promise<number> {
  // Without `columns`, csv-parse returns the header as a row, so `from_line` skips it.
  const parser = createReadStream(path).pipe(
    parse({ delimiter: ';', quote: '"', escape: '\\', bom: true, columns, from_line: columns ? 1 : 2 }),
  );
  let count = 0;
  for await (const _record of parser) count += 1;
  return count;
}

async function scanWithReadRecords(path: string): Promise<number> {
  let count = 0;
  for await (const item of readRecords(createReadStream(path), { fileFormat: defaultFileFormat })) {
    if (item.kind === 'record') count += 1;
  }
  return count;
}

/** Runs the plan's own loop: reader batches into a FilePlanner, which checks identifiers and duplicates. */
async function scanWithPlanner(path: string): Promise<number> {
  const planner = new FilePlanner({
    matchBy: 'auto',
    defaultRegion: 'FR',
    chunkRecords: 5_000,
    maxRecords: rows,
  });
  for await (const items of readRecordBatches(createReadStream(path), { fileFormat: defaultFileFormat })) {
    for (const item of items) planner.add(item);
  }
  return planner.finish(0).total;
}

/** Runs `scan` once to warm up, then `rounds` times, and returns the best rate in records per second. */
async function bestRate(scan: () => Promise<number>): Promise<number> {
  await scan();
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const count = await scan();
    const seconds = (performance.now() - started) / 1000;
    if (count !== rows) throw new Error(`scan returned ${count} records, expected ${rows}`);
    best = Math.max(best, count / seconds);
  }
  return Math.round(best);
}

const directory = await mkdtemp(join(tmpdir(), 'csv-scan-'));
try {
  const path = join(directory, 'profiles.csv');
  await writeFile(path, buildCsv(rows));

  const csvParseArraysRate = await bestRate(() => scanWithCsvParse(path, false));
  const csvParseObjectsRate = await bestRate(() => scanWithCsvParse(path, true));
  const readRecordsRate = await bestRate(() => scanWithReadRecords(path));
  const planRate = await bestRate(() => scanWithPlanner(path));

  console.log(
    JSON.stringify(
      {
        rows,
        node: process.version,
        readRecordsRecordsPerSecond: readRecordsRate,
        planRecordsPerSecond: planRate,
        csvParseArraysRecordsPerSecond: csvParseArraysRate,
        csvParseObjectsRecordsPerSecond: csvParseObjectsRate,
        ratioToCsvParseArrays: Number((readRecordsRate / csvParseArraysRate).toFixed(2)),
        ratioToCsvParseObjects: Number((readRecordsRate / csvParseObjectsRate).toFixed(2)),
        planRatioToCsvParseArrays: Number((planRate / csvParseArraysRate).toFixed(2)),
      },
      null,
      2,
    ),
  );
} finally {
  await rm(directory, { recursive: true, force: true });
}
