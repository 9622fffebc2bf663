/** Reason an encrypted file could not be decrypted. */
export type DecryptionFailure =
  /** The file lacks the `Salted__` header of `openssl enc -salt`, or is not in the chosen format. */
  | 'not_openssl_format'
  /** The file is in openssl's format but was encrypted with the old key derivation (no `-pbkdf2`). */
  | 'old_key_derivation'
  /** The padding or the first block shows that the key is wrong. */
  | 'wrong_password'
  /** The length or the base64 text cannot come from `openssl enc -aes-256-cbc`. */
  | 'malformed';

/**
 * Thrown when an encrypted file cannot be decrypted with the definition's encryption settings.
 * Retrying cannot help, so the job fails with this message in an ERROR log line. The message
 * names the file and the setting to check, never the password.
 */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';

  constructor(
    message: string,
    readonly failure: DecryptionFailure,
  ) {
    super(message);
  }
}
