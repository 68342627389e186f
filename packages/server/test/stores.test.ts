// End to end through the HTTP handler on every real store: memory, SQLite (file), PostgreSQL
// (own schema), and PostgreSQL + Redis (enrolments and audit on PostgreSQL, the hot OTP guard
// and push challenges on Redis, own key prefix). Each test gets a fresh, isolated store and
// cleans it up. A missing PostgreSQL or Redis fails these tests; nothing is skipped.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRedemptionResponse, type RedemptionRequest } from '@cloudmfa/activation';
import { createSoftwareSigner, fixedClock } from '@cloudmfa/core';
import { createMemoryStore, type MfaStore } from '@cloudmfa/storage';
import { migrate, openPostgresStore } from '@cloudmfa/storage-postgres';
import { createRedisStore, dropRedisStore, RECOMMENDED_REDIS_OPTIONS } from '@cloudmfa/storage-redis';
import { openSqliteStore } from '@cloudmfa/storage-sqlite';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpHandler, createMfaServer, type MfaServer } from '../src/index.js';
import { documented } from './openapi.js';
import {
  answerPush,
  codeAt,
  FAST_KDF,
  ISSUER,
  KEK1,
  KEK2,
  makeDevice,
  ORIGIN,
  pollRequest,
  prepareRedemption,
  seededRandom,
  T0,
  type TestServer,
  testCrypto,
  TEST_STORE_DEADLINE_MS,
} from './helpers.js';

type Clock = ReturnType<typeof fixedClock>;
interface Opened {
  store: MfaStore;
  cleanup: () => Promise<void>;
}

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 8 });
pool.on('error', () => undefined); // idle clients terminated by the server: not a test failure
const redisAdmin = new Redis({ host: '127.0.0.1', port: 6379, ...RECOMMENDED_REDIS_OPTIONS });
afterAll(async () => {
  await pool.end();
  redisAdmin.disconnect();
});

// Sandbox names only (other engineers share these servers); no outcome depends on them.
const sandbox = (tag: string) => `cmfa_srv_${tag}_${process.pid}_${randomBytes(4).toString('hex')}`;

async function openPostgres(clock: Clock): Promise<Opened & { schema: string }> {
  const schema = sandbox('pg');
  await migrate({ pool, schema, clock });
  const store = await openPostgresStore({ pool, schema, clock });
  return { store, schema, cleanup: async () => void (await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)) };
}

const BACKENDS: Record<string, (clock: Clock) => Promise<Opened>> = {
  memory: async (clock) => ({ store: createMemoryStore({ clock }), cleanup: async () => undefined }),
  sqlite: async (clock) => {
    const dir = mkdtempSync(join(tmpdir(), 'cmfa-server-'));
    const store = openSqliteStore({ path: join(dir, 'mfa.db'), clock });
    return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  },
  postgres: openPostgres,
  'postgres+redis': async (clock) => {
    const pgPart = await openPostgres(clock);
    const keyPrefix = `${sandbox('redis')}:`;
    const client = new Redis({ host: '127.0.0.1', port: 6379, ...RECOMMENDED_REDIS_OPTIONS });
    const redis = createRedisStore({ client, keyPrefix, clock, closeClient: true });
    const store: MfaStore = {
      enrolments: pgPart.store.enrolments,
      audit: pgPart.store.audit,
      guard: redis.guard,
      challenges: redis.challenges,
      organisations: pgPart.store.organisations,
      forOrganisation: (id) => {
        const p = pgPart.store.forOrganisation(id);
        const r = redis.forOrganisation(id);
        return { enrolments: p.enrolments, audit: p.audit, guard: r.guard, challenges: r.challenges };
      },
      close: async () => {
        await redis.close();
        await pgPart.store.close();
      },
    };
    return {
      store,
      cleanup: async () => {
        await dropRedisStore({ client: redisAdmin, keyPrefix });
        await pgPart.cleanup();
      },
    };
  },
};

/** A server over `store` (several of them over one store are what a load-balanced deployment runs). */
function serverOn(store: MfaStore, clock: Clock, name: string, kek = { current: 'k1', keys: { k1: KEK1 } as Record<string, Uint8Array> }): MfaServer {
  return createMfaServer({
    store,
    keys: { kek, push: createSoftwareSigner({ algorithm: 'ES256', random: seededRandom('push-key') }) },
    issuer: ISSUER,
    origin: ORIGIN,
    policy: { activation: { kdf: FAST_KDF } },
    clock,
    random: seededRandom(`server-${name}`),
    crypto: testCrypto,
    storeDeadlineMs: TEST_STORE_DEADLINE_MS,
  });
}

const json = (path: string, body: unknown) =>
  new Request(`${ORIGIN}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe.each(Object.keys(BACKENDS))('end to end over HTTP on %s', (backend) => {
  let clock: Clock;
  let opened: Opened;
  let t: TestServer;
  let second: MfaServer;

  beforeEach(async () => {
    clock = fixedClock(T0);
    opened = await (BACKENDS[backend] as (c: Clock) => Promise<Opened>)(clock);
    const server = serverOn(opened.store, clock, 'a');
    second = serverOn(opened.store, clock, 'b');
    t = { server, store: opened.store, clock, events: [], pushSigner: createSoftwareSigner({ random: seededRandom('push-key') }), random: seededRandom('unused') };
  });
  afterEach(async () => {
    await opened.store.close();
    await opened.cleanup();
  });

  async function redeemOverHttp(userId: string, deviceName: string) {
    const handler = documented(createHttpHandler({ server: t.server }));
    const activation = await t.server.startActivation({ userId });
    const device = makeDevice(deviceName);
    const { request, state } = await prepareRedemption(t, activation, device);
    const res = await handler(json('/v1/activations/redeem', request));
    expect(res.status).toBe(200);
    const body = await res.json();
    const identity = await openRedemptionResponse({ response: body, state, crypto: testCrypto });
    return { activation, device, identity, request, body, handler };
  }

  it('activation: once, retried, second device refused, late refused; lifetime by time travel', async () => {
    const { activation, request, body, handler } = await redeemOverHttp('alice', 'a');
    // The same request on the other server: the stored response.
    const retry = await documented(createHttpHandler({ server: second }))(json('/v1/activations/redeem', request));
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(body);
    const other = await prepareRedemption(t, activation, makeDevice('b'));
    const refused = await handler(json('/v1/activations/redeem', other.request));
    // A redeemed id answers like a bad MAC (issue 11 §3): its secret is gone, nothing to check.
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('ERR_ACTIVATION_INVALID');

    // Two devices racing for one fresh activation on two servers: exactly one wins.
    const race = await t.server.startActivation({ userId: 'bob' });
    const r1 = await prepareRedemption(t, race, makeDevice('c'));
    const r2 = await prepareRedemption(t, race, makeDevice('d'));
    const [x, y] = await Promise.all([t.server.completeActivation({ request: r1.request }), second.completeActivation({ request: r2.request })]);
    expect([x.ok, y.ok].filter(Boolean)).toHaveLength(1);
    // The loser answers `already_redeemed` when its MAC verified before the winner's commit,
    // else (the record already redeemed at its lookup: no secret left to check) as a bad MAC.
    const loser = [x, y].find((r) => !r.ok);
    expect(loser && !loser.ok && ['already_redeemed', 'invalid'].includes(loser.reason)).toBe(true);

    const late = await t.server.startActivation({ userId: 'carol' });
    const lateRequest: RedemptionRequest = (await prepareRedemption(t, late, makeDevice('e'))).request;
    clock.set(late.expiresAt + 1);
    const lateRes = await handler(json('/v1/activations/redeem', lateRequest));
    expect(lateRes.status).toBe(410);

    const kinds = (await t.server.queryAudit({ userId: 'alice' })).events.map((e) => e.kind).reverse();
    expect(kinds).toEqual(['enrolment.issued', 'enrolment.redeemed', 'enrolment.double_redemption']);
    expect((await t.server.queryAudit({ userId: 'carol' })).events[0]?.kind).toBe('enrolment.redeem_refused');
  });

  it('OTP: one acceptance per code across two servers, replay refused, throttled, revoked', async () => {
    const { identity } = await redeemOverHttp('alice', 'a');
    const id = identity.enrolmentId;
    const code = codeAt(t, identity.seed);
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => (i % 2 ? second : t.server).verifyOtp({ enrolmentId: id, code })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await t.server.verifyOtp({ userId: 'alice', code })).toMatchObject({ ok: false });

    // Count-first throttling: the burst's losers and the replay above were counted, some of
    // them after the winner's consume reset the counter, in an order the store's scheduling
    // decides. Start the throttle curve from a known zero so its assertions are exact.
    await t.server.unlockOtp(id);
    clock.advance(30_000);
    for (let i = 0; i < 4; i++) await second.verifyOtp({ enrolmentId: id, code: '000000' === codeAt(t, identity.seed) ? '111111' : '000000' });
    expect(await t.server.verifyOtp({ enrolmentId: id, code: codeAt(t, identity.seed) })).toEqual({ ok: false, reason: 'locked', enrolmentId: id, retryAfterMs: 1000 });
    clock.advance(1000);
    expect(await t.server.verifyOtp({ enrolmentId: id, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });

    expect(await second.revokeEnrolment({ enrolmentId: id })).toEqual({ ok: true });
    clock.advance(30_000);
    expect(await t.server.verifyOtp({ enrolmentId: id, code: codeAt(t, identity.seed) })).toMatchObject({ ok: false, reason: 'not_active', status: 'revoked' });
  });

  it('push over HTTP: one approval from two servers, number match, suspicious pause, cancel unaudited, poll, status', async () => {
    const { identity, device } = await redeemOverHttp('alice', 'a');
    const h1 = documented(createHttpHandler({ server: t.server }));
    const h2 = documented(createHttpHandler({ server: second }));
    const c = await t.server.createPushChallenge({ userId: 'alice', context: { service: 'Acme VPN' }, numberMatch: true });
    if (!c.ok) throw new Error('no challenge');
    const poll = await h2(json('/v1/push/poll', { request: await pollRequest(t, identity, device) }));
    expect(await poll.json()).toEqual({ enrolmentId: identity.enrolmentId, challenges: [c.token] });
    const response = await answerPush(t, identity, device, c.token, 'confirm', { number: c.number as string });
    const answers = await Promise.all([h1(json('/v1/push/respond', { response })), h2(json('/v1/push/respond', { response }))]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    const status = await h2(new Request(`${ORIGIN}/v1/push/challenges/${c.challengeId}`));
    expect(((await status.json()) as { status: string }).status).toBe('approved');

    const cancel = await second.createPushChallenge({ userId: 'alice', context: { service: 'Acme VPN' } });
    if (!cancel.ok) throw new Error('no challenge');
    expect((await h1(json('/v1/push/respond', { response: await answerPush(t, identity, device, cancel.token, 'cancel') }))).status).toBe(200);

    const sus = await t.server.createPushChallenge({ userId: 'alice', context: { service: 'Acme VPN' } });
    if (!sus.ok) throw new Error('no challenge');
    expect((await h2(json('/v1/push/respond', { response: await answerPush(t, identity, device, sus.token, 'suspicious') }))).status).toBe(200);
    // The pause is in the store: the other server sees it.
    expect(await second.createPushChallenge({ userId: 'alice', context: { service: 'Acme VPN' } })).toEqual({ ok: false, reason: 'paused', retryAfterMs: 900_000 });

    const kinds = (await t.server.queryAudit({ enrolmentId: identity.enrolmentId })).events.map((e) => e.kind).reverse();
    expect(kinds).toEqual(['enrolment.issued', 'enrolment.redeemed', 'push.approved', 'push.suspicious']);
  });

  it('key rotation on the stored records', async () => {
    const { identity } = await redeemOverHttp('alice', 'a');
    const rotated = serverOn(opened.store, clock, 'r', { current: 'k2', keys: { k1: KEK1, k2: KEK2 } });
    expect(await rotated.rotateKeys({ userId: 'alice' })).toEqual({ examined: 1, rewrapped: 1, current: 0, failed: 0 });
    const only2 = serverOn(opened.store, clock, 'o', { current: 'k2', keys: { k2: KEK2 } });
    expect(await only2.verifyOtp({ userId: 'alice', code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
    expect((await only2.getEnrolment(identity.enrolmentId))?.keyId).toBe('k2');
  });
});
