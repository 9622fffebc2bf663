import type { Store } from '../store/connect-store.js';
import { openJobLogCursor } from '../store/job-logs.js';
import type { JobLogDocument } from '../store/job-logs.js';
import { streamedBody } from './streamed-body.js';

export type LogDownloadFormat = 'jsonl' | 'csv';

/** Log entries fetched per round trip to the store, which is the most a download keeps in memory. */
const logBatchSize = 1_000;

const csvHeader = 'date,level,line,content\r\n';

/**
 * Streams a job's log as JSON lines (`{"date","level","line","content"}` per line) or as CSV
 * (RFC 4180: comma-separated, CRLF line ends, fields quoted when needed, with a header row).
 */
export function logDownloadResponse(
  store: Store,
  jobId: string,
  options: { errorsOnly: boolean; format: LogDownloadFormat },
): Response {
  const cursor = openJobLogCursor(store, jobId, { errorsOnly: options.errorsOnly, batchSize: logBatchSize });
  const suffix = options.errorsOnly ? '-errors' : '';
  const contentType =
    options.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';

  return new Response(streamedBody(encodeEntries(cursor, options.format)), {
    status: 200,
    headers: {
      'content-type': contentType,
      'content-disposition': `attachment; filename="job-${jobId}-logs${suffix}.${options.format}"`,
    },
  });
}

async function* encodeEntries(
  cursor: AsyncIterable<JobLogDocument> & { close(): Promise<void> },
  format: LogDownloadFormat,
): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  try {
    if (format === 'csv') {
      yield encoder.encode(csvHeader);
    }
    for await (const entry of cursor) {
      yield encoder.encode(format === 'csv' ? csvRow(entry) : jsonLine(entry));
    }
  } finally {
    await cursor.close();
  }
}

function jsonLine(entry: JobLogDocument): string {
  return `${JSON.stringify({ date: entry.date.toISOString(), level: entry.level, line: entry.line, content: entry.content })}\n`;
}

function csvRow(entry: JobLogDocument): string {
  const fields = [
    entry.date.toISOString(),
    entry.level,
    entry.line === null ? '' : String(entry.line),
    entry.content,
  ];
  return `${fields.map(csvField).join(',')}\r\n`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
