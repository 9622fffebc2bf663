import { isIP } from 'node:net';

/** The outcome of a webhook address check: the reason is a sentence for the user. */
export type WebhookAddressCheck = { ok: true } | { ok: false; reason: string };

/**
 * Host names of cloud metadata services. Each one resolves to a link-local address, which the
 * check after DNS resolution rejects too; naming them here rejects them when a definition is saved.
 */
const metadataHostNames = new Set(['metadata.google.internal']);

/** AWS's IPv6 instance metadata address, outside the link-local range. */
const awsMetadataIpv6 = [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254];

/**
 * Checks a webhook URL before anything is sent to it. It must be `http:` or `https:` and carry no
 * user name or password, because the definition's `authorization` field carries credentials. It must
 * not name a link-local address (169.254.0.0/16, fe80::/10) or a cloud metadata service
 * (169.254.169.254, fd00:ec2::254, metadata.google.internal). Loopback and private addresses are
 * allowed, for receivers inside the deployment's own network.
 *
 * Pure: no DNS lookup. A host name that resolves to a rejected address passes this check and is
 * caught by `checkWebhookIp` on the resolved address when the webhook is sent.
 */
export function checkWebhookUrl(url: string): WebhookAddressCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return reject(
      `webhook url ${JSON.stringify(url)} is not a valid URL; give one such as https://hooks.example.com/jobs`,
    );
  }

  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return reject(`webhook url must use http or https, got ${parsed.protocol.replace(/:$/, '')}`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return reject(
      'webhook url must not contain a user name or password; put credentials in the webhook authorization field',
    );
  }

  // The URL parser lower-cases names and writes IPv4 in dotted form (so 0xA9FEA9FE becomes 169.254.169.254).
  const host = parsed.hostname.replace(/\.$/, '');
  if (metadataHostNames.has(host)) {
    return reject(`webhook url must not name the cloud metadata service ${host}`);
  }
  const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(literal) !== 0) {
    return checkWebhookIp(literal);
  }
  return { ok: true };
}

/**
 * Checks an IP address that a webhook would be sent to, typically one that DNS returned for the URL's
 * host: link-local and cloud metadata addresses are rejected, also when written as IPv4-mapped IPv6.
 */
export function checkWebhookIp(address: string): WebhookAddressCheck {
  const family = isIP(address);
  if (family === 4) {
    return checkIpv4(parseIpv4(address), address);
  }
  if (family !== 6) {
    return reject(`${JSON.stringify(address)} is not an IP address`);
  }

  const groups = parseIpv6(address);
  const embedded = embeddedIpv4(groups);
  if (embedded !== null) {
    return checkIpv4(embedded, address);
  }
  if (((groups[0] ?? 0) & 0xffc0) === 0xfe80) {
    return reject(`webhook address ${address} is link-local (fe80::/10), which is not allowed`);
  }
  if (groups.every((group, index) => group === awsMetadataIpv6[index])) {
    return reject(`webhook address ${address} is the cloud metadata service, which is not allowed`);
  }
  return { ok: true };
}

function checkIpv4(octets: number[], written: string): WebhookAddressCheck {
  if (octets[0] === 169 && octets[1] === 254) {
    const kind =
      octets[2] === 169 && octets[3] === 254 ? 'the cloud metadata service' : 'link-local (169.254.0.0/16)';
    return reject(`webhook address ${written} is ${kind}, which is not allowed`);
  }
  return { ok: true };
}

function parseIpv4(address: string): number[] {
  return address.split('.').map((part) => Number.parseInt(part, 10));
}

/** Expands an IPv6 address (already checked by `isIP`) into its eight 16-bit groups. */
function parseIpv6(address: string): number[] {
  let text = address.split('%')[0] ?? '';
  // A trailing dotted IPv4 (::ffff:169.254.169.254) becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = parseIpv4(dotted[1]);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }

  const [head = '', tail] = text.split('::');
  const toGroups = (part: string) =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16));
  const first = toGroups(head);
  if (tail === undefined) {
    return first;
  }
  const last = toGroups(tail);
  return [...first, ...new Array<number>(8 - first.length - last.length).fill(0), ...last];
}

/** Returns the IPv4 address inside an IPv4-mapped (::ffff:0:0/96) or NAT64 (64:ff9b::/96) address, else null. */
function embeddedIpv4(groups: number[]): number[] | null {
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  const nat64 =
    groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0);
  if (!mapped && !nat64) {
    return null;
  }
  const high = groups[6] ?? 0;
  const low = groups[7] ?? 0;
  return [high >> 8, high & 0xff, low >> 8, low & 0xff];
}

function reject(reason: string): WebhookAddressCheck {
  return { ok: false, reason };
}
