import type { MatchBy } from '../definition.js';
import { identifierFields, readIdentifiers } from '../identifiers.js';
import type { IdentifierField, Identifiers } from '../identifiers.js';
import type { ProfileRecord } from '../profile-record.js';

/** A record ready to match: its normalised identifiers and the one that decides the match. */
export interface MatchableRecord {
  identifiers: Identifiers;
  matchField: IdentifierField;
}

export type RecordClassification = ({ ok: true } & MatchableRecord) | { ok: false; reason: string };

export interface ClassifyOptions {
  matchBy: MatchBy;
  defaultRegion: string;
}

/**
 * Decides whether a record can be matched and by which identifier. With `auto`, the first identifier
 * the record carries in the order id, external_id, custom_identifier, email, phone_number decides;
 * otherwise the record must carry the `matchBy` field. Reasons contain masked values only.
 */
export function classifyRecord(record: ProfileRecord, options: ClassifyOptions): RecordClassification {
  const reading = readIdentifiers(record, { defaultRegion: options.defaultRegion });
  if (!reading.ok) {
    return reading;
  }

  if (options.matchBy === 'auto') {
    const first = identifierFields.find((field) => reading.identifiers[field] !== undefined);
    if (first === undefined) {
      return { ok: false, reason: 'no identifier: the record has none of ' + identifierFields.join(', ') };
    }
    return { ok: true, identifiers: reading.identifiers, matchField: first };
  }

  if (reading.identifiers[options.matchBy] === undefined) {
    return {
      ok: false,
      reason: `missing identifier ${options.matchBy}: the definition matches records by ${options.matchBy}`,
    };
  }
  return { ok: true, identifiers: reading.identifiers, matchField: options.matchBy };
}
