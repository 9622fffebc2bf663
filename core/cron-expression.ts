/**
 * Checks of the cron expressions a definition's schedule may use: the five classic fields
 * (minute, hour, day of month, month, day of week) or one of the shorthands below. Temporal
 * Schedules accept more forms (seconds, years, `@every`, a `CRON_TZ=` prefix). Here the time zone
 * is a field of its own, so those forms are rejected rather than half supported.
 */

export const cronShorthands = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@hourly'] as const;

interface CronField {
  name: string;
  min: number;
  max: number;
  /** Names allowed in place of numbers, in order from `min`. */
  names?: readonly string[];
}

const monthNames = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const dayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const cronFields: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: monthNames },
  { name: 'day of week', min: 0, max: 6, names: dayNames },
];

/**
 * Returns why `expression` is not a cron expression this project accepts, or null when it is one.
 * The reason names the field and its allowed values, for example
 * `hour field "24" must be 0-23, a range, a list or a step ...`.
 */
export function describeCronProblem(expression: string): string | null {
  const trimmed = expression.trim();
  if (trimmed.startsWith('@')) {
    return (cronShorthands as readonly string[]).includes(trimmed.toLowerCase())
      ? null
      : `shorthand must be one of ${cronShorthands.join(', ')}`;
  }

  const parts = trimmed.split(/\s+/);
  if (parts.length !== cronFields.length) {
    return `must have 5 fields (minute hour day-of-month month day-of-week) such as "0 3 * * MON", not ${parts.length}`;
  }

  for (const [index, field] of cronFields.entries()) {
    const part = parts[index] ?? '';
    if (!part.split(',').every((item) => isValidItem(item, field))) {
      const allowed =
        field.names === undefined
          ? `${field.min}-${field.max}`
          : `${field.min}-${field.max} or ${field.names[0]}-${field.names.at(-1)}`;
      return `${field.name} field "${part}" must be ${allowed}, a range, a list or a step such as */15`;
    }
  }
  return null;
}

/** Checks one comma-separated item: `*`, a value, a range, each optionally with a `/step`. */
function isValidItem(item: string, field: CronField): boolean {
  const [range, step, extra] = item.split('/');
  if (range === undefined || extra !== undefined) {
    return false;
  }
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1 && Number(step) <= field.max)) {
    return false;
  }
  if (range === '*') {
    return true;
  }

  const bounds = range.split('-');
  if (bounds.length > 2) {
    return false;
  }
  const values = bounds.map((bound) => readValue(bound, field));
  if (values.some((value) => value === null)) {
    return false;
  }
  const [start, end] = values as number[];
  return end === undefined || (start !== undefined && start <= end);
}

function readValue(text: string, field: CronField): number | null {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    return value >= field.min && value <= field.max ? value : null;
  }
  const nameIndex = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return nameIndex === -1 ? null : field.min + nameIndex;
}
