/**
 * Temporal failure types that retrying cannot fix, shared by the activities that raise them and the
 * workflow retry policies that stop on them. Errors cross the Temporal boundary as data, so the
 * workflow matches these names rather than error classes.
 */
export const nonRetryableFailureTypes = [
  'FileFormatError',
  'TooManyRecordsError',
  'SourceError',
  'DecryptionError',
  'JobNotFound',
  'DefinitionNotFound',
  'ChunkNotPlanned',
  'SecretUnsealError',
];
