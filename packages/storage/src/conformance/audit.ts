import { expect, it } from 'vitest';
import { CONFORMANCE_T0, type Ctx, expectCode } from './_shared.js';

// ---------------------------------------------------------------------------------------------
// audit

export function auditTests(c: Ctx): void {
  it('appends events with the store clock and returns them', async () => {
    const e = await c.store.audit.append({ kind: 'otp.accepted', enrolmentId: 'enr1', userId: 'alice', detail: { delta: 0 } });
    expect(e).toEqual({ id: e.id, at: c.clock(), kind: 'otp.accepted', enrolmentId: 'enr1', userId: 'alice', detail: { delta: 0 } });
    expect(typeof e.id).toBe('string');
    const bare = await c.store.audit.append({ kind: 'system.start' });
    expect(bare).toMatchObject({ enrolmentId: null, userId: null, detail: {} });
    expect(bare.id).not.toBe(e.id);
  });

  it('queries by enrolment, by user, both and none, newest first', async () => {
    await c.store.audit.append({ kind: 'enrolment.issued', enrolmentId: 'enr1', userId: 'alice' });
    c.clock.advance(1000);
    await c.store.audit.append({ kind: 'enrolment.issued', enrolmentId: 'enr2', userId: 'bob' });
    c.clock.advance(1000);
    await c.store.audit.append({ kind: 'otp.accepted', enrolmentId: 'enr1', userId: 'alice' });
    c.clock.advance(1000);
    await c.store.audit.append({ kind: 'enrolment.issued', enrolmentId: 'enr3', userId: 'alice' });
    const kinds = (p: { events: { kind: string; enrolmentId: string | null }[] }) => p.events.map((e) => `${e.kind}@${e.enrolmentId}`);
    expect(kinds(await c.store.audit.query({ enrolmentId: 'enr1' }))).toEqual(['otp.accepted@enr1', 'enrolment.issued@enr1']);
    expect(kinds(await c.store.audit.query({ userId: 'alice' }))).toEqual([
      'enrolment.issued@enr3',
      'otp.accepted@enr1',
      'enrolment.issued@enr1',
    ]);
    expect(kinds(await c.store.audit.query({ userId: 'alice', enrolmentId: 'enr3' }))).toEqual(['enrolment.issued@enr3']);
    expect(kinds(await c.store.audit.query({ userId: 'bob', enrolmentId: 'enr1' }))).toEqual([]);
    const all = await c.store.audit.query();
    expect(all.events.length).toBe(4);
    expect(all.cursor).toBeNull();
    expect(all.events.map((e) => e.at)).toEqual([3000, 2000, 1000, 0].map((d) => CONFORMANCE_T0 + d));
  });

  it('filters a time range: from inclusive, to exclusive', async () => {
    for (let i = 0; i < 5; i++) {
      await c.store.audit.append({ kind: 'otp.refused', enrolmentId: 'enr1', detail: { i } });
      c.clock.advance(1000);
    }
    const q = await c.store.audit.query({ enrolmentId: 'enr1', from: CONFORMANCE_T0 + 1000, to: CONFORMANCE_T0 + 3000 });
    expect(q.events.map((e) => e.detail.i)).toEqual([2, 1]);
    expect((await c.store.audit.query({ from: CONFORMANCE_T0 + 4000 })).events.map((e) => e.detail.i)).toEqual([4]);
    expect((await c.store.audit.query({ to: CONFORMANCE_T0 + 1000 })).events.map((e) => e.detail.i)).toEqual([0]);
  });

  it('orders events with the same time newest appended first', async () => {
    for (let i = 0; i < 5; i++) await c.store.audit.append({ kind: 'push.approved', enrolmentId: 'enr1', detail: { i } });
    expect((await c.store.audit.query({ enrolmentId: 'enr1' })).events.map((e) => e.detail.i)).toEqual([4, 3, 2, 1, 0]);
  });

  it('paginates with a cursor: no duplicates, no gaps, stable under newer appends', async () => {
    // 25 events over 13 distinct times, so pages split inside a run of equal times.
    for (let i = 0; i < 25; i++) {
      await c.store.audit.append({ kind: 'otp.accepted', enrolmentId: 'enr1', detail: { i } });
      if (i % 2 === 1) c.clock.advance(1000);
    }
    await c.store.audit.append({ kind: 'otp.accepted', enrolmentId: 'other', detail: { i: -1 } });
    const seen: number[] = [];
    let page = await c.store.audit.query({ enrolmentId: 'enr1', limit: 10 });
    seen.push(...page.events.map((e) => e.detail.i as number));
    expect(page.cursor).not.toBeNull();
    // Newer events arriving between pages do not shift the next page.
    c.clock.advance(1000);
    await c.store.audit.append({ kind: 'otp.accepted', enrolmentId: 'enr1', detail: { i: 100 } });
    let pages = 1;
    while (page.cursor !== null) {
      page = await c.store.audit.query({ enrolmentId: 'enr1', limit: 10, cursor: page.cursor });
      seen.push(...page.events.map((e) => e.detail.i as number));
      pages++;
      expect(pages).toBeLessThan(10);
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, k) => 24 - k));
  });

  it('returns a null cursor when the page ends exactly at the last event', async () => {
    for (let i = 0; i < 10; i++) await c.store.audit.append({ kind: 'otp.accepted', enrolmentId: 'enr1' });
    const p = await c.store.audit.query({ enrolmentId: 'enr1', limit: 10 });
    expect(p.events.length).toBe(10);
    expect(p.cursor).toBeNull();
    const p5 = await c.store.audit.query({ enrolmentId: 'enr1', limit: 5 });
    const p5b = await c.store.audit.query({ enrolmentId: 'enr1', limit: 5, cursor: p5.cursor ?? undefined });
    expect(p5b.events.length).toBe(5);
    expect(p5b.cursor).toBeNull();
  });

  it('refuses a malformed cursor with ERR_STORAGE_INVALID', async () => {
    for (const cursor of ['', 'garbage!', 'x'.repeat(300), '{"at":1}'] as const) {
      await expectCode(() => c.store.audit.query({ cursor }), 'ERR_STORAGE_INVALID');
    }
    await expectCode(() => c.store.audit.query({ cursor: 42 as unknown as string }), 'ERR_STORAGE_INVALID');
  });
}
