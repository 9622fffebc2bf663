import { createHmac } from 'node:crypto';

/** Header of each webhook delivery that carries its signature. */
export const webhookSignatureHeader = 'X-Profile-Jobs-Signature';

/**
 * Signs a webhook body: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed by the
 * definition's webhook secret. Because the time is signed with the body, a receiver can reject a
 * delivery whose time is too far from its own clock, which stops a recorded delivery being replayed.
 */
export function signWebhookBody(options: { body: string; secret: string; timestampSeconds: number }): string {
  const digest = createHmac('sha256', options.secret)
    .update(`${options.timestampSeconds}.${options.body}`, 'utf8')
    .digest('hex');
  return `t=${options.timestampSeconds},v1=${digest}`;
}
