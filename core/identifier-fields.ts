/** Fields that identify a profile, in the order `match_by: auto` tries them. Each is unique across profiles. */
export const identifierFields = ['id', 'external_id', 'custom_identifier', 'email', 'phone_number'] as const;

export type IdentifierField = (typeof identifierFields)[number];
