import { maskedSecret, secretFieldsOf, secretParts } from '../core/definition.js';
import type {
  Definition,
  DefinitionInput,
  SealedDefinition,
  SealedSecret,
  SecretPart,
} from '../core/definition.js';
import { sealSecret, unsealSecret } from './secret-sealing.js';
import type { SecretKeyring } from './secret-sealing.js';

type PlainSecretParts = Pick<DefinitionInput, SecretPart>;
type SealedSecretParts = Pick<SealedDefinition, SecretPart>;

/**
 * Seals every secret of a definition's source, encryption and webhook settings with the current key.
 * Each secret is bound to `definitionId` and its field, so it cannot be moved to another place.
 * Values are sealed as JSON, so object-valued secrets (a service-account key) keep their shape.
 */
export function sealDefinitionSecrets(
  parts: PlainSecretParts,
  keyring: SecretKeyring,
  definitionId: string,
): SealedSecretParts {
  return mapSecrets(parts, definitionId, (value, context) =>
    sealSecret(keyring, JSON.stringify(value), context),
  ) as SealedSecretParts;
}

/**
 * Returns the definition with its secrets in plain text, for the activity that opens its source or
 * signs its webhook. Keep the result in memory: never log it, store it, or pass it to a workflow.
 * @throws SecretUnsealError when a secret's key is no longer configured or the stored value was altered.
 */
export function unsealDefinitionSecrets(definition: SealedDefinition, keyring: SecretKeyring): Definition {
  const unsealed = mapSecrets(
    definition,
    definition.id,
    (value, context) => JSON.parse(unsealSecret(keyring, value as SealedSecret, context)) as unknown,
  );
  return { ...definition, ...unsealed } as Definition;
}

/** Returns the secret parts with every secret replaced by the masked marker, as the API shows them. */
export function maskDefinitionSecrets(parts: SealedSecretParts): Partial<Record<SecretPart, unknown>> {
  return mapSecrets(parts, '', () => maskedSecret);
}

/**
 * Returns a copy of the secret parts with `transform` applied to each secret that is set. Fields
 * outside the secret parts are left out.
 */
function mapSecrets(
  parts: Partial<Record<SecretPart, unknown>>,
  definitionId: string,
  transform: (value: unknown, context: string) => unknown,
): Partial<Record<SecretPart, unknown>> {
  // Parts that are absent stay absent: the MongoDB driver would store an `undefined` field as null.
  const result: Partial<Record<SecretPart, unknown>> = {};
  for (const part of secretParts) {
    const settings = parts[part];
    if (settings === undefined) {
      continue;
    }
    if (settings === null || typeof settings !== 'object') {
      result[part] = settings;
      continue;
    }

    const copy: Record<string, unknown> = { ...settings };
    for (const field of secretFieldsOf(part, copy)) {
      if (copy[field] !== undefined) {
        copy[field] = transform(copy[field], `${definitionId}/${part}.${field}`);
      }
    }
    result[part] = copy;
  }
  return result;
}
