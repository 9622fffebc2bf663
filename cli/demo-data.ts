import type { ProfileDocument } from '../store/profiles.js';

/** Profiles the demo seeds: id `demo-i`, email `customerI@example.com`, external id `cust-I`. */
export function demoProfiles(count: number): ProfileDocument[] {
  return Array.from({ length: count }, (_, i) => ({
    _id: `demo-${i}`,
    email: `customer${i}@example.com`,
    external_id: `cust-${i}`,
    given_name: `Customer ${i}`,
    custom_fields: { has_loyalty_card: i % 3 === 0 },
  }));
}

/** Contents of the demo file, so the demo can show the counts the job must reach. */
export interface DemoFile {
  csv: string;
  named: number;
  unknown: number;
  duplicates: number;
  conflicts: number;
  malformed: number;
}

/**
 * Writes a CSV naming `named` seeded profiles by email (some in upper case or with spaces), followed by
 * unknown emails, lines repeating an earlier one, lines whose email and external id name two different
 * profiles, and malformed lines (invalid email, no identifier, too many cells).
 */
export function demoCsv(named: number): DemoFile {
  const lines = ['email;external_id;given_name;custom_fields.has_loyalty_card'];
  for (let i = 0; i < named; i += 1) {
    const email =
      i % 7 === 0
        ? `Customer${i}@Example.com`
        : i % 11 === 0
          ? ` customer${i}@example.com `
          : `customer${i}@example.com`;
    lines.push(`${email};;Customer ${i};${i % 3 === 0 ? 'TRUE' : 'false'}`);
  }

  const unknown = 100;
  for (let i = 0; i < unknown; i += 1) {
    lines.push(`stranger${i}@example.net;;Stranger;`);
  }

  const duplicates = 50;
  for (let i = 0; i < duplicates; i += 1) {
    lines.push(`CUSTOMER${i * 3}@EXAMPLE.COM;;Again;`);
  }

  const conflicts = 20;
  for (let i = 0; i < conflicts; i += 1) {
    lines.push(`customer${9000 + i}@example.com;cust-${9500 + i};Mixed up;`);
  }

  const invalidEmails = 15;
  const emptyRows = 10;
  const longRows = 5;
  for (let i = 0; i < invalidEmails; i += 1) {
    lines.push(`not an email ${i};;Broken;`);
  }
  for (let i = 0; i < emptyRows; i += 1) {
    lines.push(';;;');
  }
  for (let i = 0; i < longRows; i += 1) {
    lines.push(`customer${9800 + i}@example.com;;Too;many;cells;here`);
  }

  return {
    csv: lines.join('\n') + '\n',
    named,
    unknown,
    duplicates,
    conflicts,
    malformed: invalidEmails + emptyRows + longRows,
  };
}
