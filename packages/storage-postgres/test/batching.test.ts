import { fixedClock } from '@cloudmfa/core';
import { migrate, openPostgresStore, type PostgresStore } from '@cloudmfa/storage-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, testPool, uniqueSchema } from './helpers.js';

// guard.consume groups the consumes that arrive together into one cloudmfa_otp_consume_batch
// call (up to 128 per call). These check that grouping never changes what a caller sees.
const T0 = Date.UTC(2026, 0, 1);
const pool = testPool(8);
const schema = uniqueSchema('batch');
let store: PostgresStore;
const clock = fixedClock(T0);

beforeAll(async () => {
  await migrate({ pool, schema });
  store = await openPostgresStore({ pool, schema, clock });
});
afterAll(async () => {
  await store.close();
  await dropSchema(pool, schema);
  await pool.end();
});

describe('grouped consumes', () => {
  it('duplicates in one batch behave as sequential calls in arrival order', async () => {
    const r = await Promise.all([
      store.guard.consume('d1', 5, { drift: 1 }),
      store.guard.consume('d1', 5),
      store.guard.consume('d1', 4),
      store.guard.consume('d1', 6),
      store.guard.consume('d0', 6),
    ]);
    expect(r.map((x) => (x.ok ? 'ok' : x.reason))).toEqual(['ok', 'replayed', 'replayed', 'ok', 'ok']);
    expect(r[1]).toEqual({ ok: false, reason: 'replayed', lastStep: 5 });
    expect(r[3]).toEqual({
      ok: true,
      state: { enrolmentId: 'd1', lastStep: 6, failures: 0, lockedUntil: null, drift: 1, lastUsedAt: T0 },
    });
    expect(r[4]).toMatchObject({ ok: true, state: { enrolmentId: 'd0', lastStep: 6, drift: null } });
  });

  it('each consume keeps its own clock reading, drift and lock state inside a batch', async () => {
    await store.guard.recordFailure('locked', { freeFailures: 0, baseDelayMs: 0, maxDelayMs: 0, lockoutFailures: 1, lockoutMs: 60_000 });
    const first = store.guard.consume('t1', 1, { drift: -2 });
    clock.advance(1000);
    const second = store.guard.consume('t2', 1, { drift: 3 });
    const third = store.guard.consume('locked', 1);
    const [a, b, c] = await Promise.all([first, second, third]);
    expect(a).toMatchObject({ ok: true, state: { enrolmentId: 't1', lastUsedAt: T0, drift: -2 } });
    expect(b).toMatchObject({ ok: true, state: { enrolmentId: 't2', lastUsedAt: T0 + 1000, drift: 3 } });
    expect(c).toEqual({ ok: false, reason: 'locked', lockedUntil: T0 + 60_000, failures: 1 });
  });

  it('1,000 concurrent consumes over 50 keys and 4 steps each (several batches at once): each (key, step) accepted at most once, the last step of every key accepted', async () => {
    const calls: [string, number][] = [];
    for (let i = 0; i < 1000; i++) calls.push([`m${i % 50}`, 100 + (Math.floor(i / 50) % 4)]);
    const results = await Promise.all(calls.map(([k, s]) => store.guard.consume(k, s)));
    const accepted = new Set<string>();
    results.forEach((r, i) => {
      if (!r.ok) return;
      const key = calls[i]!.join('@');
      expect(accepted.has(key)).toBe(false);
      accepted.add(key);
    });
    for (let k = 0; k < 50; k++) {
      expect(accepted.has(`m${k}@103`)).toBe(true);
      expect((await store.guard.get(`m${k}`))?.lastStep).toBe(103);
    }
  });
});

describe('grouped reads', () => {
  it('enrolments.get and guard.get of one turn go as one statement each and answer as single reads: missing ids, duplicates, organisations, forgotten guards', async () => {
    const acme = store.forOrganisation('acme');
    const secret = Uint8Array.from({ length: 20 }, (_, i) => i);
    await store.enrolments.create({ id: 'r1', userId: 'alice', secret, expiresAt: T0 + 60_000 });
    await acme.enrolments.create({ id: 'r1', userId: 'bob', secret: secret.slice(1), expiresAt: T0 + 60_000 });
    await store.guard.consume('r1', 3);
    await acme.guard.recordFailure('r2', { freeFailures: 3, baseDelayMs: 0, maxDelayMs: 0, lockoutFailures: 5, lockoutMs: 0, forgetAfterMs: 1 });
    // The same schema through a pool that counts the statements it is sent.
    const sent: string[] = [];
    const counting = { query: (config: { text: string }) => (sent.push(config.text), pool.query(config as never)) };
    const counted = await openPostgresStore({ pool: counting as never, schema, clock });
    sent.length = 0;
    await Promise.all([counted.enrolments.get('r1'), counted.forOrganisation('acme').enrolments.get('r1'), counted.guard.get('r1'), counted.guard.get('x')]);
    expect(sent.length).toBe(2);
    const gets = await Promise.all([store.enrolments.get('r1'), acme.enrolments.get('r1'), store.enrolments.get('nope'), store.enrolments.get('r1')]);
    expect(gets.map((e) => e?.userId ?? null)).toEqual(['alice', 'bob', null, 'alice']);
    expect(gets[1]?.secret).toEqual(secret.slice(1));
    expect(gets[0]).toEqual(gets[3]);
    const guards = await Promise.all([store.guard.get('r1'), acme.guard.get('r1'), acme.guard.get('r2')]);
    expect(guards).toEqual([expect.objectContaining({ lastStep: 3 }), null, expect.objectContaining({ failures: 1 })]);
    // acme's r2 is forgotten 1 ms after its failure: read as never touched.
    clock.advance(1);
    expect(await Promise.all([acme.guard.get('r2'), store.guard.get('r1')])).toEqual([null, expect.objectContaining({ lastStep: 3 })]);
  });
});

describe('grouped appends', () => {
  it('the audit appends of one turn go as one statement and answer as single appends: keys (twice in one call, already in the log), organisations, no key', async () => {
    const acme = store.forOrganisation('acme');
    const before = await store.audit.append({ key: 'k-old', kind: 'otp.accepted', enrolmentId: 'a1', userId: 'alice', detail: { step: 1 } });
    const sent: string[] = [];
    const counting = { query: (config: { text: string }) => (sent.push(config.text), pool.query(config as never)) };
    const counted = await openPostgresStore({ pool: counting as never, schema, clock });
    const cacme = counted.forOrganisation('acme');
    sent.length = 0;
    const r = await Promise.all([
      counted.audit.append({ key: 'k-new', kind: 'otp.accepted', enrolmentId: 'a1', userId: 'alice', detail: { step: 2 } }),
      cacme.audit.append({ key: 'k-new', kind: 'otp.accepted', enrolmentId: 'a1', userId: 'bob', detail: { step: 2 } }),
      counted.audit.append({ kind: 'otp.refused', enrolmentId: 'a1', userId: 'alice', detail: { reason: 'mismatch' } }),
      counted.audit.append({ key: 'k-new', kind: 'otp.accepted', enrolmentId: 'a1', userId: 'alice', detail: { step: 3 } }),
      counted.audit.append({ key: 'k-old', kind: 'otp.accepted', enrolmentId: 'a1', userId: 'alice', detail: { step: 9 } }),
    ]);
    expect(sent.length).toBe(1);
    // The same key twice in one call: one event, the first element's; a key from before: the stored event.
    expect(r[3]).toEqual(r[0]);
    expect(r[0]).toMatchObject({ kind: 'otp.accepted', userId: 'alice', detail: { step: 2 } });
    expect(r[4]).toEqual(before);
    // Organisations keep their own keys and events.
    expect(r[1]).toMatchObject({ userId: 'bob', detail: { step: 2 } });
    expect(r[1]?.id).not.toBe(r[0]?.id);
    expect(r[2]).toMatchObject({ kind: 'otp.refused', detail: { reason: 'mismatch' } });
    const own = (await store.audit.query({ enrolmentId: 'a1', limit: 100 })).events;
    expect(own.map((e) => e.id).sort()).toEqual([before.id, r[0]!.id, r[2]!.id].sort());
    const theirs = (await acme.audit.query({ enrolmentId: 'a1', limit: 100 })).events;
    expect(theirs.map((e) => e.id)).toEqual([r[1]!.id]);
  });
});
