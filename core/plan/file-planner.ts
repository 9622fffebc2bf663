import { identifierFields, maskIdentifier } from '../identifiers.js';
import type { IdentifierField, Identifiers } from '../identifiers.js';
import type { ReaderItem } from '../profile-record.js';
import { classifyRecord } from './classify-record.js';
import type { ClassifyOptions } from './classify-record.js';
import { FirstLineIndex } from './first-line-index.js';

/** A slice of the file holding `recordCount` records, the first starting at `startOffset` on `startLine`. */
export interface PlannedChunk {
  index: number;
  startOffset: number;
  endOffset: number;
  startLine: number;
  recordCount: number;
  /** Lines that repeat an identifier of an earlier line; they are failed here and not applied. */
  skipLines: number[];
}

/** A record-level finding of the plan, ready to be written as a WARNING log line. */
export interface PlanWarning {
  line: number;
  content: string;
}

export interface FilePlannerOptions extends ClassifyOptions {
  /** Records per chunk. */
  chunkRecords: number;
  /** Largest number of records the file may hold. */
  maxRecords: number;
}

/** Thrown by the planner when the file contains more records than allowed. */
export class TooManyRecordsError extends Error {
  override readonly name = 'TooManyRecordsError';

  constructor(readonly maxRecords: number) {
    super(
      `The file holds more than ${maxRecords} records, the most one job may process. ` +
        `Split it into files of at most ${maxRecords} records and run them one after the other.`,
    );
  }
}

/**
 * Plans a job from one pass over its file: counts records, fails invalid ones and those repeating an
 * identifier of an earlier line, and cuts the file into chunks at record starts.
 * Feed every reader item to `add`, then call `finish` with the file size.
 */
export class FilePlanner {
  private readonly chunks: PlannedChunk[] = [];
  private current: PlannedChunk | null = null;
  private warnings: PlanWarning[] = [];
  private readonly firstLineByIdentifier = new FirstLineIndex();
  private header: string[] | null = null;
  private recordCount = 0;
  private failedCount = 0;

  constructor(private readonly options: FilePlannerOptions) {}

  add(item: ReaderItem): void {
    if (item.kind === 'header') {
      this.header = item.columns;
      return;
    }

    this.recordCount += 1;
    if (this.recordCount > this.options.maxRecords) {
      throw new TooManyRecordsError(this.options.maxRecords);
    }
    const chunk = this.chunkFor(item.offset, item.line);
    chunk.recordCount += 1;

    if (item.kind === 'invalid') {
      this.fail(item.line, item.reason);
      return;
    }

    const classification = classifyRecord(item.record, this.options);
    if (!classification.ok) {
      this.fail(item.line, classification.reason);
      return;
    }

    const repeated = this.findRepeatedIdentifier(item.line, classification.identifiers);
    if (repeated !== null) {
      chunk.skipLines.push(item.line);
      this.fail(
        item.line,
        `duplicate of line ${repeated.line} (same ${repeated.field} ${repeated.masked}); skipped, not applied twice`,
      );
    }
  }

  /** Returns the warnings found since the last call, so they can be written in batches. */
  takeWarnings(): PlanWarning[] {
    const taken = this.warnings;
    this.warnings = [];
    return taken;
  }

  get records(): number {
    return this.recordCount;
  }

  finish(fileSize: number): {
    chunks: PlannedChunk[];
    header: string[] | null;
    total: number;
    failed: number;
  } {
    if (this.current !== null) {
      this.current.endOffset = fileSize;
    }
    return { chunks: this.chunks, header: this.header, total: this.recordCount, failed: this.failedCount };
  }

  private chunkFor(offset: number, line: number): PlannedChunk {
    if (this.current === null || this.current.recordCount >= this.options.chunkRecords) {
      if (this.current !== null) {
        this.current.endOffset = offset;
      }
      this.current = {
        index: this.chunks.length,
        startOffset: offset,
        endOffset: offset,
        startLine: line,
        recordCount: 0,
        skipLines: [],
      };
      this.chunks.push(this.current);
    }
    return this.current;
  }

  private fail(line: number, reason: string): void {
    this.failedCount += 1;
    this.warnings.push({ line, content: `Line ${line}: ${reason}.` });
  }

  /**
   * Remembers the record's identifiers and returns the first one an earlier line already used.
   * A repeated line registers nothing, so later repeats still name the first line.
   */
  private findRepeatedIdentifier(
    line: number,
    identifiers: Identifiers,
  ): { line: number; field: IdentifierField; masked: string } | null {
    const index = this.firstLineByIdentifier;
    let carried = 0;
    let onlyField = -1;
    for (let field = 0; field < identifierFields.length; field++) {
      if (identifiers[identifierFields[field]!] !== undefined) {
        carried += 1;
        onlyField = field;
      }
    }

    // Most records carry one identifier, and one lookup both checks and registers it.
    if (carried === 1) {
      const value = identifiers[identifierFields[onlyField]!]!;
      const earlier = index.addIfAbsent(onlyField, value, line);
      return earlier === -1 ? null : repeatedIdentifier(earlier, identifierFields[onlyField]!, value);
    }

    for (let field = 0; field < identifierFields.length; field++) {
      const value = identifiers[identifierFields[field]!];
      const earlier = value === undefined ? -1 : index.find(field, value);
      if (earlier !== -1) {
        return repeatedIdentifier(earlier, identifierFields[field]!, value!);
      }
    }
    for (let field = 0; field < identifierFields.length; field++) {
      const value = identifiers[identifierFields[field]!];
      if (value !== undefined) index.addIfAbsent(field, value, line);
    }
    return null;
  }
}

function repeatedIdentifier(
  line: number,
  field: IdentifierField,
  value: string,
): { line: number; field: IdentifierField; masked: string } {
  return { line, field, masked: maskIdentifier(field, value) };
}
