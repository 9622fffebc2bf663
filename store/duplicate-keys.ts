import { MongoBulkWriteError } from 'mongodb';

const duplicateKeyCode = 11000;

/**
 * Returns the indexes of the documents an unordered insertMany rejected because their `_id` (or
 * another unique key) already exists, or null when the error is anything else.
 */
export function duplicateKeyIndexes(error: unknown): number[] | null {
  if (!(error instanceof MongoBulkWriteError) || !Array.isArray(error.writeErrors)) {
    return null;
  }
  if (!error.writeErrors.every((writeError) => writeError.code === duplicateKeyCode)) {
    return null;
  }
  return error.writeErrors.map((writeError) => writeError.index);
}
