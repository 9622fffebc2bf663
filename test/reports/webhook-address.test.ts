import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { postWebhook } from '../../activities/post-webhook.js';
import { checkWebhookIp, checkWebhookUrl } from '../../core/webhook-address.js';

describe('checkWebhookUrl', () => {
  test.each([
    [
      'http://169.254.169.254/latest/meta-data/',
      'webhook address 169.254.169.254 is the cloud metadata service, which is not allowed',
    ],
    [
      'http://169.254.10.20/hook',
      'webhook address 169.254.10.20 is link-local (169.254.0.0/16), which is not allowed',
    ],
    [
      'http://2852039166/',
      'webhook address 169.254.169.254 is the cloud metadata service, which is not allowed',
    ],
    ['http://[fe80::1]/hook', 'webhook address fe80::1 is link-local (fe80::/10), which is not allowed'],
    [
      'http://[febf:ffff::1]/hook',
      'webhook address febf:ffff::1 is link-local (fe80::/10), which is not allowed',
    ],
    [
      'http://[fd00:ec2::254]/',
      'webhook address fd00:ec2::254 is the cloud metadata service, which is not allowed',
    ],
    [
      'http://[::ffff:169.254.169.254]/',
      'webhook address ::ffff:a9fe:a9fe is the cloud metadata service, which is not allowed',
    ],
    [
      'http://metadata.google.internal/computeMetadata/v1/',
      'webhook url must not name the cloud metadata service metadata.google.internal',
    ],
    [
      'http://METADATA.google.internal./',
      'webhook url must not name the cloud metadata service metadata.google.internal',
    ],
    ['ftp://hooks.example.com/', 'webhook url must use http or https, got ftp'],
    [
      'https://user:pass@hooks.example.com/',
      'webhook url must not contain a user name or password; put credentials in the webhook authorization field',
    ],
    [
      'not a url',
      'webhook url "not a url" is not a valid URL; give one such as https://hooks.example.com/jobs',
    ],
  ])('rejects %s', (url, reason) => {
    expect(checkWebhookUrl(url)).toEqual({ ok: false, reason });
  });

  test.each([
    'https://hooks.example.com/profile-jobs?token=abc',
    'http://127.0.0.1:8080/hook',
    'http://10.1.2.3/hook',
    'http://[::1]:9000/hook',
    'http://[fec0::1]/hook',
    'http://169.255.0.1/hook',
  ])('accepts %s', (url) => {
    expect(checkWebhookUrl(url)).toEqual({ ok: true });
  });
});

describe('checkWebhookIp', () => {
  test('rejects a NAT64 form of the metadata address', () => {
    expect(checkWebhookIp('64:ff9b::a9fe:a9fe')).toEqual({
      ok: false,
      reason: 'webhook address 64:ff9b::a9fe:a9fe is the cloud metadata service, which is not allowed',
    });
  });

  test('accepts a public IPv6 address', () => {
    expect(checkWebhookIp('2001:db8::1')).toEqual({ ok: true });
  });
});

describe('postWebhook address checks', () => {
  let connections = 0;
  const server = createServer((_request, response) => response.end('ok'));
  server.on('connection', () => {
    connections += 1;
  });
  let port = 0;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  test('refuses a host that resolves to a link-local address before connecting', async () => {
    const outcome = await postWebhook({
      url: `http://hooks.example.test:${port}/hook`,
      headers: {},
      body: '{}',
      timeoutMs: 2_000,
      resolveHost: () => Promise.resolve([{ address: '169.254.7.7', family: 4 }]),
    });

    expect(outcome).toEqual({
      kind: 'refused_address',
      reason:
        'hooks.example.test resolves to 169.254.7.7: webhook address 169.254.7.7 is link-local (169.254.0.0/16), which is not allowed',
    });
    expect(connections).toBe(0);
  });

  test('refuses a host when any of its addresses is the metadata service', async () => {
    const outcome = await postWebhook({
      url: `http://hooks.example.test:${port}/hook`,
      headers: {},
      body: '{}',
      timeoutMs: 2_000,
      resolveHost: () =>
        Promise.resolve([
          { address: '127.0.0.1', family: 4 },
          { address: 'fd00:ec2::254', family: 6 },
        ]),
    });

    expect(outcome.kind).toBe('refused_address');
    expect(connections).toBe(0);
  });

  test('connects to the checked address of an allowed host', async () => {
    const outcome = await postWebhook({
      url: `http://hooks.example.test:${port}/hook`,
      headers: {},
      body: '{}',
      timeoutMs: 2_000,
      resolveHost: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
    });

    expect(outcome).toEqual({ kind: 'delivered', status: 200 });
    expect(connections).toBe(1);
  });
});
