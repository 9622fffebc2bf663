/**
 * One profile as read from a file, with flattened columns (`custom_fields.x`) already nested.
 * Identifier fields keep the exact text of the file; typing applies to other fields only.
 */
export type ProfileRecord = { [field: string]: unknown };

/** An item read from a profile file. Lines are 1-based; offsets are bytes from the file's first byte. */
export type ReaderItem =
  | {
      kind: 'header';
      /** The CSV header row as written (column names, unquoted). */
      columns: string[];
      /** Byte offset of the first byte after the header row. */
      endOffset: number;
      /** Line number of the line after the header row. */
      nextLine: number;
    }
  | { kind: 'record'; line: number; offset: number; record: ProfileRecord }
  | {
      kind: 'invalid';
      line: number;
      offset: number;
      /** Reason the record was skipped, for a WARNING log line. It contains no field values. */
      reason: string;
    };
