import { expect, it } from 'vitest';
import { DEFAULT_THROTTLE_POLICY } from '../throttle.js';
import type { AuditEvent, AuditLog, ConsumeResult, OrganisationScope } from '../types.js';
import type { Ctx } from './_shared.js';

// ---------------------------------------------------------------------------------------------
// consume's `auditLog` (docs/storage.md section 5): with this store's own log for the same
// organisation, the store may append the entry in the same atomic step and answer `logged`;
// with any other log it keeps the outbox. `required`: the adapter promises the direct path.

const entry = (key: string, step: number, enrolmentId = 'enr1') => ({ key, kind: 'otp.accepted', enrolmentId, userId: 'alice', detail: { step } });

async function allEvents(log: AuditLog): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  let page = await log.query({ limit: 1000 });
  out.push(...page.events);
  while (page.cursor) {
    page = await log.query({ limit: 1000, cursor: page.cursor });
    out.push(...page.events);
  }
  return out;
}

const pendingKeys = async (s: OrganisationScope) => (await s.guard.listPendingAudit({ limit: 1000 })).map((e) => e.key);

/** A log that forwards to `log`: another object, so never this store's own. */
const wrap = (log: AuditLog): AuditLog => ({
  append: (e) => log.append(e),
  query: (q) => log.query(q),
  ...(log.follow ? { follow: (o: Parameters<NonNullable<AuditLog['follow']>>[0]) => log.follow!(o) } : {}),
});

export function directAuditTests(c: Ctx, required: boolean): void {
  /**
   * Asserts where the accepted entry `e` went: into `log` (answered `logged`, no outbox entry),
   * or, when the store kept the outbox, into `scope`'s outbox and not into the log.
   */
  const expectRecorded = async (r: ConsumeResult, e: ReturnType<typeof entry>, scope: OrganisationScope, log: AuditLog, at: number) => {
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    if (required) expect(r.logged, 'the adapter promises the direct path (directAudit): consume must answer logged').toBeDefined();
    if (r.logged !== undefined) {
      expect(r.logged).toMatchObject({ kind: e.kind, enrolmentId: e.enrolmentId, userId: e.userId, detail: e.detail });
      expect(await pendingKeys(scope)).not.toContain(e.key);
      const stored = (await allEvents(log)).filter((x) => x.id === r.logged!.id);
      expect(stored).toEqual([r.logged]);
      // The key is the log's idempotency key: the same event, nothing written twice.
      const count = (await allEvents(log)).length;
      expect(await log.append(e)).toEqual(r.logged);
      expect(await allEvents(log)).toHaveLength(count);
    } else {
      expect(await scope.guard.listPendingAudit({ limit: 1000 })).toContainEqual({ ...e, at });
    }
  };

  it('consume with its own audit log: logged in the same step (or the outbox kept), never both, never twice', async () => {
    const s = c.store;
    const t = c.clock();
    const r = await s.guard.consume('enr1', 10, { audit: entry('k1', 10), auditLog: s.audit });
    await expectRecorded(r, entry('k1', 10), s, s.audit, t);
    if (r.ok && r.logged) {
      expect(r.logged.at).toBe(t);
      expect(await allEvents(s.audit)).toEqual([r.logged]);
      expect(await s.guard.listPendingAudit()).toEqual([]);
    } else {
      expect(await allEvents(s.audit)).toEqual([]);
    }
    expect(await s.guard.get('enr1')).toMatchObject({ lastStep: 10, failures: 0 });
  });

  it('the default organisation scope is the same store: its log is the own log too', async () => {
    const d = c.store.forOrganisation('default');
    const r = await d.guard.consume('enr1', 10, { audit: entry('k1', 10), auditLog: d.audit });
    await expectRecorded(r, entry('k1', 10), d, c.store.audit, c.clock());
  });

  it('a log that is not this store own one never gets the entry directly: the outbox keeps it', async () => {
    const other = await c.open();
    try {
      const foreign: [string, AuditLog][] = [
        ['a wrapper around the own log', wrap(c.store.audit)],
        ["another organisation's log", c.store.forOrganisation('org-b').audit],
        ["another store's log", other.store.audit],
        ['a plain object', {} as AuditLog],
      ];
      let step = 10;
      for (const [what, log] of foreign) {
        step++;
        const t = c.clock();
        const r = await c.store.guard.consume('enr1', step, { audit: entry(`k${step}`, step), auditLog: log });
        expect(r.ok, what).toBe(true);
        expect(r.ok && r.logged, `${what}: must keep the outbox`).toBeFalsy();
        expect(await c.store.guard.listPendingAudit({ limit: 1000 }), what).toContainEqual({ ...entry(`k${step}`, step), at: t });
      }
      expect(await allEvents(c.store.audit)).toEqual([]);
      expect(await allEvents(c.store.forOrganisation('org-b').audit)).toEqual([]);
      expect(await allEvents(other.store.audit)).toEqual([]);
      expect(await other.store.guard.listPendingAudit()).toEqual([]);
    } finally {
      await other.store.close();
      await other.cleanup?.();
    }
  });

  it('auditLog without audit records nothing anywhere', async () => {
    const r = await c.store.guard.consume('enr1', 10, { auditLog: c.store.audit });
    expect(r).toMatchObject({ ok: true, state: { lastStep: 10 } });
    expect(r.ok && r.logged).toBeFalsy();
    expect(await allEvents(c.store.audit)).toEqual([]);
    expect(await c.store.guard.listPendingAudit()).toEqual([]);
  });

  it('refused steps (replayed, locked) record nothing, neither in the log nor in the outbox', async () => {
    const s = c.store;
    const first = await s.guard.consume('enr1', 10, { audit: entry('k1', 10), auditLog: s.audit });
    const logged = first.ok && first.logged !== undefined;
    const log0 = await allEvents(s.audit);
    const out0 = await pendingKeys(s);
    expect(log0.length + out0.length).toBe(1);
    expect(await s.guard.consume('enr1', 10, { audit: entry('k2', 10), auditLog: s.audit })).toEqual({ ok: false, reason: 'replayed', lastStep: 10 });
    expect(await s.guard.consume('enr1', 9, { audit: entry('k3', 9), auditLog: s.audit })).toEqual({ ok: false, reason: 'replayed', lastStep: 10 });
    await s.guard.recordFailure('enr1', { ...DEFAULT_THROTTLE_POLICY, freeFailures: 0 });
    expect(await s.guard.consume('enr1', 11, { audit: entry('k4', 11), auditLog: s.audit })).toMatchObject({ ok: false, reason: 'locked' });
    expect(await allEvents(s.audit)).toEqual(log0);
    expect(await pendingKeys(s)).toEqual(out0);
    expect(logged ? log0.map((e) => e.detail) : out0).toEqual(logged ? [{ step: 10 }] : ['k1']);
  });

  it('a key the log already holds is not written twice: logged is the stored event', async () => {
    const s = c.store;
    const t = c.clock();
    const held = await s.audit.append(entry('k1', 10));
    c.clock.advance(5000);
    const r = await s.guard.consume('enr1', 10, { audit: entry('k1', 10), auditLog: s.audit });
    await expectRecorded(r, entry('k1', 10), s, s.audit, t + 5000);
    if (r.ok && r.logged) {
      expect(r.logged).toEqual(held);
      expect(r.logged.at).toBe(t);
    }
    expect(await allEvents(s.audit)).toEqual([held]);
  });

  it('per organisation: org A with its own log logs into org A only; with org B log it keeps the outbox', async () => {
    const a = c.store.forOrganisation('org-a');
    const b = c.store.forOrganisation('org-b');
    const t = c.clock();
    const r = await a.guard.consume('enr1', 10, { audit: entry('k1', 10), auditLog: a.audit });
    await expectRecorded(r, entry('k1', 10), a, a.audit, t);
    expect(await allEvents(b.audit)).toEqual([]);
    expect(await allEvents(c.store.audit)).toEqual([]);
    expect(await pendingKeys(b)).toEqual([]);
    expect(await pendingKeys(c.store)).toEqual([]);
    // The same key in org B, consumed with org B's log: its own event, org A's untouched.
    const rb = await b.guard.consume('enr1', 10, { audit: entry('k1', 10), auditLog: b.audit });
    await expectRecorded(rb, entry('k1', 10), b, b.audit, t);
    if (r.ok && r.logged && rb.ok && rb.logged) expect(await allEvents(a.audit)).toEqual([r.logged]);
    // Org A's guard with org B's log (or the default one's): the outbox, in org A.
    const aEvents = await allEvents(a.audit);
    const bEvents = await allEvents(b.audit);
    for (const [step, log] of [[11, b.audit], [12, c.store.audit]] as const) {
      const x = await a.guard.consume('enr1', step, { audit: entry(`k${step}`, step), auditLog: log });
      expect(x.ok && x.logged).toBeFalsy();
      expect(await pendingKeys(a)).toContain(`k${step}`);
    }
    expect(await allEvents(a.audit)).toEqual(aEvents);
    expect(await allEvents(b.audit)).toEqual(bEvents);
    expect(await allEvents(c.store.audit)).toEqual([]);
    expect(await pendingKeys(b)).not.toContain('k11');
  });

  it('moves: a drain after direct logging finds nothing to move, and the outbox entries it finds move once', async () => {
    const s = c.store;
    await s.guard.consume('enr1', 10, { audit: entry('k1', 10), auditLog: s.audit });
    await s.guard.consume('enr1', 11, { audit: entry('k2', 11), auditLog: wrap(s.audit) });
    for (const e of await s.guard.listPendingAudit()) {
      await s.audit.append(e);
      await s.guard.settleAudit(e);
    }
    expect(await s.guard.listPendingAudit()).toEqual([]);
    expect((await allEvents(s.audit)).map((e) => e.detail).sort((x, y) => (x.step as number) - (y.step as number))).toEqual([{ step: 10 }, { step: 11 }]);
  });
}

/** The concurrency case of the direct path; `n` concurrent consumes of one step. */
export function directAuditConcurrencyTests(c: Ctx, n: number, required: boolean): void {
  it(`of ${n} concurrent consumes of one step with the own log, exactly one records its entry, in one place`, async () => {
    const s = c.store;
    const results = await Promise.all(Array.from({ length: n }, (_, i) => s.guard.consume('enr1', 7, { audit: entry(`k${i}`, 7), auditLog: s.audit })));
    const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
    expect(winners).toHaveLength(1);
    const w = results[winners[0]!]!;
    const events = await allEvents(s.audit);
    const pending = await pendingKeys(s);
    if (required) expect(w.ok && w.logged).toBeTruthy();
    if (w.ok && w.logged) {
      expect(events).toEqual([w.logged]);
      expect(pending).toEqual([]);
    } else {
      expect(events).toEqual([]);
      expect(pending).toEqual([`k${winners[0]}`]);
    }
  });
}
