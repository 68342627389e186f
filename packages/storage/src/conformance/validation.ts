import { expect, it } from 'vitest';
import { STORAGE_LIMITS } from '../limits.js';
import { DEFAULT_THROTTLE_POLICY, type ThrottlePolicy } from '../throttle.js';
import { type Ctx, expectCode, enrol, challenge, SECRET, MIN } from './_shared.js';

// ---------------------------------------------------------------------------------------------
// validation

export function validationTests(c: Ctx): void {
  const badIds: unknown[] = ['', 'a b', 'a{b}', 'a/b', 'é', 'x'.repeat(129), 42, null, undefined, {}];
  const badUsers: unknown[] = ['', 'x'.repeat(257), 'a\u0000b', 'tab\tid', 'del\u007f', '\ud800', 'x\udc00y', 7, null];

  it('refuses malformed ids everywhere with ERR_STORAGE_INVALID', async () => {
    for (const id of badIds) {
      const s = id as string;
      await expectCode(() => c.store.enrolments.create({ id: s, userId: 'alice', secret: SECRET, expiresAt: c.clock() + MIN }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.enrolments.get(s), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.enrolments.redeem(s), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.enrolments.revoke(s), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.enrolments.update(s, { meta: {} }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.guard.get(s), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.guard.consume(s, 1), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.guard.recordFailure(s, DEFAULT_THROTTLE_POLICY), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.guard.reset(s), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.challenges.create({ id: s, enrolmentId: 'e', userId: 'u', expiresAt: c.clock() + MIN }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.challenges.create({ id: 'c', enrolmentId: s, userId: 'u', expiresAt: c.clock() + MIN }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.challenges.get(s), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.challenges.finalize(s, { status: 'approved' }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.challenges.listPending(s), 'ERR_STORAGE_INVALID');
      if (id !== null && id !== undefined) {
        await expectCode(() => c.store.audit.append({ kind: 'x', enrolmentId: s }), 'ERR_STORAGE_INVALID');
        await expectCode(() => c.store.audit.query({ enrolmentId: s }), 'ERR_STORAGE_INVALID');
      }
    }
    // Nothing was written by the refused calls.
    expect(await c.store.challenges.get('c')).toBeNull();
    expect((await c.store.audit.query()).events).toEqual([]);
  });

  it('refuses malformed user ids with ERR_STORAGE_INVALID', async () => {
    for (const u of badUsers) {
      const s = u as string;
      await expectCode(() => c.store.enrolments.create({ id: 'e1', userId: s, secret: SECRET, expiresAt: c.clock() + MIN }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.enrolments.listByUser(s), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.challenges.create({ id: 'c1', enrolmentId: 'e1', userId: s, expiresAt: c.clock() + MIN }), 'ERR_STORAGE_INVALID');
      if (u !== null) {
        await expectCode(() => c.store.audit.append({ kind: 'x', userId: s }), 'ERR_STORAGE_INVALID');
        await expectCode(() => c.store.audit.query({ userId: s }), 'ERR_STORAGE_INVALID');
      }
    }
    expect(await c.store.enrolments.get('e1')).toBeNull();
  });

  it('refuses bad secrets, expiries and meta values, and writes nothing', async () => {
    const base = { id: 'e1', userId: 'alice', secret: SECRET, expiresAt: c.clock() + MIN };
    const bad: Record<string, unknown>[] = [
      { secret: new Uint8Array(0) },
      { secret: Array.from(SECRET) },
      { secret: 'c2VjcmV0' },
      { secret: new Uint8Array(STORAGE_LIMITS.secretBytes + 1) },
      { expiresAt: c.clock() },
      { expiresAt: c.clock() - 1 },
      { expiresAt: c.clock() + 0.5 },
      { expiresAt: -1 },
      { expiresAt: STORAGE_LIMITS.maxTime + 1 },
      { expiresAt: String(c.clock() + MIN) },
      { expiresAt: Number.NaN },
      { meta: [] },
      { meta: 'text' },
      { meta: null },
      { meta: new Date(0) },
      { meta: { n: Number.NaN } },
      { meta: { n: Number.POSITIVE_INFINITY } },
      { meta: { f: () => 1 } },
      { meta: { u: undefined } },
      { meta: { big: 10n } },
      { meta: { nul: 'a\u0000b' } },
      { meta: { lone: '\ud83d' } },
      { meta: { ['\udc00']: 1 } },
      { meta: { m: new Map() } },
    ];
    for (const b of bad) {
      await expectCode(() => c.store.enrolments.create({ ...base, ...b } as never), 'ERR_STORAGE_INVALID');
    }
    await expectCode(() => c.store.enrolments.create(null as never), 'ERR_STORAGE_INVALID');
    expect(await c.store.enrolments.get('e1')).toBeNull();
    // redeem / update validate their changes before touching the record.
    await enrol(c, 'e2');
    await expectCode(() => c.store.enrolments.redeem('e2', { secret: new Uint8Array(0) }), 'ERR_STORAGE_INVALID');
    await expectCode(() => c.store.enrolments.redeem('e2', { meta: [] as never }), 'ERR_STORAGE_INVALID');
    await expectCode(() => c.store.enrolments.update('e2', { meta: { n: Number.NaN } }), 'ERR_STORAGE_INVALID');
    await expectCode(() => c.store.enrolments.update('e2', { meta: {}, expectedVersion: 0 }), 'ERR_STORAGE_INVALID');
    await expectCode(() => c.store.enrolments.update('e2', { meta: {}, expectedVersion: 1.5 }), 'ERR_STORAGE_INVALID');
    expect(await c.store.enrolments.get('e2')).toMatchObject({ status: 'pending', version: 1 });
  });

  it('refuses bad steps, drifts, policies and limits', async () => {
    for (const step of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, Number.POSITIVE_INFINITY, '5', null]) {
      await expectCode(() => c.store.guard.consume('g', step as number), 'ERR_STORAGE_INVALID');
    }
    for (const drift of [100_001, -100_001, 0.5, Number.NaN, '1']) {
      await expectCode(() => c.store.guard.consume('g', 1, { drift: drift as number }), 'ERR_STORAGE_INVALID');
    }
    expect(await c.store.guard.get('g')).toBeNull();
    const p = DEFAULT_THROTTLE_POLICY;
    for (const bad of [
      null,
      {},
      { ...p, freeFailures: -1 },
      { ...p, lockoutFailures: p.freeFailures },
      { ...p, baseDelayMs: 1.5 },
      { ...p, maxDelayMs: -1 },
      { ...p, lockoutMs: 10 ** 15 },
    ]) {
      await expectCode(() => c.store.guard.recordFailure('g', bad as ThrottlePolicy), 'ERR_STORAGE_INVALID');
    }
    expect(await c.store.guard.get('g')).toBeNull();
    for (const limit of [0, -1, 1001, 1.5, Number.NaN, '10']) {
      const l = limit as number;
      await expectCode(() => c.store.enrolments.listByUser('alice', { limit: l }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.challenges.listPending('enr1', { limit: l }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.audit.query({ limit: l }), 'ERR_STORAGE_INVALID');
    }
    for (const t of [-1, 0.5, STORAGE_LIMITS.maxTime + 1, '0']) {
      await expectCode(() => c.store.audit.query({ from: t as number }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.audit.query({ to: t as number }), 'ERR_STORAGE_INVALID');
    }
  });

  it('refuses bad challenge input, transitions and audit events', async () => {
    await expectCode(() => c.store.challenges.create({ id: 'c1', enrolmentId: 'e', userId: 'u', expiresAt: c.clock() }), 'ERR_STORAGE_INVALID');
    await expectCode(
      () => c.store.challenges.create({ id: 'c1', enrolmentId: 'e', userId: 'u', expiresAt: c.clock() + MIN, meta: { x: Number.NaN } }),
      'ERR_STORAGE_INVALID',
    );
    expect(await c.store.challenges.get('c1')).toBeNull();
    await challenge(c, 'c2');
    for (const status of ['pending', 'expired', 'APPROVED', '', null]) {
      await expectCode(() => c.store.challenges.finalize('c2', { status: status as 'approved' }), 'ERR_STORAGE_INVALID');
    }
    await expectCode(() => c.store.challenges.finalize('c2', null as never), 'ERR_STORAGE_INVALID');
    await expectCode(() => c.store.challenges.finalize('c2', { status: 'approved', outcome: [] as never }), 'ERR_STORAGE_INVALID');
    expect((await c.store.challenges.get('c2'))?.status).toBe('pending');
    for (const kind of ['', 'Otp.accepted', '1otp', 'otp accepted', 'x'.repeat(65), 'otp-accepted', 5, null]) {
      await expectCode(() => c.store.audit.append({ kind: kind as string }), 'ERR_STORAGE_INVALID');
    }
    await expectCode(() => c.store.audit.append({ kind: 'x', detail: [] as never }), 'ERR_STORAGE_INVALID');
    await expectCode(() => c.store.audit.append(null as never), 'ERR_STORAGE_INVALID');
    expect((await c.store.audit.query()).events).toEqual([]);
  });

  it('never echoes a value in an error message', async () => {
    const marker = 'S3CR3T-MARKER';
    const errors = [
      await expectCode(() => c.store.enrolments.create({ id: `${marker} x`, userId: 'u', secret: SECRET, expiresAt: c.clock() + MIN }), 'ERR_STORAGE_INVALID'),
      await expectCode(() => c.store.enrolments.create({ id: 'e', userId: `${marker}\u0000`, secret: SECRET, expiresAt: c.clock() + MIN }), 'ERR_STORAGE_INVALID'),
      await expectCode(
        () => c.store.enrolments.create({ id: 'e', userId: 'u', secret: SECRET, expiresAt: c.clock() + MIN, meta: { k: `${marker}\u0000` } }),
        'ERR_STORAGE_INVALID',
      ),
      await expectCode(() => c.store.audit.query({ cursor: marker }), 'ERR_STORAGE_INVALID'),
    ];
    await enrol(c, 'dup', { secret: new Uint8Array([0x53, 0x33]) });
    errors.push(await expectCode(() => enrol(c, 'dup'), 'ERR_STORAGE_CONFLICT'));
    for (const e of errors) {
      expect(e.message).not.toContain(marker);
      expect(JSON.stringify(e.cause ?? null)).not.toContain(marker);
    }
  });
}
