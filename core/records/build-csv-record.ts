import type { ProfileRecord } from '../profile-record.js';
import { setNestedField, type ColumnPlan } from './nest-fields.js';
import { inferValue, parseBoolean } from './type-values.js';

/**
 * Builds the record of one CSV row from its cells and the header's column plans. Empty cells are
 * absent fields, so a row of empty cells gives an empty record. Values are typed by the rules in
 * `type-values.ts`. Returns the reason the row is invalid instead of a record when it has more cells
 * than the header has columns, a value under an unnamed column, or a boolean column with other text.
 * Reasons name the line and columns but never a value.
 */
export function buildCsvRecord(
  cells: readonly string[],
  plans: readonly ColumnPlan[],
  line: number,
): ProfileRecord | string {
  if (cells.length > plans.length) {
    return `line ${line} has ${cells.length} cells but the header has ${plans.length} columns`;
  }

  const record: ProfileRecord = {};
  for (let index = 0; index < cells.length; index++) {
    const cell = cells[index]!;
    if (cell === '') continue;

    const plan = plans[index]!;
    const path = plan.path;
    if (path.length === 0) {
      return `line ${line} has a value in column ${index + 1}, which has no name in the header`;
    }

    let value: unknown = cell;
    if (plan.kind === 'inferred') {
      value = inferValue(cell);
    } else if (plan.kind === 'boolean') {
      value = parseBoolean(cell);
      if (value === undefined) return `${plan.name} at line ${line} must be true or false`;
    }

    if (path.length === 1) {
      record[path[0]!] = value;
    } else {
      // planColumns rejected repeated and conflicting column names, so this assignment cannot fail.
      setNestedField(record, path, value);
    }
  }
  return record;
}
