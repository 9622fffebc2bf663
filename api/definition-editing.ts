import { definitionInputSchema, maskedSecret, secretFieldsOf, secretParts } from '../core/definition.js';
import type { SealedDefinition, DefinitionInput, DefinitionPatch } from '../core/definition.js';
import { isSealedSecret, SecretUnsealError, unsealSecret } from '../store/secret-sealing.js';
import type { SecretKeyring } from '../store/secret-sealing.js';
import { sealDefinitionSecrets } from '../store/secret-sealing-definitions.js';
import { ApiError, describeValidationIssues } from './api-errors.js';

/** Fields whose change would alter what a running job reads, so they cannot change while one runs. */
export const runAffectingFields = [
  'source',
  'encryption',
  'file_format',
  'match_by',
  'default_phone_region',
  'for_deletion',
] as const;

/** Parts of a definition that an edit merges field by field instead of replacing. */
const mergedParts = new Set(['source', 'encryption', 'file_format', 'schedule', 'webhook']);

/**
 * Builds a new definition from a checked input, with its secrets sealed.
 * @throws ApiError 400 when a secret is the masked marker, which is never a real secret.
 */
export function buildNewDefinition(
  input: DefinitionInput,
  options: { id: string; keyring: SecretKeyring; now: Date },
): SealedDefinition {
  rejectMaskedSecrets(input);
  const { source: _source, encryption: _encryption, webhook: _webhook, ...plainFields } = input;
  return {
    ...plainFields,
    ...sealDefinitionSecrets(input, options.keyring, options.id),
    id: options.id,
    created_at: options.now,
    updated_at: options.now,
  };
}

/**
 * Applies an edit (a JSON merge patch, see `definitionPatchSchema`) to a saved definition and checks
 * the result like a new definition. Secrets the edit leaves out or sends back masked keep their
 * stored value. Every secret is sealed again with the current key, so an edit also moves secrets
 * off keys that are being rotated out.
 * @throws ApiError 400 naming each invalid field of the result, or a masked secret with no stored
 *   value to keep; 409 when a kept secret can no longer be unsealed.
 */
export function applyDefinitionPatch(
  stored: SealedDefinition,
  patch: DefinitionPatch,
  options: { keyring: SecretKeyring; now: Date },
): SealedDefinition {
  const { id, created_at, updated_at: _updatedAt, ...storedFields } = stored;
  const merged: Record<string, unknown> = { ...storedFields };

  for (const [field, value] of Object.entries(patch)) {
    if (value === null) {
      delete merged[field];
    } else if (mergedParts.has(field) && !replacesSource(field, merged[field], value)) {
      merged[field] = mergeFields(merged[field], value as Record<string, unknown>);
    } else {
      merged[field] = value;
    }
  }

  const candidate = unsealKeptSecrets(merged, stored.id, options.keyring);
  const parsed = definitionInputSchema.safeParse(candidate);
  if (!parsed.success) {
    const details = describeValidationIssues(parsed.error.issues, candidate);
    const summary = details.map((detail) => `${detail.field}: ${detail.message}`).join('; ');
    throw new ApiError(400, 'invalid_request', `The edited definition is invalid: ${summary}`, details);
  }

  return {
    ...buildNewDefinition(parsed.data, { id, keyring: options.keyring, now: options.now }),
    created_at,
  };
}

/** Names the run-affecting fields that an edit touches. */
export function runAffectingFieldsIn(patch: DefinitionPatch): string[] {
  return runAffectingFields.filter((field) => Object.hasOwn(patch, field));
}

/**
 * Returns true when the edit replaces the source whole because its protocol changes, so the
 * settings of two protocols never mix.
 */
function replacesSource(field: string, current: unknown, value: unknown): boolean {
  const newProtocol = (value as { protocol?: unknown }).protocol;
  return (
    field === 'source' &&
    newProtocol !== undefined &&
    newProtocol !== (current as { protocol?: unknown } | undefined)?.protocol
  );
}

/**
 * Merges one part field by field. A secret sent back as the masked marker keeps the stored value;
 * `null` removes a field. Field values are never merged deeper: a secret object (a service-account
 * key) is replaced whole.
 */
function mergeFields(current: unknown, patch: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> =
    typeof current === 'object' && current !== null ? { ...current } : {};
  for (const [field, value] of Object.entries(patch)) {
    if (value === maskedSecret && isSealedSecret(result[field])) {
      continue;
    }
    if (value === null) {
      delete result[field];
    } else {
      result[field] = value;
    }
  }
  return result;
}

/** Replaces each sealed secret that the edit keeps by its plain value, so the result can be checked whole. */
function unsealKeptSecrets(
  merged: Record<string, unknown>,
  definitionId: string,
  keyring: SecretKeyring,
): Record<string, unknown> {
  const candidate = { ...merged };
  for (const part of secretParts) {
    const settings = candidate[part];
    if (typeof settings !== 'object' || settings === null) {
      continue;
    }
    const copy: Record<string, unknown> = { ...settings };
    for (const field of secretFieldsOf(part, copy)) {
      const value = copy[field];
      if (!isSealedSecret(value)) {
        continue;
      }
      try {
        copy[field] = JSON.parse(unsealSecret(keyring, value, `${definitionId}/${part}.${field}`)) as unknown;
      } catch (error) {
        if (error instanceof SecretUnsealError) {
          throw new ApiError(
            409,
            'secret_unreadable',
            `${error.message}: send a new value for ${part}.${field}`,
          );
        }
        throw error;
      }
    }
    candidate[part] = copy;
  }
  return candidate;
}

/** Rejects secrets equal to the masked marker: the API shows it in place of secrets, it is never one. */
function rejectMaskedSecrets(input: DefinitionInput): void {
  const details: { field: string; message: string }[] = [];
  for (const part of secretParts) {
    const settings = input[part] as Record<string, unknown> | undefined;
    if (settings === undefined) {
      continue;
    }
    for (const field of secretFieldsOf(part, settings)) {
      if (settings[field] === maskedSecret) {
        details.push({
          field: `${part}.${field}`,
          message: `"${maskedSecret}" is the marker the API shows in place of a secret, and there is no stored secret to keep; send the secret itself`,
        });
      }
    }
  }
  if (details.length > 0) {
    const summary = details.map((detail) => `${detail.field}: ${detail.message}`).join('; ');
    throw new ApiError(400, 'invalid_request', `Invalid request json: ${summary}`, details);
  }
}
