import { expect, it } from 'vitest';
import type { JsonObject } from '../types.js';
import { type Ctx, MIN, SECRET } from './_shared.js';

// ---------------------------------------------------------------------------------------------
// No value a store hands out aliases what it holds, and no input is kept by reference: a
// caller that changes a returned record (deep inside its JSON) or its own input after the
// write never changes the store. Every JSON field, every operation that returns one.

/** Nested JSON with an object, an array, an array of objects, and a "__proto__" key. */
const nested = (tag: string): JsonObject =>
  JSON.parse(`{"tag":"${tag}","n":1,"deep":{"list":[1,{"x":"y"}],"obj":{"k":"v"}},"__proto__":{"p":1}}`) as JsonObject;

/** Changes `v` everywhere: every object gets a key and loses one, every array grows. */
function scribble(v: unknown): void {
  if (Array.isArray(v)) {
    for (const x of v) scribble(x);
    v.push('scribbled');
    v[0] = 'scribbled';
  } else if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) scribble(o[k]);
    const first = Object.keys(o)[0];
    if (first !== undefined) delete o[first];
    o.scribbled = true;
  }
}

export function enrolmentCopyTests(c: Ctx): void {
  it('enrolments: no returned meta aliases the store, and the input meta is not kept', async () => {
    const meta = nested('e');
    const want = nested('e');
    const created = await c.store.enrolments.create({ id: 'enr1', userId: 'alice', secret: SECRET, meta, expiresAt: c.clock() + MIN });
    scribble(meta);
    scribble(created.meta);
    const read = async () => (await c.store.enrolments.get('enr1'))!.meta;
    expect(await read()).toEqual(want);
    expect(Object.getPrototypeOf(await read())).toBe(Object.prototype);
    scribble(await read());
    scribble((await c.store.enrolments.listByUser('alice'))[0]!.meta);
    expect(await read()).toEqual(want);
    const redeemMeta = nested('r');
    const redeemed = await c.store.enrolments.redeem('enr1', { meta: redeemMeta });
    scribble(redeemMeta);
    if (redeemed.ok) scribble(redeemed.enrolment.meta);
    expect(await read()).toEqual(nested('r'));
    const updateMeta = nested('u');
    const updated = await c.store.enrolments.update('enr1', { meta: updateMeta });
    scribble(updateMeta);
    if (updated.ok) scribble(updated.enrolment.meta);
    expect(await read()).toEqual(nested('u'));
    const again = await c.store.enrolments.redeem('enr1');
    if (!again.ok && again.reason === 'already_active') scribble(again.enrolment.meta);
    const revoked = await c.store.enrolments.revoke('enr1');
    if (revoked.ok) scribble(revoked.enrolment.meta);
    expect(await read()).toEqual(nested('u'));
  });
}

export function challengeCopyTests(c: Ctx): void {
  it('challenges: no returned meta or outcome aliases the store, and inputs are not kept', async () => {
    const meta = nested('c');
    const created = await c.store.challenges.create({ id: 'ch1', enrolmentId: 'enr1', userId: 'alice', expiresAt: c.clock() + 2 * MIN, meta });
    scribble(meta);
    if (created.ok) scribble(created.challenge.meta);
    const read = async (id = 'ch1') => (await c.store.challenges.get(id))!;
    expect((await read()).meta).toEqual(nested('c'));
    scribble((await read()).meta);
    scribble((await c.store.challenges.listPending('enr1'))[0]!.meta);
    expect((await read()).meta).toEqual(nested('c'));
    const outcome = nested('o');
    const done = await c.store.challenges.finalize('ch1', { status: 'approved', outcome });
    scribble(outcome);
    if (done.ok) scribble(done.challenge.outcome);
    expect((await read()).outcome).toEqual(nested('o'));
    const late = await c.store.challenges.finalize('ch1', { status: 'denied' });
    if (!late.ok && late.reason === 'already_final') scribble(late.challenge.outcome);
    expect(await read()).toMatchObject({ status: 'approved', meta: nested('c'), outcome: nested('o') });
    // pauseUser's outcome, shared by every challenge it cancels: each read is its own copy.
    await c.store.challenges.create({ id: 'ch2', enrolmentId: 'enr1', userId: 'bob', expiresAt: c.clock() + 2 * MIN });
    await c.store.challenges.create({ id: 'ch3', enrolmentId: 'enr1', userId: 'bob', expiresAt: c.clock() + 2 * MIN });
    const pauseOutcome = nested('p');
    await c.store.challenges.pauseUser('bob', { until: c.clock() + MIN, outcome: pauseOutcome });
    scribble(pauseOutcome);
    scribble((await read('ch2')).outcome);
    expect((await read('ch2')).outcome).toEqual(nested('p'));
    expect((await read('ch3')).outcome).toEqual(nested('p'));
  });
}

export function auditCopyTests(c: Ctx): void {
  it('audit: no returned detail aliases the log (append, query, follow, consume logged, the outbox), inputs not kept', async () => {
    const detail = nested('a');
    const appended = await c.store.audit.append({ key: 'k1', kind: 'x', enrolmentId: 'enr1', detail });
    scribble(detail);
    scribble(appended.detail);
    const read = async () => (await c.store.audit.query()).events.map((e) => e.detail);
    expect(await read()).toEqual([nested('a')]);
    scribble((await c.store.audit.query()).events[0]!.detail);
    scribble((await c.store.audit.append({ key: 'k1', kind: 'x', enrolmentId: 'enr1' })).detail);
    if (c.store.audit.follow) scribble((await c.store.audit.follow({ after: null })).events[0]!.detail);
    expect(await read()).toEqual([nested('a')]);
    const entry = { key: 'k2', kind: 'otp.accepted', enrolmentId: 'enr1', userId: 'alice', detail: nested('g') };
    const r = await c.store.guard.consume('enr1', 5, { audit: entry, auditLog: c.store.audit });
    scribble(entry.detail);
    if (r.ok && r.logged) {
      scribble(r.logged.detail);
      expect((await read())[0]).toEqual(nested('g'));
    } else {
      scribble((await c.store.guard.listPendingAudit())[0]!.detail);
      expect((await c.store.guard.listPendingAudit())[0]!.detail).toEqual(nested('g'));
    }
  });
}

export function webhookCopyTests(c: Ctx): void {
  it('webhooks: no returned state aliases the store, and the input state is not kept', async () => {
    const w = c.store.webhooks;
    if (!w) return;
    const state = nested('w');
    const put = await w.put({ endpointId: 'siem', state, expectedVersion: null });
    scribble(state);
    scribble(put.record?.state);
    scribble((await w.get('siem'))!.state);
    const refused = await w.put({ endpointId: 'siem', state: {}, expectedVersion: null });
    scribble(refused.record?.state);
    expect((await w.get('siem'))!.state).toEqual(nested('w'));
  });
}

export function organisationCopyTests(c: Ctx): void {
  it('organisations: no returned policy aliases the store, and the input policy is not kept', async () => {
    const orgs = c.store.organisations!;
    const policy = nested('o');
    const created = await orgs.create({ id: 'acme', issuer: 'ACME', policy });
    scribble(policy);
    scribble(created.policy);
    scribble((await orgs.get('acme'))!.policy);
    scribble((await orgs.list()).organisations[0]!.policy);
    expect((await orgs.get('acme'))!.policy).toEqual(nested('o'));
    const next = nested('n');
    const updated = await orgs.update('acme', { policy: next });
    scribble(next);
    if (updated.ok) scribble(updated.organisation.policy);
    expect((await orgs.get('acme'))!.policy).toEqual(nested('n'));
  });
}
