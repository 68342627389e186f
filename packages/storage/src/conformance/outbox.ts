import { expect, it } from 'vitest';
import { DEFAULT_THROTTLE_POLICY } from '../throttle.js';
import { type Ctx, expectCode } from './_shared.js';

// ---------------------------------------------------------------------------------------------
// The audit outbox (docs/storage.md section 5.3): an entry recorded atomically with an
// accepted consume, moved into the audit log exactly once by its key.

const entry = (key: string, step: number) => ({ key, kind: 'otp.accepted', enrolmentId: 'enr1', userId: 'alice', detail: { step } });

export function outboxTests(c: Ctx, n: number): void {
  it('records the entry with an accepted consume, at the store clock, until it is settled', async () => {
    expect(await c.store.guard.listPendingAudit()).toEqual([]);
    const t = c.clock();
    expect((await c.store.guard.consume('enr1', 10, { audit: entry('k1', 10) })).ok).toBe(true);
    c.clock.advance(1000);
    expect((await c.store.guard.consume('enr1', 11, { audit: entry('k0', 11) })).ok).toBe(true);
    // Oldest first, whatever the keys.
    expect(await c.store.guard.listPendingAudit()).toEqual([
      { ...entry('k1', 10), at: t },
      { ...entry('k0', 11), at: t + 1000 },
    ]);
    expect(await c.store.guard.listPendingAudit({ limit: 1 })).toEqual([{ ...entry('k1', 10), at: t }]);
    await c.store.guard.settleAudit({ key: 'k1', enrolmentId: 'enr1' });
    await c.store.guard.settleAudit({ key: 'k1', enrolmentId: 'enr1' });
    await c.store.guard.settleAudit({ key: 'never', enrolmentId: 'enr1' });
    expect((await c.store.guard.listPendingAudit()).map((e) => e.key)).toEqual(['k0']);
  });

  it('records nothing for a refused consume (replayed or locked)', async () => {
    expect((await c.store.guard.consume('enr1', 10)).ok).toBe(true);
    expect(await c.store.guard.consume('enr1', 10, { audit: entry('k1', 10) })).toMatchObject({ ok: false, reason: 'replayed' });
    await c.store.guard.recordFailure('enr1', { ...DEFAULT_THROTTLE_POLICY, freeFailures: 0 });
    expect(await c.store.guard.consume('enr1', 11, { audit: entry('k2', 11) })).toMatchObject({ ok: false, reason: 'locked' });
    expect(await c.store.guard.listPendingAudit()).toEqual([]);
  });

  it('an append with a key the log holds writes nothing and returns the stored event (a replayed drain)', async () => {
    const first = await c.store.audit.append({ key: 'k1', kind: 'otp.accepted', enrolmentId: 'enr1', userId: 'alice', detail: { step: 10 } });
    c.clock.advance(5000);
    const again = await c.store.audit.append({ key: 'k1', kind: 'otp.accepted', enrolmentId: 'enr1', userId: 'alice', detail: { step: 10 } });
    expect(again).toEqual(first);
    const other = await c.store.audit.append({ key: 'k2', kind: 'otp.accepted', enrolmentId: 'enr1', userId: 'alice', detail: { step: 11 } });
    expect(other.id).not.toBe(first.id);
    // Events without a key are never merged.
    await c.store.audit.append({ kind: 'x' });
    await c.store.audit.append({ kind: 'x' });
    const all = (await c.store.audit.query()).events;
    expect(all.map((e) => e.kind).sort()).toEqual(['otp.accepted', 'otp.accepted', 'x', 'x']);
    expect((await c.store.audit.query({ enrolmentId: 'enr1' })).events.map((e) => e.detail)).toEqual([{ step: 11 }, { step: 10 }]);
  });

  it('moves every entry exactly once, however often the drain runs', async () => {
    for (let i = 0; i < 5; i++) expect((await c.store.guard.consume(`e${i}`, 1, { audit: { ...entry(`k${i}`, 1), enrolmentId: `e${i}` } })).ok).toBe(true);
    // A drain that appended but died before settling, then two full drains.
    for (const e of await c.store.guard.listPendingAudit({ limit: 2 })) await c.store.audit.append(e);
    for (let round = 0; round < 2; round++) {
      for (const e of await c.store.guard.listPendingAudit()) {
        await c.store.audit.append(e);
        await c.store.guard.settleAudit(e);
      }
    }
    expect(await c.store.guard.listPendingAudit()).toEqual([]);
    const events = (await c.store.audit.query()).events;
    expect(events.map((e) => e.enrolmentId).sort()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
  });

  it(`of ${n} concurrent consumes of one step, exactly one records its entry`, async () => {
    const results = await Promise.all(Array.from({ length: n }, (_, i) => c.store.guard.consume('enr1', 7, { audit: entry(`k${i}`, 7) })));
    const winners = results.flatMap((r, i) => (r.ok ? [`k${i}`] : []));
    expect(winners).toHaveLength(1);
    expect((await c.store.guard.listPendingAudit()).map((e) => e.key)).toEqual(winners);
  });

  it('validates the entry before any write, and refuses after close', async () => {
    const I = 'ERR_STORAGE_INVALID';
    await expectCode(() => c.store.guard.consume('enr1', 1, { audit: { kind: 'otp.accepted' } as never }), I);
    await expectCode(() => c.store.guard.consume('enr1', 1, { audit: { ...entry('bad key', 1) } }), I);
    await expectCode(() => c.store.guard.consume('enr1', 1, { audit: { ...entry('k1', 1), kind: '' } }), I);
    await expectCode(() => c.store.audit.append({ key: 'a/b', kind: 'x' }), I);
    await expectCode(() => c.store.guard.settleAudit({ key: 'a/b', enrolmentId: 'enr1' }), I);
    await expectCode(() => c.store.guard.settleAudit('k1' as never), I);
    // The entry belongs to the consumed enrolment.
    await expectCode(() => c.store.guard.consume('enr1', 1, { audit: { ...entry('k1', 1), enrolmentId: 'enr2' } }), I);
    await expectCode(() => c.store.guard.listPendingAudit({ limit: 0 }), I);
    expect(await c.store.guard.get('enr1')).toBeNull();
    await c.store.close();
    await expectCode(() => c.store.guard.listPendingAudit(), 'ERR_STORAGE_UNAVAILABLE');
    await expectCode(() => c.store.guard.settleAudit({ key: 'k1', enrolmentId: 'enr1' }), 'ERR_STORAGE_UNAVAILABLE');
  });
}
