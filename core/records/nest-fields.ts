import { FileFormatError } from '../file-errors.js';
import type { ProfileRecord } from '../profile-record.js';
import { valueKindOf, type ValueKind } from './type-values.js';

/**
 * Field names in both formats may be dotted (`consents.newsletter.granted`): each part is one level
 * of nesting, so the value lands at `record.consents.newsletter.granted`.
 */

/** Mapping of one CSV column to a record field. */
export interface ColumnPlan {
  /** Column name without surrounding spaces, or empty for an unnamed column. */
  name: string;
  /** Object keys from the record down to the value, or empty for an unnamed column. */
  path: string[];
  kind: ValueKind;
}

/** Splits a dotted field name into its parts, or returns why the name cannot be a field. */
export function parseFieldPath(name: string): string[] | { error: string } {
  const path = name.split('.');
  if (path.some((part) => part === '')) {
    return { error: `field name "${name}" has an empty part between its dots` };
  }
  // Assigning `__proto__` on a plain object replaces its prototype instead of adding a field.
  if (path.includes('__proto__')) {
    return { error: `field name "${name}" uses the reserved name __proto__` };
  }
  return path;
}

/**
 * Maps each header column to its field path and value kind. `headerLine` is the header's line
 * number for error messages, or undefined when the header came from an earlier read.
 *
 * @throws FileFormatError when a column name is not a valid field name, appears twice, or names a
 *   field that another column nests values under (`custom_fields` beside `custom_fields.tier`).
 */
export function planColumns(columns: readonly string[], headerLine: number | undefined): ColumnPlan[] {
  const where = headerLine === undefined ? 'invalid header' : `invalid header at line ${headerLine}`;
  const plans: ColumnPlan[] = [];
  const columnByName = new Map<string, number>();

  for (const [index, column] of columns.entries()) {
    const name = column.trim();
    if (name === '') {
      plans.push({ name, path: [], kind: 'text' });
      continue;
    }

    const path = parseFieldPath(name);
    if (!Array.isArray(path)) {
      throw new FileFormatError(`${where}, column ${index + 1}: ${path.error}`, headerLine);
    }
    const earlier = columnByName.get(name);
    if (earlier !== undefined) {
      throw new FileFormatError(
        `${where}: column "${name}" appears twice (columns ${earlier + 1} and ${index + 1})`,
        headerLine,
      );
    }
    columnByName.set(name, index);
    plans.push({ name, path, kind: valueKindOf(path) });
  }

  for (const plan of plans) {
    for (let length = 1; length < plan.path.length; length++) {
      const prefix = plan.path.slice(0, length).join('.');
      if (columnByName.has(prefix)) {
        throw new FileFormatError(
          `${where}: column "${plan.name}" nests a field under column "${prefix}", which is a value. Keep only one of them.`,
          headerLine,
        );
      }
    }
  }

  return plans;
}

/**
 * Sets `value` at `path` in `record`, creating the objects on the way. Returns false, leaving the
 * record unchanged at that path, when a part of the path already contains a non-object value or the
 * final field is already set.
 */
export function setNestedField(record: ProfileRecord, path: readonly string[], value: unknown): boolean {
  let target: ProfileRecord = record;
  const last = path.length - 1;

  for (let index = 0; index < last; index++) {
    const key = path[index]!;
    // Object.hasOwn, because inherited names such as `constructor` must not resolve to Object's members.
    if (!Object.hasOwn(target, key)) {
      const created: ProfileRecord = {};
      target[key] = created;
      target = created;
      continue;
    }
    const existing = target[key];
    if (!isPlainObject(existing)) return false;
    target = existing;
  }

  const key = path[last]!;
  if (Object.hasOwn(target, key)) return false;
  target[key] = value;
  return true;
}

/**
 * Moves every dotted top-level key of a JSON record into nested objects, merging with objects the
 * record already has. Returns why the record is invalid, or undefined when all keys were moved.
 */
export function nestDottedKeys(record: ProfileRecord): string | undefined {
  for (const key of Object.keys(record)) {
    if (!key.includes('.')) continue;

    const path = parseFieldPath(key);
    if (!Array.isArray(path)) return path.error;

    const value = record[key];
    delete record[key];
    if (!setNestedField(record, path, value)) {
      return `field "${key}" conflicts with another field that already sets it or one of its parent objects`;
    }
  }
  return undefined;
}

function isPlainObject(value: unknown): value is ProfileRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
