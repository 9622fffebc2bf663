import type { Store } from '../store/connect-store.js';
import { findDefinition } from '../store/definitions.js';
import { unsealDefinitionSecrets } from '../store/secret-sealing-definitions.js';
import type { SecretKeyring } from '../store/secret-sealing.js';

/** Destination of a definition's end-of-job webhook, with its secrets in plain text. Keep it in memory only. */
export interface WebhookTarget {
  url: string;
  /** Key of the HMAC-SHA256 signature. */
  secret: string;
  /** Fixed `Authorization` header value, when the definition sets one. */
  authorization?: string;
}

/**
 * Reads the webhook of a definition and unseals its secrets, or returns null when the definition has
 * no webhook or no longer exists. Runs inside the activity that sends the webhook, so the secret
 * never enters a workflow input or history.
 */
export type LoadWebhookTarget = (definitionId: string) => Promise<WebhookTarget | null>;

/**
 * Builds the loader that a worker uses: it reads the definition from the store and unseals its
 * webhook secrets with the deployment's keyring.
 * @throws SecretUnsealError from the loader when a secret's key is no longer configured.
 */
export function createWebhookTargetLoader(store: Store, keyring: SecretKeyring): LoadWebhookTarget {
  return async (definitionId) => {
    const definition = await findDefinition(store, definitionId);
    if (definition?.webhook === undefined) {
      return null;
    }

    const { webhook } = unsealDefinitionSecrets(definition, keyring);
    if (webhook === undefined) {
      return null;
    }
    return webhook.authorization === undefined
      ? { url: webhook.url, secret: webhook.secret }
      : { url: webhook.url, secret: webhook.secret, authorization: webhook.authorization };
  };
}
