// Two `node server.mjs` processes sharing one PostgreSQL (its own schema, migrated by whichever
// process gets the advisory lock first) and one Redis (its own key prefix), with the same keys:
// the scale-out configuration. The same codes are submitted concurrently to both, many times:
// exactly one acceptance per code; the same push response is submitted concurrently to both:
// exactly one approval. Real child processes, real servers; the schema and keys are dropped.
//
// The children run on the system clock (see process.test.ts); every code is taken inside the
// server's window, so the outcome does not depend on when the test runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, createSoftwareSigner, encodeBase64Url, systemClock } from '@cloudmfa/core';
import { createRedisStore, dropRedisStore, RECOMMENDED_REDIS_OPTIONS } from '@cloudmfa/storage-redis';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, codeAt, FAST_KDF_POLICY, makePhone, type Phone, pollAndAnswer, redeemOverHttp, type ServerProcess, seededRandom, startServerProcess } from './helpers.js';

const now: Clock = systemClock;
const TOKEN = 'multiprocess-admin-token-0123456789';
const tag = `${process.pid}_${Date.now().toString(36)}`;
const SCHEMA = `cmfa_example_mp_${tag}`;
const PREFIX = `cmfa-example-mp:${tag}:`;
const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = 'redis://127.0.0.1:6379';
const USERS = 16;
const PER_SERVER = 8;

const random = seededRandom('multiprocess-keys');
const env = {
  PORT: '0',
  CLOUDMFA_ADMIN_PORT: '0',
  DATABASE_URL,
  REDIS_URL,
  CLOUDMFA_PG_SCHEMA: SCHEMA,
  CLOUDMFA_REDIS_PREFIX: PREFIX,
  CLOUDMFA_ADMIN_TOKEN: TOKEN,
  CLOUDMFA_ORIGIN: 'https://mfa.acme.example',
  CLOUDMFA_TRUST_PROXY_HEADER: 'none',
  CLOUDMFA_REDIS_DISPOSABLE: '1',
  // Several server processes on a shared, loaded machine: no outcome may depend on timing (the
  // deadline itself is tested in packages/server/test/outbox.test.ts and pgRestart.test.ts).
  CLOUDMFA_STORE_DEADLINE_MS: '60000',
  CLOUDMFA_ISSUER: 'Acme Corporation',
  CLOUDMFA_KEKS: `k1:${encodeBase64Url(random(32))}`,
  CLOUDMFA_PUSH_KEY: encodeBase64Url(createSoftwareSigner({ algorithm: 'ES256', random }).exportPrivateKey()),
  CLOUDMFA_POLICY: JSON.stringify(FAST_KDF_POLICY),
  CLOUDMFA_LOG: 'off',
  // No periodic drain: between the answers and the stop no drain runs, so an otp.accepted row
  // without detail.acceptedAt was written by the acceptance's own move (the final check).
  CLOUDMFA_OUTBOX_DRAIN_MS: '0',
};

let dir: string;
let a: ServerProcess;
let b: ServerProcess;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
const redis = new Redis(REDIS_URL, { ...RECOMMENDED_REDIS_OPTIONS });
const users: Array<{ userId: string; phone: Phone; identity: Awaited<ReturnType<typeof redeemOverHttp>>['identity'] }> = [];

/** Audit kinds of one enrolment, read straight from the shared PostgreSQL schema. */
async function auditKinds(enrolmentId: string): Promise<string[]> {
  const { rows } = await pool.query({ text: `SELECT kind FROM "${SCHEMA}".cloudmfa_audit WHERE enrolment_id = $1`, values: [enrolmentId] });
  return rows.map((r: { kind: string }) => r.kind);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cmfa-example-mp-'));
  // Started together: both migrate the fresh schema at once (one waits on the advisory lock).
  [a, b] = await Promise.all([startServerProcess(env, dir), startServerProcess(env, dir)]);
  // Enrol on A, redeem through B: one shared state.
  for (let i = 0; i < USERS; i++) {
    const userId = `user-${i}`;
    const started = await call(`${a.adminUrl}/api/v1/admin/orgs/default/enrolments`, { token: TOKEN, body: { userId } });
    expect(started.status).toBe(201);
    const phone = makePhone(`mp-${i}`);
    const { identity } = await redeemOverHttp(b.deviceUrl, started.json, phone, now);
    users.push({ userId, phone, identity });
  }
}, 120_000);

afterAll(async () => {
  const exits = await Promise.all([a?.stop(), b?.stop()]);
  rmSync(dir, { recursive: true, force: true });
  await pool.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await pool.end();
  await dropRedisStore({ client: redis, keyPrefix: PREFIX });
  redis.disconnect();
  // Both stopped cleanly (after the checks above, so a failure here does not hide the cleanup).
  for (const e of exits) expect(e).toEqual({ code: 0, signal: null });
}, 60_000);

describe('two server processes on one PostgreSQL and one Redis', () => {
  it('both report the shared store', async () => {
    for (const p of [a, b]) {
      expect(p.stdout()).toContain(`store:      postgres schema ${SCHEMA} (enrolments, audit) + redis prefix ${PREFIX} (otp guard, push challenges)`);
      expect(p.stdout()).toContain('keys:       environment; KEK k1');
      expect((await call(`${p.adminUrl}/api/health`, { token: TOKEN })).json).toEqual({ status: 'ok', store: 'postgres+redis' });
    }
    const { rows } = await pool.query({ text: 'SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = $1', values: [SCHEMA] });
    expect(rows[0].n).toBe(1);
  });

  it('accepts each code exactly once when both servers are given it concurrently, many times', async () => {
    const codes = users.map((u) => codeAt(u.identity, now));
    const attempts = users.flatMap((u, i) =>
      [a, b].flatMap((server) =>
        Array.from({ length: PER_SERVER }, () =>
          call(`${server.adminUrl}/api/v1/admin/orgs/default/verify`, { token: TOKEN, body: { userId: u.userId, code: codes[i] } }).then((r) => ({ user: i, server, result: r.json })),
        ),
      ),
    );
    const results = await Promise.all(attempts);
    expect(results).toHaveLength(USERS * 2 * PER_SERVER);
    const acceptedBy = new Map<number, ServerProcess[]>();
    const answeredBy = new Set<ServerProcess>();
    for (const r of results) {
      answeredBy.add(r.server);
      if (r.result.ok === true) acceptedBy.set(r.user, [...(acceptedBy.get(r.user) ?? []), r.server]);
      // Everything else is the replay refused, or the count-first throttle holding a parallel burst.
      else expect(['replayed', 'locked']).toContain(r.result.reason);
    }
    for (let i = 0; i < USERS; i++) expect(acceptedBy.get(i)?.length ?? 0, `user-${i}`).toBe(1);
    expect(answeredBy).toEqual(new Set([a, b]));
    // Each acceptance's otp.accepted entry moves to the shared audit log after the answer
    // (auditMove 'background', docs/server.md 4.1): the last test counts them, after the stop.
  });

  it('approves a push exactly once when its response is submitted concurrently to both servers', async () => {
    const round = users.slice(0, 8);
    const challenges = [];
    for (const [i, u] of round.entries()) {
      // Alternate which process creates the challenge; the phone polls the other one.
      const creator = i % 2 === 0 ? a : b;
      const poller = creator === a ? b : a;
      const created = await call(`${creator.adminUrl}/api/v1/admin/orgs/default/push`, { token: TOKEN, body: { userId: u.userId, context: { service: 'Acme VPN' }, numberMatch: true } });
      expect(created.json.ok).toBe(true);
      const response = await pollAndAnswer(poller.deviceUrl, u.identity, u.phone, now, 'confirm', created.json.number);
      challenges.push({ id: created.json.challengeId as string, response, enrolmentId: u.identity.enrolmentId });
    }
    const submissions = challenges.flatMap((c) =>
      [a, b, a, b, a, b].map((server) => call(`${server.deviceUrl}/v1/push/respond`, { body: { response: c.response } }).then((r) => ({ id: c.id, r }))),
    );
    const results = await Promise.all(submissions);
    for (const c of challenges) {
      const mine = results.filter((x) => x.id === c.id).map((x) => x.r);
      const approvals = mine.filter((r) => r.status === 200);
      expect(approvals).toHaveLength(1);
      expect(approvals[0]?.json).toEqual({ challengeId: c.id, status: 'approved', suspicious: false, detail: null });
      for (const r of mine.filter((x) => x.status !== 200)) expect([r.status, r.json.error.code]).toEqual([409, 'ERR_PUSH_REPLAYED']);
      // Both servers see the final state; the audit log has one approval.
      for (const p of [a, b]) expect((await call(`${p.deviceUrl}/v1/push/challenges/${c.id}`)).json.status).toBe('approved');
      expect((await auditKinds(c.enrolmentId)).filter((k) => k === 'push.approved')).toHaveLength(1);
    }
  });

});

// Must stay last: it stops both processes. A graceful stop waits for the audit moves still
// running after the answers, then drains the outbox (docs/guides/reference-server.md).
describe('both server processes stopped gracefully', () => {
  it('the shared audit log holds exactly one otp.accepted per enrolment, each moved by its acceptance (no acceptedAt), and the outbox is empty', async () => {
    expect(await Promise.all([a.stop(), b.stop()])).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    for (const u of users) {
      const { rows } = await pool.query({
        text: `SELECT detail FROM "${SCHEMA}".cloudmfa_audit WHERE enrolment_id = $1 AND kind = 'otp.accepted'`,
        values: [u.identity.enrolmentId],
      });
      expect(rows, u.userId).toHaveLength(1);
      // A drain's late move adds acceptedAt (docs/server.md 4.1); the background move does not.
      expect(rows[0].detail, u.userId).not.toHaveProperty('acceptedAt');
      expect(rows[0].detail, u.userId).toHaveProperty('step');
    }
    expect(await createRedisStore({ client: redis, keyPrefix: PREFIX }).guard.listPendingAudit()).toEqual([]);
  });
});
