import { expect, it } from 'vitest';
import { DEFAULT_ORGANISATION_ID } from '../organisations.js';
import { DEFAULT_THROTTLE_POLICY } from '../throttle.js';
import type { AuditEvent, MfaStore, OrganisationScope } from '../types.js';
import { type Ctx, expectCode, MIN, SECRET } from './_shared.js';

// ---------------------------------------------------------------------------------------------
// Organisations (docs/storage.md, "Organisations"): the records, and isolation. Two organisations use
// the SAME enrolment ids, challenge ids, user ids and audit keys: a store that does not key
// every row by organisation fails each test here (a conflict, a shared row, or a leak).

const B_SECRET = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);

function scopes(store: MfaStore): { a: OrganisationScope; b: OrganisationScope } {
  if (typeof store.forOrganisation !== 'function') throw new Error('the store has no forOrganisation');
  return { a: store.forOrganisation('org-a'), b: store.forOrganisation('org-b') };
}

const enrolIn = (s: OrganisationScope, c: Ctx, id: string, secret = SECRET, userId = 'alice') =>
  s.enrolments.create({ id, userId, secret, meta: { label: id }, expiresAt: c.clock() + 5 * MIN });

const challengeIn = async (s: OrganisationScope, c: Ctx, id: string, extra: { maxPendingPerUser?: number } = {}) =>
  s.challenges.create({ id, enrolmentId: 'enr1', userId: 'alice', expiresAt: c.clock() + 2 * MIN, meta: { n: id }, ...extra });

async function allEvents(s: OrganisationScope, limit = 2): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  let page = await s.audit.query({ limit });
  out.push(...page.events);
  while (page.cursor) {
    page = await s.audit.query({ limit, cursor: page.cursor });
    out.push(...page.events);
  }
  return out;
}

export function organisationTests(c: Ctx): void {
  it('records: create, get, compare-and-set update, paged listing by id, typed refusals', async () => {
    const orgs = c.store.organisations!;
    const t = c.clock();
    const created = await orgs.create({ id: 'acme', issuer: 'ACME Corp', origin: 'https://acme.example', policy: { otp: { digits: 8 } } });
    expect(created).toEqual({ id: 'acme', issuer: 'ACME Corp', origin: 'https://acme.example', policy: { otp: { digits: 8 } }, createdAt: t, updatedAt: t, version: 1 });
    expect(await orgs.get('acme')).toEqual(created);
    expect(await orgs.get('nope')).toBeNull();
    await expectCode(() => orgs.create({ id: 'acme', issuer: 'Again' }), 'ERR_STORAGE_CONFLICT');
    await expectCode(() => orgs.create({ id: DEFAULT_ORGANISATION_ID, issuer: 'X' }), 'ERR_STORAGE_CONFLICT');
    await expectCode(() => orgs.create({ id: 'Not An Id', issuer: 'X' }), 'ERR_STORAGE_INVALID');
    await expectCode(() => orgs.create({ id: 'x', issuer: '' }), 'ERR_STORAGE_INVALID');
    c.clock.advance(1000);
    const u = await orgs.update('acme', { policy: { otp: { digits: 6 } }, origin: null, expectedVersion: 1 });
    expect(u).toEqual({ ok: true, organisation: { ...created, origin: null, policy: { otp: { digits: 6 } }, updatedAt: t + 1000, version: 2 } });
    expect(await orgs.update('acme', { issuer: 'Late', expectedVersion: 1 })).toEqual({ ok: false, reason: 'version_mismatch' });
    expect(await orgs.update('nope', { issuer: 'X' })).toEqual({ ok: false, reason: 'not_found' });
    expect((await orgs.update('acme', { issuer: 'ACME' })).ok).toBe(true);
    expect((await orgs.get('acme'))?.issuer).toBe('ACME');
    for (const id of ['zeta', 'beta', 'mid-1']) await orgs.create({ id, issuer: id });
    const p1 = await orgs.list({ limit: 2 });
    expect(p1.organisations.map((o) => o.id)).toEqual(['acme', 'beta']);
    const p2 = await orgs.list({ limit: 2, cursor: p1.cursor! });
    expect(p2.organisations.map((o) => o.id)).toEqual(['mid-1', 'zeta']);
    expect(p2.cursor).toBeNull();
    expect((await orgs.list()).organisations).toHaveLength(4);
    expect(() => c.store.forOrganisation('Bad Id')).toThrow();
  });

  it('the default organisation is the store itself (rows written before organisations belong to it)', async () => {
    await c.store.enrolments.create({ id: 'enr1', userId: 'alice', secret: SECRET, expiresAt: c.clock() + MIN });
    const d = c.store.forOrganisation(DEFAULT_ORGANISATION_ID);
    expect((await d.enrolments.get('enr1'))?.userId).toBe('alice');
    expect(await scopes(c.store).a.enrolments.get('enr1')).toBeNull();
  });

  it('enrolments: same ids and user ids in two organisations; get, list, redeem, update, revoke stay in their own', async () => {
    const { a, b } = scopes(c.store);
    await enrolIn(a, c, 'enr1');
    await enrolIn(b, c, 'enr1', B_SECRET);
    await enrolIn(a, c, 'enr2');
    expect(Buffer.from((await a.enrolments.get('enr1'))!.secret)).toEqual(Buffer.from(SECRET));
    expect(Buffer.from((await b.enrolments.get('enr1'))!.secret)).toEqual(Buffer.from(B_SECRET));
    expect(await b.enrolments.get('enr2')).toBeNull();
    expect(await c.store.enrolments.get('enr1')).toBeNull();
    expect((await a.enrolments.listByUser('alice')).map((e) => e.id)).toEqual(['enr1', 'enr2']);
    expect((await b.enrolments.listByUser('alice')).map((e) => e.id)).toEqual(['enr1']);
    expect(await c.store.enrolments.listByUser('alice')).toEqual([]);
    // B's operations on A's ids: not found, and A's rows unchanged.
    expect(await b.enrolments.redeem('enr2')).toEqual({ ok: false, reason: 'not_found' });
    expect(await b.enrolments.update('enr2', { meta: { x: 1 } })).toEqual({ ok: false, reason: 'not_found' });
    expect(await b.enrolments.revoke('enr2')).toEqual({ ok: false, reason: 'not_found' });
    expect((await b.enrolments.redeem('enr1')).ok).toBe(true);
    expect((await a.enrolments.get('enr1'))?.status).toBe('pending');
    expect((await b.enrolments.revoke('enr1')).ok).toBe(true);
    expect(await a.enrolments.get('enr1')).toMatchObject({ status: 'pending', version: 1 });
    expect((await a.enrolments.redeem('enr1')).ok).toBe(true);
    expect((await a.enrolments.get('enr2'))?.meta).toEqual({ label: 'enr2' });
  });

  it('guard: consume, failures, locks, resets and reads stay in their organisation', async () => {
    const { a, b } = scopes(c.store);
    expect((await a.guard.consume('enr1', 100)).ok).toBe(true);
    expect((await b.guard.get('enr1'))).toBeNull();
    expect((await b.guard.consume('enr1', 100)).ok).toBe(true);
    expect(await a.guard.consume('enr1', 100)).toMatchObject({ ok: false, reason: 'replayed' });
    const lock = { ...DEFAULT_THROTTLE_POLICY, freeFailures: 0, lockoutFailures: 1 };
    await b.guard.recordFailure('enr1', lock);
    expect(await b.guard.consume('enr1', 101)).toMatchObject({ ok: false, reason: 'locked' });
    expect((await a.guard.consume('enr1', 101)).ok).toBe(true);
    await a.guard.reset('enr1');
    expect(await b.guard.consume('enr1', 102)).toMatchObject({ ok: false, reason: 'locked' });
    expect((await a.guard.get('enr1'))).toMatchObject({ lastStep: 101, failures: 0 });
    expect((await b.guard.get('enr1'))).toMatchObject({ lastStep: 100, failures: 1 });
    expect(await c.store.guard.get('enr1')).toBeNull();
  });

  it('outbox: entries are listed, settled and moved per organisation, with the same keys', async () => {
    const { a, b } = scopes(c.store);
    const entry = (step: number) => ({ key: 'k1', kind: 'otp.accepted', enrolmentId: 'enr1', userId: 'alice', detail: { step } });
    expect((await a.guard.consume('enr1', 10, { audit: entry(10) })).ok).toBe(true);
    expect((await b.guard.consume('enr1', 20, { audit: entry(20) })).ok).toBe(true);
    expect((await a.guard.listPendingAudit()).map((e) => e.detail)).toEqual([{ step: 10 }]);
    expect((await b.guard.listPendingAudit()).map((e) => e.detail)).toEqual([{ step: 20 }]);
    expect(await c.store.guard.listPendingAudit()).toEqual([]);
    await b.guard.settleAudit({ key: 'k1', enrolmentId: 'enr1' });
    expect(await b.guard.listPendingAudit()).toEqual([]);
    expect((await a.guard.listPendingAudit()).map((e) => e.detail)).toEqual([{ step: 10 }]);
  });

  it('challenges: same ids, reads, decisions, pending lists, caps and pauses stay in their organisation', async () => {
    const { a, b } = scopes(c.store);
    expect((await challengeIn(a, c, 'ch1')).ok).toBe(true);
    expect((await challengeIn(b, c, 'ch1')).ok).toBe(true);
    expect((await challengeIn(a, c, 'ch2')).ok).toBe(true);
    expect(await b.challenges.get('ch2')).toBeNull();
    expect(await c.store.challenges.get('ch1')).toBeNull();
    expect(await b.challenges.finalize('ch2', { status: 'approved' })).toEqual({ ok: false, reason: 'not_found' });
    expect((await b.challenges.finalize('ch1', { status: 'denied' })).ok).toBe(true);
    expect((await a.challenges.get('ch1'))?.status).toBe('pending');
    expect((await a.challenges.listPending('enr1')).map((x) => x.id)).toEqual(['ch2', 'ch1']);
    expect(await b.challenges.listPending('enr1')).toEqual([]);
    // The per-user cap counts the organisation's own pending challenges only.
    expect(await challengeIn(b, c, 'ch3', { maxPendingPerUser: 1 })).toMatchObject({ ok: true });
    expect(await challengeIn(a, c, 'ch3', { maxPendingPerUser: 2 })).toMatchObject({ ok: false, reason: 'too_many_pending', pending: 2 });
    // A pause of ACME's alice neither cancels nor pauses B's alice.
    expect(await a.challenges.pauseUser('alice', { until: c.clock() + MIN })).toEqual({ pausedUntil: c.clock() + MIN, cancelled: 2 });
    expect(await b.challenges.getPause('alice')).toBeNull();
    expect((await b.challenges.get('ch3'))?.status).toBe('pending');
    expect((await challengeIn(b, c, 'ch4')).ok).toBe(true);
    expect(await challengeIn(a, c, 'ch4')).toMatchObject({ ok: false, reason: 'paused' });
    await b.challenges.resumeUser('alice');
    expect(await a.challenges.getPause('alice')).toBe(c.clock() + MIN);
  });

  it('audit: queries, pages, cursors and idempotency keys stay in their organisation', async () => {
    const { a, b } = scopes(c.store);
    for (let i = 0; i < 3; i++) {
      await a.audit.append({ kind: 'a.event', enrolmentId: 'enr1', userId: 'alice', detail: { i } });
      await b.audit.append({ kind: 'b.event', enrolmentId: 'enr1', userId: 'alice', detail: { i } });
      c.clock.advance(10);
    }
    const keyedA = await a.audit.append({ key: 'same-key', kind: 'a.keyed', detail: {} });
    const keyedB = await b.audit.append({ key: 'same-key', kind: 'b.keyed', detail: {} });
    expect(keyedB.kind).toBe('b.keyed');
    expect((await a.audit.append({ key: 'same-key', kind: 'a.again' })).id).toBe(keyedA.id);
    const eventsA = await allEvents(a);
    const eventsB = await allEvents(b);
    expect(eventsA.map((e) => e.kind)).toEqual(['a.keyed', 'a.event', 'a.event', 'a.event']);
    expect(eventsB.map((e) => e.kind)).toEqual(['b.keyed', 'b.event', 'b.event', 'b.event']);
    for (const q of [{ userId: 'alice' }, { enrolmentId: 'enr1' }, { from: 0 }]) {
      expect((await a.audit.query(q)).events.every((e) => e.kind.startsWith('a.'))).toBe(true);
    }
    // A cursor taken in A pages through B's log only.
    const pageA = await a.audit.query({ limit: 1 });
    const fromA = await b.audit.query({ limit: 10, cursor: pageA.cursor! });
    expect(fromA.events.every((e) => e.kind.startsWith('b.'))).toBe(true);
    expect((await c.store.audit.query()).events).toEqual([]);
  });

  it('webhooks: follow reads its own organisation\'s log, and endpoint state with the same id is kept per organisation', async () => {
    const { a, b } = scopes(c.store);
    const followA = a.audit.follow?.bind(a.audit);
    const followB = b.audit.follow?.bind(b.audit);
    if (!followA || !followB || !a.webhooks || !b.webhooks) throw new Error('the store has no audit.follow or webhooks per organisation');
    for (let i = 0; i < 3; i++) {
      await a.audit.append({ kind: 'a.event', detail: { i } });
      await b.audit.append({ kind: 'b.event', detail: { i } });
    }
    const fa = await followA({ after: null });
    const fb = await followB({ after: null });
    expect(fa.events.map((e) => [e.kind, e.detail.i])).toEqual([['a.event', 0], ['a.event', 1], ['a.event', 2]]);
    expect(fb.events.map((e) => [e.kind, e.detail.i])).toEqual([['b.event', 0], ['b.event', 1], ['b.event', 2]]);
    // A position kept in A, given to B, reads B's log only.
    expect((await followB({ after: fa.events[0]!.position })).events.every((e) => e.kind === 'b.event')).toBe(true);
    expect((await c.store.audit.follow!({ after: null })).events).toEqual([]);

    const wa = await a.webhooks.put({ endpointId: 'ep1', state: { position: 'a' }, expectedVersion: null });
    expect(wa.ok).toBe(true);
    expect(await b.webhooks.get('ep1')).toBeNull();
    const wb = await b.webhooks.put({ endpointId: 'ep1', state: { position: 'b' }, expectedVersion: null });
    expect(wb.ok).toBe(true);
    // A compare-and-set at A's version does not touch B's record, and the other way round.
    expect((await b.webhooks.put({ endpointId: 'ep1', state: { position: 'b2' }, expectedVersion: 1 })).ok).toBe(true);
    expect((await a.webhooks.get('ep1'))?.state).toEqual({ position: 'a' });
    expect((await b.webhooks.get('ep1'))?.state).toEqual({ position: 'b2' });
    expect(await c.store.webhooks!.get('ep1')).toBeNull();
  });

  it('a race across organisations on the same ids: one winner per organisation, never across', async () => {
    const { a, b } = scopes(c.store);
    await Promise.all([enrolIn(a, c, 'enr1'), enrolIn(b, c, 'enr1', B_SECRET)]);
    const n = 20;
    const consumes = await Promise.all(Array.from({ length: 2 * n }, (_, i) => (i % 2 ? a : b).guard.consume('enr1', 500)));
    expect(consumes.filter((r, i) => r.ok && i % 2 === 1)).toHaveLength(1);
    expect(consumes.filter((r, i) => r.ok && i % 2 === 0)).toHaveLength(1);
    const redeems = await Promise.all(Array.from({ length: 2 * n }, (_, i) => (i % 2 ? a : b).enrolments.redeem('enr1')));
    expect(redeems.filter((r, i) => r.ok && i % 2 === 1)).toHaveLength(1);
    expect(redeems.filter((r, i) => r.ok && i % 2 === 0)).toHaveLength(1);
    await Promise.all([challengeIn(a, c, 'ch1'), challengeIn(b, c, 'ch1')]);
    const finals = await Promise.all(
      Array.from({ length: 2 * n }, (_, i) => (i % 2 ? a : b).challenges.finalize('ch1', { status: i % 4 < 2 ? 'approved' : 'denied' })),
    );
    expect(finals.filter((r, i) => r.ok && i % 2 === 1)).toHaveLength(1);
    expect(finals.filter((r, i) => r.ok && i % 2 === 0)).toHaveLength(1);
    const revokes = await Promise.all(Array.from({ length: 2 * n }, (_, i) => (i % 2 ? a : b).enrolments.revoke('enr1')));
    expect(revokes.filter((r) => r.ok)).toHaveLength(2);
  });

  it('after close, the organisation records and scopes refuse too', async () => {
    const { a } = scopes(c.store);
    await c.store.close();
    await expectCode(() => c.store.organisations.list(), 'ERR_STORAGE_UNAVAILABLE');
    await expectCode(() => a.enrolments.get('enr1'), 'ERR_STORAGE_UNAVAILABLE');
  });
}
