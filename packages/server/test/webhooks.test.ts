// Issue 12 §7: audit and risk events delivered to webhooks (Standard Webhooks signatures,
// retries, a durable position per endpoint in the store) on every real store, against a real
// HTTP receiver on loopback that fails some deliveries. docs/server.md section 13.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSoftwareSigner, fixedClock, isCloudMfaError } from '@cloudmfa/core';
import { createMemoryStore } from '@cloudmfa/storage';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type MfaServerKeys, verifyWebhook, type WebhookOptions, type WebhookPayload } from '../src/index.js';
import { BACKENDS, closeBackends, freshBackendPerTest } from './backends.js';
import { makeServer, seededRandom, T0, type TestServer } from './helpers.js';

afterAll(closeBackends);

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const NEXT_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

interface Received {
  /** The request path and query. */
  path: string;
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  status: number;
}

/** A webhook receiver on loopback; `plan` answers each request (a status, or 'hang': no answer). */
async function startReceiver(plan: (r: { id: string; attempt: number; payload: WebhookPayload }) => number | 'hang') {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id']);
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      const answer = plan({ id, attempt, payload: JSON.parse(body) as WebhookPayload });
      received.push({ path: req.url ?? '', id, timestamp: String(req.headers['webhook-timestamp']), signature: String(req.headers['webhook-signature']), body, status: answer === 'hang' ? 0 : answer });
      if (answer !== 'hang') res.writeHead(answer).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks?token=receiver-token`;
  return {
    url,
    received,
    /** webhook-ids answered 2xx, in order. */
    accepted: () => received.filter((r) => r.status >= 200 && r.status < 300).map((r) => r.id),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

const KINDS = ['otp.refused', 'otp.locked', 'push.approved', 'push.suspicious', 'enrolment.issued', 'otp.accepted'];

/** Appends `n` audit events (what the server's operations write) and returns their ids. */
async function appendEvents(t: TestServer, n: number, from = 0): Promise<string[]> {
  const ids: string[] = [];
  for (let i = from; i < from + n; i++) {
    const e = await t.store.audit.append({ kind: KINDS[i % KINDS.length]!, enrolmentId: `enr${i}`, userId: 'alice', detail: { i } });
    ids.push(`msg_${e.id}`);
    t.clock.advance(10);
  }
  return ids;
}

/** Delivers until nothing is left, moving the clock past each retry wait; returns the results. */
async function deliverAll(t: TestServer, maxRounds = 60) {
  const results = [];
  for (let round = 0; round < maxRounds; round++) {
    const r = await t.server.deliverWebhooks();
    results.push(r);
    if (r.retrying > 0) t.clock.advance(1_300); // the longest jittered wait of a 1000 ms step
    else if (!r.more && r.delivered + r.failed === 0) return results;
  }
  throw new Error('deliveries did not finish');
}

/** Every request carries a valid Standard Webhooks signature over its body, and the event it names. */
function expectSigned(received: Received[], secret = SECRET) {
  for (const r of received) {
    const v = verifyWebhook({ secret, headers: { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature }, body: r.body, now: () => Number(r.timestamp) * 1000 });
    expect(v).toMatchObject({ ok: true, id: r.id });
    const payload = (v as { payload: WebhookPayload }).payload;
    expect(`msg_${payload.data.id}`).toBe(r.id);
    expect(payload.type).toBe(payload.data.kind);
    expect(payload.timestamp).toBe(new Date(payload.data.at).toISOString());
  }
}

const webhooks = (url: string, extra: Partial<WebhookOptions> = {}): WebhookOptions => ({
  endpoints: [{ id: 'siem', url, secret: SECRET }],
  retryScheduleMs: [1000, 1000, 1000],
  timeoutMs: 5000,
  ...extra,
});

describe.each(Object.keys(BACKENDS))('webhooks on %s', (backend) => {
  const backendNow = freshBackendPerTest(backend, T0);
  let receiver: Receiver;
  afterEach(async () => {
    await receiver?.close();
  });
  const serverOn = (url: string, seed: string, extra: Partial<WebhookOptions> = {}) =>
    makeServer({ clock: backendNow.clock(), store: () => backendNow.opened().store, seed, webhooks: webhooks(url, extra) });

  it('delivers every event in order, retries failures under the same id, and a restart mid-backlog loses nothing', async () => {
    // Every third event fails its first attempt.
    receiver = await startReceiver(({ payload, attempt }) => ((payload.data.detail.i as number) % 3 === 0 && attempt === 1 ? 503 : 204));
    const first = serverOn(receiver.url, 'first');
    const ids = await appendEvents(first, 10);
    const r = await first.server.deliverWebhooks({ limit: 4 });
    expect(r).toMatchObject({ delivered: 0, retrying: 1 }); // event 0 failed: the endpoint waits
    first.clock.advance(1_300);
    expect(await first.server.deliverWebhooks({ limit: 4 })).toMatchObject({ delivered: 3, retrying: 1 }); // 0, 1, 2; 3 failed
    // A new server on the same store (a restart): it goes on from the stored position.
    const second = serverOn(receiver.url, 'second');
    await deliverAll(second);
    expect(receiver.accepted()).toEqual(ids);
    // Each failed attempt was retried under the same webhook-id.
    const failed = receiver.received.filter((x) => x.status === 503).map((x) => x.id);
    expect(failed).toEqual([ids[0], ids[3], ids[6], ids[9]]);
    expectSigned(receiver.received);
    const [status] = await second.server.webhookStatus();
    expect(status).toMatchObject({ endpointId: 'siem', attempts: 0, nextAttemptAt: null, lastError: null, delivered: 10, failed: 0, failures: [] });
    // More events later: only those are sent.
    const more = await appendEvents(second, 2, 10);
    await deliverAll(first);
    expect(receiver.accepted()).toEqual([...ids, ...more]);
  });

  it('a crash between send and record: after the lease another server resends the same id, and nothing is lost', async () => {
    receiver = await startReceiver(() => 200);
    const crashing = serverOn(receiver.url, 'crashing', {
      // The POST reaches the receiver, then the process "dies" before it records the delivery.
      fetch: async (url, init) => {
        await fetch(url, init);
        return new Promise<Response>(() => undefined);
      },
      leaseMs: 20_000,
    });
    const ids = await appendEvents(crashing, 4);
    void crashing.server.deliverWebhooks();
    for (let i = 0; receiver.received.length === 0; i++) {
      if (i > 10_000) throw new Error('the first delivery never arrived');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const other = serverOn(receiver.url, 'other');
    expect(await other.server.deliverWebhooks()).toMatchObject({ delivered: 0, busy: 1 }); // the lease still runs
    other.clock.advance(20_000);
    expect(await other.server.deliverWebhooks()).toMatchObject({ delivered: 4, busy: 0 });
    expect(receiver.received.map((x) => x.id)).toEqual([ids[0], ...ids]);
    expectSigned(receiver.received);
  });

  it('two servers (and two overlapping calls of one) delivering at once: each event is accepted once', async () => {
    receiver = await startReceiver(() => 200);
    const a = serverOn(receiver.url, 'a');
    const b = serverOn(receiver.url, 'b');
    const ids = await appendEvents(a, 8);
    const [ra, rb] = await Promise.all([a.server.deliverWebhooks(), b.server.deliverWebhooks()]);
    expect(ra.delivered + rb.delivered).toBe(8);
    await Promise.all([a.server.deliverWebhooks(), b.server.deliverWebhooks()]);
    expect(receiver.received.map((x) => x.id)).toEqual(ids);
    // Overlapping calls of one server exclude each other too.
    const more = await appendEvents(a, 8, 8);
    await Promise.all([a.server.deliverWebhooks(), a.server.deliverWebhooks(), b.server.deliverWebhooks()]);
    await a.server.deliverWebhooks();
    expect(receiver.received.map((x) => x.id)).toEqual([...ids, ...more]);
  });

  it('delivers per organisation: each organisation\'s own log and state, its id in the payload and the webhook-id', async () => {
    receiver = await startReceiver(() => 200);
    const orgKeys = (id: string): MfaServerKeys => ({
      kek: { current: `${id}-1`, keys: { [`${id}-1`]: new Uint8Array(32).fill(id.charCodeAt(0)) } },
      push: createSoftwareSigner({ algorithm: 'ES256', random: seededRandom(`push-${id}`) }),
    });
    const t = makeServer({ clock: backendNow.clock(), store: () => backendNow.opened().store, seed: 'orgs', webhooks: webhooks(receiver.url), organisationKeys: orgKeys });
    await t.server.createOrganisation({ organisationId: 'acme', issuer: 'ACME' });
    const acmeStore = t.store.forOrganisation('acme');
    await appendEvents(t, 2);
    for (let i = 0; i < 3; i++) await acmeStore.audit.append({ kind: 'otp.locked', enrolmentId: `acme${i}`, userId: 'alice', detail: { i } });
    const acmeIds = (await acmeStore.audit.follow!({ after: null })).events.map((e) => `msg_acme_${e.id}`);
    const defaultIds = (await t.store.audit.follow!({ after: null })).events.map((e) => `msg_${e.id}`);
    expect(acmeIds.length).toBeGreaterThanOrEqual(3);

    const acme = await t.server.forOrganisation('acme');
    const r = await acme.deliverWebhooks();
    expect(r).toMatchObject({ delivered: acmeIds.length, failed: 0, more: false });
    expect(receiver.accepted()).toEqual(acmeIds);
    const payloads = receiver.received.map((x) => JSON.parse(x.body) as WebhookPayload);
    expect(payloads.every((p) => p.organisationId === 'acme')).toBe(true);
    // The default organisation's endpoint state did not move.
    expect((await t.server.webhookStatus())[0]).toMatchObject({ position: null, delivered: 0 });
    expect((await acme.webhookStatus())[0]).toMatchObject({ delivered: acmeIds.length });

    expect(await t.server.deliverWebhooks()).toMatchObject({ delivered: defaultIds.length, failed: 0 });
    expect(receiver.accepted()).toEqual([...acmeIds, ...defaultIds]);
    const last = receiver.received.slice(acmeIds.length).map((x) => JSON.parse(x.body) as WebhookPayload);
    expect(last.every((p) => p.organisationId === 'default')).toBe(true);
    // Nothing left in either.
    expect(await acme.deliverWebhooks()).toMatchObject({ delivered: 0 });
    expect(await t.server.deliverWebhooks()).toMatchObject({ delivered: 0 });
  });

  it('gives an event up after the last attempt, records it where the operator sees it, and goes on', async () => {
    receiver = await startReceiver(({ payload }) => (payload.data.detail.i === 1 ? 500 : 200));
    const t = serverOn(receiver.url, 'giveup', { retryScheduleMs: [0, 0] });
    const ids = await appendEvents(t, 3);
    await deliverAll(t);
    expect(receiver.received.map((x) => [x.id, x.status])).toEqual([
      [ids[0], 200],
      [ids[1], 500],
      [ids[1], 500],
      [ids[1], 500],
      [ids[2], 200],
    ]);
    const [status] = await t.server.webhookStatus();
    expect(status).toMatchObject({ delivered: 2, failed: 1, attempts: 0 });
    expect(status!.failures).toEqual([{ eventId: ids[1]!.slice(4), webhookId: ids[1], type: KINDS[1], attempts: 3, status: 500, reason: 'status', at: expect.any(Number) }]);
    // Nothing of the receiver's URL or the secret is in the state.
    const stored = JSON.stringify(await t.store.webhooks!.get('siem'));
    expect(stored).not.toContain('receiver-token');
    expect(stored).not.toContain(SECRET.slice(6));
  });
});

describe('webhooks: filters, timeouts, configuration (memory store)', () => {
  let receiver: Receiver;
  let t: TestServer;
  afterEach(async () => {
    await receiver?.close();
  });
  beforeEach(() => {
    vi.useRealTimers();
  });

  it('sends an endpoint only the kinds and risk events it asked for; the others move its position on', async () => {
    receiver = await startReceiver(() => 200);
    const store = createMemoryStore({ clock: fixedClock(T0) });
    t = makeServer({
      store: () => store,
      webhooks: {
        endpoints: [
          { id: 'risk', url: `${receiver.url}&ep=risk`, secret: SECRET, events: { risk: true } },
          { id: 'push', url: `${receiver.url}&ep=push`, secret: SECRET, events: { kinds: ['push.*'] } },
          { id: 'both', url: `${receiver.url}&ep=both`, secret: SECRET, events: { kinds: ['enrolment.issued'], risk: true } },
        ],
      },
    });
    await appendEvents(t, 6);
    await t.store.audit.append({ kind: 'enrolment.revoked', detail: { reason: 'redemption_failures' } }); // risk
    await t.store.audit.append({ kind: 'enrolment.revoked', detail: { reason: 'admin' } }); // not risk
    expect(await t.server.deliverWebhooks()).toMatchObject({ delivered: 3 + 2 + 4 });
    const types = (ep: string) => receiver.received.filter((r) => r.path.endsWith(`ep=${ep}`)).map((r) => (JSON.parse(r.body) as WebhookPayload).type);
    expect(types('risk')).toEqual(['otp.locked', 'push.suspicious', 'enrolment.revoked']);
    expect(types('push')).toEqual(['push.approved', 'push.suspicious']);
    expect(types('both')).toEqual(['otp.locked', 'push.suspicious', 'enrolment.issued', 'enrolment.revoked']);
    for (const r of receiver.received) {
      const p = JSON.parse(r.body) as WebhookPayload;
      expect(p.data.risk).toBe(p.type === 'otp.locked' || p.type === 'push.suspicious' || p.type === 'enrolment.revoked');
    }
    // Everything was read: the positions of all three endpoints are at the end.
    const positions = new Set((await t.server.webhookStatus()).map((s) => s.position));
    expect(positions.size).toBe(1);
    expect(await t.server.deliverWebhooks()).toMatchObject({ delivered: 0 });
  });

  it("a new endpoint with from: 'latest' skips the history; one with the default receives it", async () => {
    receiver = await startReceiver(() => 200);
    const store = createMemoryStore({ clock: fixedClock(T0) });
    t = makeServer({
      store: () => store,
      webhooks: {
        endpoints: [
          { id: 'new', url: `${receiver.url}&ep=new`, secret: SECRET, from: 'latest' },
          { id: 'all', url: `${receiver.url}&ep=all`, secret: SECRET },
        ],
      },
    });
    const history = await appendEvents(t, 3);
    expect(await t.server.deliverWebhooks()).toMatchObject({ delivered: 3 });
    const later = await appendEvents(t, 2, 3);
    await t.server.deliverWebhooks();
    const to = (ep: string) => receiver.received.filter((r) => r.path.endsWith(`ep=${ep}`)).map((r) => r.id);
    expect(to('new')).toEqual(later);
    expect(to('all')).toEqual([...history, ...later]);
  });

  it('an endpoint that does not answer in time fails the attempt as a timeout', async () => {
    receiver = await startReceiver(() => 'hang');
    t = makeServer({ webhooks: { endpoints: [{ id: 'slow', url: receiver.url, secret: SECRET }], timeoutMs: 50 } });
    await appendEvents(t, 1);
    expect(await t.server.deliverWebhooks()).toMatchObject({ delivered: 0, retrying: 1 });
    const [s] = await t.server.webhookStatus();
    expect(s).toMatchObject({ attempts: 1, lastError: { status: null, reason: 'timeout' } });
    // The first retry waits 5 s +-20 % (the Standard Webhooks schedule).
    expect(s!.nextAttemptAt! - s!.lastError!.at).toBeGreaterThanOrEqual(4_000);
    expect(s!.nextAttemptAt! - s!.lastError!.at).toBeLessThanOrEqual(6_000);
  });

  it('an unreachable endpoint fails as network, never with the URL or the secret in what is kept', async () => {
    receiver = await startReceiver(() => 200);
    const url = receiver.url;
    await receiver.close();
    t = makeServer({ webhooks: { endpoints: [{ id: 'gone', url, secret: SECRET }] } });
    await appendEvents(t, 1);
    expect(await t.server.deliverWebhooks()).toMatchObject({ retrying: 1 });
    const status = await t.server.webhookStatus();
    expect(status[0]).toMatchObject({ lastError: { reason: 'network', status: null } });
    expect(JSON.stringify(status)).not.toContain('receiver-token');
  });

  it('signs with every secret during a rotation; the receiver accepts either', async () => {
    receiver = await startReceiver(() => 200);
    t = makeServer({ webhooks: { endpoints: [{ id: 'rot', url: receiver.url, secret: [SECRET, NEXT_SECRET] }] } });
    await appendEvents(t, 1);
    await t.server.deliverWebhooks();
    const [r] = receiver.received;
    expect(r!.signature.split(' ')).toHaveLength(2);
    expectSigned(receiver.received, SECRET);
    expectSigned(receiver.received, NEXT_SECRET);
    expect(verifyWebhook({ secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}`, headers: { 'webhook-id': r!.id, 'webhook-timestamp': r!.timestamp, 'webhook-signature': r!.signature }, body: r!.body, now: () => Number(r!.timestamp) * 1000 })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses bad configuration with ERR_SERVER_CONFIG, never quoting the secret or the URL', () => {
    const bad: WebhookOptions[] = [
      { endpoints: [{ id: 'a b', url: 'https://x.example', secret: SECRET }] },
      { endpoints: [{ id: 'a', url: 'ftp://x.example/secret-path', secret: SECRET }] },
      { endpoints: [{ id: 'a', url: 'https://user:pw@x.example', secret: SECRET }] },
      { endpoints: [{ id: 'a', url: 'https://x.example', secret: 'whsec_c2hvcnQ=' }] },
      { endpoints: [{ id: 'a', url: 'https://x.example', secret: [] }] },
      { endpoints: [{ id: 'a', url: 'https://x.example', secret: SECRET, events: { kinds: ['OTP'] } }] },
      { endpoints: [{ id: 'a', url: 'https://x.example', secret: SECRET }, { id: 'a', url: 'https://y.example', secret: SECRET }] },
      { endpoints: [], timeoutMs: 0 },
      { endpoints: [], timeoutMs: 1000, leaseMs: 1000 },
      { endpoints: [], retryScheduleMs: [-1] },
      { endpoints: [{ id: 'a', url: 'https://x.example', secret: SECRET, from: 'now' as 'latest' }] },
    ];
    for (const webhooks of bad) {
      let err: unknown;
      try {
        makeServer({ webhooks });
      } catch (e) {
        err = e;
      }
      expect(isCloudMfaError(err, 'ERR_SERVER_CONFIG'), JSON.stringify(webhooks)).toBe(true);
      const message = (err as Error).message;
      expect(message).not.toContain('c2hvcnQ');
      expect(message).not.toContain(SECRET.slice(6, 20));
      expect(message).not.toContain('secret-path');
      expect(message).not.toContain('pw@');
    }
  });

  it('without webhooks configured, delivery does nothing', async () => {
    t = makeServer();
    expect(await t.server.deliverWebhooks()).toEqual({ delivered: 0, failed: 0, retrying: 0, busy: 0, more: false });
    expect(await t.server.webhookStatus()).toEqual([]);
  });
});

describe('verifyWebhook', () => {
  const body = JSON.stringify({ type: 'otp.locked', timestamp: new Date(T0).toISOString(), data: { id: '1' } });
  const wh = new Webhook(SECRET);
  const signed = (id = 'msg_1', at = T0) => ({ 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at / 1000)), 'webhook-signature': wh.sign(id, new Date(at), body) });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('accepts what the standardwebhooks package signs, and that package accepts what the dispatcher signs', async () => {
    expect(verifyWebhook({ secret: SECRET, headers: signed(), body, now: () => T0 })).toEqual({ ok: true, id: 'msg_1', timestamp: T0, payload: JSON.parse(body) });
    expect(verifyWebhook({ secret: SECRET, headers: new Headers(signed()), body: new TextEncoder().encode(body), now: () => T0 })).toMatchObject({ ok: true });

    const receiver = await startReceiver(() => 200);
    try {
      const t = makeServer({ webhooks: { endpoints: [{ id: 'x', url: receiver.url, secret: SECRET }] } });
      await appendEvents(t, 2);
      await t.server.deliverWebhooks();
      vi.useFakeTimers({ toFake: ['Date'] });
      for (const r of receiver.received) {
        vi.setSystemTime(Number(r.timestamp) * 1000);
        const payload = wh.verify(r.body, { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature }) as WebhookPayload;
        expect(`msg_${payload.data.id}`).toBe(r.id);
      }
      expect(receiver.received).toHaveLength(2);
    } finally {
      vi.useRealTimers();
      await receiver.close();
    }
  });

  it('refuses, as a typed result, a tampered body, a wrong secret, a stale or future timestamp, missing headers', () => {
    const h = signed();
    expect(verifyWebhook({ secret: SECRET, headers: h, body: body.replace('locked', 'lockee'), now: () => T0 })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhook({ secret: NEXT_SECRET, headers: h, body, now: () => T0 })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhook({ secret: [NEXT_SECRET, SECRET], headers: h, body, now: () => T0 })).toMatchObject({ ok: true });
    expect(verifyWebhook({ secret: SECRET, headers: { ...h, 'webhook-id': 'msg_2' }, body, now: () => T0 })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhook({ secret: SECRET, headers: h, body, now: () => T0 + 300_001 })).toEqual({ ok: false, reason: 'too_old' });
    expect(verifyWebhook({ secret: SECRET, headers: h, body, now: () => T0 + 300_000 })).toMatchObject({ ok: true });
    expect(verifyWebhook({ secret: SECRET, headers: h, body, now: () => T0 - 300_001 })).toEqual({ ok: false, reason: 'too_new' });
    expect(verifyWebhook({ secret: SECRET, headers: h, body, now: () => T0 + 60_000, toleranceMs: 1000 })).toEqual({ ok: false, reason: 'too_old' });
    expect(verifyWebhook({ secret: SECRET, headers: { ...h, 'webhook-timestamp': '1e9' }, body, now: () => T0 })).toEqual({ ok: false, reason: 'bad_timestamp' });
    expect(verifyWebhook({ secret: SECRET, headers: { 'webhook-id': 'msg_1' }, body, now: () => T0 })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(verifyWebhook({ secret: SECRET, headers: { ...h, 'webhook-signature': 'v1a,abc v2,xyz garbage' }, body, now: () => T0 })).toEqual({ ok: false, reason: 'bad_signature' });
    // A valid signature over a body that is not JSON.
    const raw = 'not json';
    const rawHeaders = { ...h, 'webhook-signature': wh.sign('msg_1', new Date(T0), raw) };
    expect(verifyWebhook({ secret: SECRET, headers: rawHeaders, body: raw, now: () => T0 })).toEqual({ ok: false, reason: 'malformed_body' });
  });

  it('a malformed secret is misuse (ERR_INVALID_ARGUMENT), and the error does not quote it', () => {
    for (const secret of ['whsec_short', 'whsec_c2hvcnQ=', '', [] as string[], 42 as unknown as string]) {
      let err: unknown;
      try {
        verifyWebhook({ secret, headers: signed(), body, now: () => T0 });
      } catch (e) {
        err = e;
      }
      expect(isCloudMfaError(err, 'ERR_INVALID_ARGUMENT')).toBe(true);
      expect((err as Error).message).not.toContain('c2hvcnQ');
    }
  });
});
