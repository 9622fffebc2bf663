import { lookup } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { checkWebhookIp, checkWebhookUrl } from '../core/webhook-address.js';

/** Resolves a host name to its addresses, as `dns.lookup` with `all: true` does. */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

/** Outcome of one delivery attempt. */
export type WebhookAttemptOutcome =
  /** The receiver responded with 2xx. */
  | { kind: 'delivered'; status: number }
  /** The receiver responded in a way that retrying cannot change: 3xx, or 4xx other than 408 and 429. */
  | { kind: 'rejected'; status: number }
  /** A timeout, a network error, 408, 429 or 5xx: a later attempt may succeed. */
  | { kind: 'failed'; detail: string }
  /** The URL or an address its host resolves to is not allowed; nothing was sent. */
  | { kind: 'refused_address'; reason: string };

export interface PostWebhookOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds allowed for connecting, then for the response headers, then between body bytes. */
  timeoutMs: number;
  /** Defaults to `dns.lookup`; tests pass their own. */
  resolveHost?: ResolveHost;
}

const resolveWithDns: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => {
    lookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });

/**
 * POSTs a webhook body once and classifies the response. The URL is checked before anything is sent,
 * and again after DNS resolution: the connection goes to the very addresses that passed the check,
 * so a host name cannot resolve to a link-local or metadata address between the check and the
 * request. Redirects are not followed. Never throws for an outcome of the delivery.
 */
export async function postWebhook(options: PostWebhookOptions): Promise<WebhookAttemptOutcome> {
  const urlCheck = checkWebhookUrl(options.url);
  if (!urlCheck.ok) {
    return { kind: 'refused_address', reason: urlCheck.reason };
  }

  // undici loads on the first delivery: it took about 5 MB of heap in workers that never send one.
  const { Agent, request } = await import('undici');
  const resolveHost = options.resolveHost ?? resolveWithDns;
  let rejection: string | null = null;
  const dispatcher = new Agent({
    connect: {
      timeout: options.timeoutMs,
      // Called by net.connect and tls.connect for host names, not for IP literals (checked above).
      lookup: (hostname: string, lookupOptions: { all?: boolean }, callback: LookupCallback) => {
        resolveHost(hostname).then(
          (addresses) => {
            for (const address of addresses) {
              const check = checkWebhookIp(address.address);
              if (!check.ok) {
                rejection = `${hostname} resolves to ${address.address}: ${check.reason}`;
                callback(new Error(rejection), []);
                return;
              }
            }
            if (lookupOptions.all === true) {
              callback(null, addresses);
            } else {
              const first = addresses[0];
              callback(
                first === undefined ? new Error(`${hostname} has no address`) : null,
                first?.address ?? '',
                first?.family ?? 4,
              );
            }
          },
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), []),
        );
      },
    },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });

  try {
    const response = await request(options.url, {
      method: 'POST',
      headers: options.headers,
      body: options.body,
      dispatcher,
    });
    // The response body is not used; reading it to the end frees the connection.
    await response.body.dump();
    return classifyStatus(response.statusCode);
  } catch (error) {
    if (rejection !== null) {
      return { kind: 'refused_address', reason: rejection };
    }
    return { kind: 'failed', detail: describeNetworkError(error) };
  } finally {
    await dispatcher.close();
  }
}

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

function classifyStatus(status: number): WebhookAttemptOutcome {
  if (status >= 200 && status < 300) {
    return { kind: 'delivered', status };
  }
  if (status === 408 || status === 429 || status >= 500) {
    return { kind: 'failed', detail: `HTTP ${status}` };
  }
  return { kind: 'rejected', status };
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
