// The reference server's webhook delivery (docs/server.md section 12): CLOUDMFA_WEBHOOK_URL and
// CLOUDMFA_WEBHOOK_SECRET configure one endpoint; events reach a loopback receiver signed per
// Standard Webhooks, and a restart on the same SQLite file delivers what the first process left.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '@cloudmfa/core';
import { verifyWebhook } from '@cloudmfa/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp } from '../src/app.mjs';
import { readConfig } from '../src/config.mjs';
import { call, seededRandom, testServerEnv } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);
const TOKEN = 'test-admin-token-0123456789abcdef';
const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;

const received: { id: string; timestamp: string; signature: string; body: string }[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const h = req.headers;
    received.push({ id: String(h['webhook-id']), timestamp: String(h['webhook-timestamp']), signature: String(h['webhook-signature']), body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(204).end();
  });
});
let dir: string;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cmfa-example-hooks-'));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) =>
  testServerEnv(dir, TOKEN, {
    CLOUDMFA_WEBHOOK_URL: url,
    CLOUDMFA_WEBHOOK_SECRET: SECRET,
    // The timer never fires in a test: delivery runs at start and when the test asks.
    CLOUDMFA_WEBHOOK_INTERVAL_MS: '9999999',
    ...extra,
  });

const enrol = (adminUrl: string, userId: string) => call(`${adminUrl}/api/v1/admin/orgs/default/enrolments`, { token: TOKEN, body: { userId, account: `${userId}@acme.example` } });

it('delivers audit events to the configured endpoint, and a restarted server delivers what the first left', async () => {
  const clock = fixedClock(T0);
  const first = await startApp(readConfig(env()), { clock, random: seededRandom('hooks-1'), log: () => undefined });
  expect((await enrol(first.adminUrl, 'alice')).status).toBe(201);
  expect(await first.server.deliverWebhooks()).toMatchObject({ delivered: 1 });
  // Enrolled, not yet delivered, then the process stops.
  expect((await enrol(first.adminUrl, 'bob')).status).toBe(201);
  await first.close(1000);

  const second = await startApp(readConfig(env()), { clock, random: seededRandom('hooks-2'), log: () => undefined });
  try {
    // The start-up delivery runs on its own; wait for it through the same lease.
    for (let i = 0; received.length < 2; i++) {
      if (i > 200) throw new Error('the restarted server did not deliver');
      await second.server.deliverWebhooks();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    await second.close(1000);
  }
  const payloads = received.map((r) => {
    const v = verifyWebhook({ secret: SECRET, headers: { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature }, body: r.body, now: clock });
    if (!v.ok) throw new Error(`unsigned delivery: ${v.reason}`);
    return v.payload as { type: string; data: { userId: string } };
  });
  expect(payloads.map((p) => [p.type, p.data.userId])).toEqual([
    ['enrolment.issued', 'alice'],
    ['enrolment.issued', 'bob'],
  ]);
  expect(new Set(received.map((r) => r.id)).size).toBe(2);
});

it('refuses a webhook URL without a secret, a secret without a URL, and a malformed secret without echoing it', async () => {
  expect(() => readConfig(env({ CLOUDMFA_WEBHOOK_SECRET: '' }))).toThrow(/CLOUDMFA_WEBHOOK_URL needs CLOUDMFA_WEBHOOK_SECRET/);
  expect(() => readConfig(env({ CLOUDMFA_WEBHOOK_URL: '' }))).toThrow(/need CLOUDMFA_WEBHOOK_URL/);
  const bad = 'whsec_dG9vLXNob3J0LXNlY3JldA==';
  const err = await startApp(readConfig(env({ CLOUDMFA_WEBHOOK_SECRET: bad })), { clock: fixedClock(T0), random: seededRandom('hooks-3'), log: () => undefined }).then(
    () => null,
    (e: Error) => e,
  );
  expect(err?.name).toBe('ConfigError');
  expect(err?.message).toContain('ERR_SERVER_CONFIG');
  expect(err?.message).not.toContain('dG9vLXNob3J0');
  expect(readConfig(env({ CLOUDMFA_WEBHOOK_EVENTS: 'risk, push.*' })).webhooks?.endpoints[0]?.events).toEqual({ kinds: ['push.*'], risk: true });
});
