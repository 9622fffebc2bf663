import type { ProfileDocument } from '../../store/profiles.js';

/**
 * A known store and a 1,000-record deletion file over it, with every kind of outcome.
 * Profile i has id `p-i`, email `personI@example.com` and external id `ext-I`; profiles 1100–1199 also
 * have the phone number +33610001100 + (i − 1100).
 *
 * Records, by index r (file line r + 2 in CSV):
 * - 0–859: email of profile r, some in upper case or with spaces → deleted
 * - 860–889: external id of profile r → deleted
 * - 890–909: phone of profile r + 210 in French local form → deleted
 * - 910–949: unknown email → no matching profile
 * - 950–969: email of record r − 950 in upper case → duplicate of its line
 * - 970–979: email of profile r + 30 with external id of profile r + 80 → conflict
 * - 980–989: invalid email; 990–994: no identifier; 995–999: invalid phone number
 */
export const fixtureProfileCount = 1_200;
export const fixtureRecordCount = 1_000;
export const expectedSucceeded = 910;
export const expectedFailed = 90;

export function fixtureProfiles(): ProfileDocument[] {
  return Array.from({ length: fixtureProfileCount }, (_, i) => ({
    _id: `p-${i}`,
    email: `person${i}@example.com`,
    external_id: `ext-${i}`,
    ...(i >= 1100 ? { phone_number: `+3361000${i}` } : {}),
    given_name: `Person ${i}`,
  }));
}

/** Ids of the profiles the file deletes. */
export function expectedDeletedIds(): string[] {
  const ids: string[] = [];
  for (let i = 0; i < 890; i += 1) {
    ids.push(`p-${i}`);
  }
  for (let i = 1100; i < 1120; i += 1) {
    ids.push(`p-${i}`);
  }
  return ids;
}

interface FixtureRecord {
  email?: string;
  external_id?: string;
  phone_number?: string;
  given_name?: string;
  vip?: boolean;
}

export function fixtureRecords(): FixtureRecord[] {
  const records: FixtureRecord[] = [];
  for (let r = 0; r < fixtureRecordCount; r += 1) {
    records.push(fixtureRecord(r));
  }
  return records;
}

function fixtureRecord(r: number): FixtureRecord {
  if (r < 860) {
    const email =
      r % 10 === 0
        ? `Person${r}@Example.COM`
        : r % 10 === 1
          ? ` person${r}@example.com `
          : `person${r}@example.com`;
    return { email, given_name: `Person ${r}`, vip: r % 2 === 0 };
  }
  if (r < 890) {
    return { external_id: `ext-${r}` };
  }
  if (r < 910) {
    const digits = String(r + 210);
    return { phone_number: `06 10 00 ${digits.slice(0, 2)} ${digits.slice(2)}` };
  }
  if (r < 950) {
    return { email: `nobody${r}@example.com` };
  }
  if (r < 970) {
    return { email: `PERSON${r - 950}@EXAMPLE.COM` };
  }
  if (r < 980) {
    return { email: `person${r + 30}@example.com`, external_id: `ext-${r + 80}` };
  }
  if (r < 990) {
    return { email: `not-an-email-${r}` };
  }
  if (r < 995) {
    return {};
  }
  return { phone_number: '12345' };
}

/** The fixture as CSV with the default options (`;`, `"`, `\`), record r on line r + 2. */
export function fixtureCsv(): string {
  const header = 'email;external_id;phone_number;given_name;custom_fields.vip';
  const rows = fixtureRecords().map((record) =>
    [record.email, record.external_id, record.phone_number, record.given_name, record.vip]
      .map((value) => (value === undefined ? '' : String(value)))
      .join(';'),
  );
  return [header, ...rows].join('\n') + '\n';
}

/**
 * The fixture as JSON objects separated by line feeds. Every tenth object is pretty-printed over
 * several lines, so objects that span lines are part of the run.
 */
export function fixtureJson(): string {
  return fixtureRecords()
    .map((record, r) => {
      const object = {
        ...(record.email === undefined ? {} : { email: record.email }),
        ...(record.external_id === undefined ? {} : { external_id: record.external_id }),
        ...(record.phone_number === undefined ? {} : { phone_number: record.phone_number }),
        ...(record.given_name === undefined ? {} : { given_name: record.given_name }),
        ...(record.vip === undefined ? {} : { custom_fields: { vip: record.vip } }),
      };
      return r % 10 === 3 ? JSON.stringify(object, null, 2) : JSON.stringify(object);
    })
    .join('\n');
}
