import { expect, it } from 'vitest';
import type { JsonObject, MfaStore } from '../types.js';
import type { FollowedAuditEvent, WebhookStateStore } from '../webhookState.js';
import { type Ctx, expectCode } from './_shared.js';

// ---------------------------------------------------------------------------------------------
// What webhook delivery needs (docs/storage.md sections 7.1 and 7.2): the audit log read forward
// in its final order from a kept position, and a per-endpoint state written by compare-and-set.

type Follow = NonNullable<MfaStore['audit']['follow']>;

function feed(c: Ctx): { follow: Follow; webhooks: WebhookStateStore } {
  const follow = c.store.audit.follow;
  const webhooks = c.store.webhooks;
  if (!follow || !webhooks) throw new Error('the store has no audit.follow or no webhooks: webhook delivery cannot run on it');
  return { follow: follow.bind(c.store.audit), webhooks };
}

/** Reads the whole log forward in pages of `limit`. */
async function readAll(follow: Follow, limit: number, after: string | null = null): Promise<FollowedAuditEvent[]> {
  const out: FollowedAuditEvent[] = [];
  for (;;) {
    const { events } = await follow({ after, limit });
    out.push(...events);
    const last = events[events.length - 1];
    if (!last || events.length < limit) return out;
    after = last.position;
  }
}

/**
 * One dispatcher's pass over an endpoint, built only from the store primitives and in the way
 * the server's dispatcher uses them: take the lease by compare-and-set, read forward from the
 * kept position, "send" each event, then record the new position by compare-and-set (renewing
 * the lease). `crashAfterSend` stops after sending and before recording, as a process killed
 * between the two would.
 */
async function dispatch(
  c: Ctx,
  {
    owner,
    sent,
    crashAfterSend = false,
    leaseMs = 30_000,
    afterRead,
  }: { owner: string; sent: { owner: string; id: string }[]; crashAfterSend?: boolean; leaseMs?: number; afterRead?: () => Promise<void> },
): Promise<'done' | 'busy' | 'lost' | 'crashed'> {
  const { follow, webhooks } = feed(c);
  const cur = await webhooks.get('ep1');
  await afterRead?.();
  const state = (cur?.state ?? { position: null }) as { position: string | null; owner?: string; until?: number };
  if (state.owner !== undefined && state.owner !== owner && (state.until ?? 0) > c.clock()) return 'busy';
  const claimed = await webhooks.put({ endpointId: 'ep1', state: { position: state.position, owner, until: c.clock() + leaseMs }, expectedVersion: cur?.version ?? null });
  if (!claimed.ok) return 'busy';
  let version = claimed.record.version;
  let position = state.position;
  for (;;) {
    const { events } = await follow({ after: position, limit: 3 });
    if (events.length === 0) break;
    for (const e of events) sent.push({ owner, id: e.id });
    if (crashAfterSend) return 'crashed';
    position = events[events.length - 1]!.position;
    const r = await webhooks.put({ endpointId: 'ep1', state: { position, owner, until: c.clock() + leaseMs }, expectedVersion: version });
    if (!r.ok) return 'lost';
    version = r.record.version;
  }
  const released = await webhooks.put({ endpointId: 'ep1', state: { position }, expectedVersion: version });
  return released.ok ? 'done' : 'lost';
}

export function webhookTests(c: Ctx, n: number): void {
  it('follow reads the log in append order from a kept position, paged, whatever the clock did', async () => {
    const { follow } = feed(c);
    expect(await follow({ after: null })).toEqual({ events: [] });
    const appended = [];
    appended.push(await c.store.audit.append({ kind: 'otp.accepted', enrolmentId: 'enr1', userId: 'alice', detail: { step: 1 } }));
    c.clock.advance(5000);
    appended.push(await c.store.audit.append({ kind: 'push.suspicious', enrolmentId: 'enr2', userId: 'bob', detail: { pausedUntil: 1 } }));
    // The clock goes back (NTP, another server's clock): the log order is still the append order.
    c.clock.set(c.clock() - 60_000);
    appended.push(await c.store.audit.append({ kind: 'otp.locked', userId: 'carol' }));
    c.clock.advance(120_000);
    for (let i = 0; i < 4; i++) appended.push(await c.store.audit.append({ kind: 'otp.refused', enrolmentId: 'enr1', detail: { i } }));

    const all = await readAll(follow, 100);
    expect(all.map(({ position: _, ...e }) => e)).toEqual(appended);
    expect(new Set(all.map((e) => e.position)).size).toBe(all.length);
    for (const limit of [1, 2, 3]) expect(await readAll(follow, limit)).toEqual(all);
    // From any kept position: exactly the events after it.
    for (let i = 0; i < all.length; i++) expect(await readAll(follow, 2, all[i]!.position)).toEqual(all.slice(i + 1));
    expect(await follow({ after: all[all.length - 1]!.position })).toEqual({ events: [] });
    // Each event reads as query returns it.
    const queried = new Map((await c.store.audit.query({ limit: 100 })).events.map((e) => [e.id, e]));
    expect(appended.map((e) => queried.get(e.id))).toEqual(appended);
  });

  it('follow: a keyed append that is already in the log adds nothing to read; later events come after the kept position', async () => {
    const { follow } = feed(c);
    await c.store.audit.append({ key: 'k1', kind: 'otp.accepted', enrolmentId: 'enr1' });
    const first = await readAll(follow, 10);
    await c.store.audit.append({ key: 'k1', kind: 'otp.accepted', enrolmentId: 'enr1' });
    expect(await follow({ after: first[0]!.position })).toEqual({ events: [] });
    const later = await c.store.audit.append({ kind: 'otp.unlocked', enrolmentId: 'enr1' });
    expect((await follow({ after: first[0]!.position })).events.map((e) => e.id)).toEqual([later.id]);
  });

  it('follow refuses a malformed position and a bad limit with ERR_STORAGE_INVALID', async () => {
    const { follow } = feed(c);
    for (const after of ['not a position', '', 'x'.repeat(300), 42, {}]) {
      await expectCode(() => follow({ after: after as string }), 'ERR_STORAGE_INVALID');
    }
    await expectCode(() => follow({ after: null, limit: 0 }), 'ERR_STORAGE_INVALID');
    await expectCode(() => follow({ after: null, limit: 1001 }), 'ERR_STORAGE_INVALID');
    await expectCode(() => follow(undefined as never), 'ERR_STORAGE_INVALID');
  });

  it('endpoint state: create once, then compare-and-set on the version', async () => {
    const { webhooks } = feed(c);
    expect(await webhooks.get('ep1')).toBeNull();
    const state: JsonObject = { position: null, failures: [{ eventId: '1', attempts: 8, status: 503 }], note: 'zoë \u{1F600}' };
    const created = await webhooks.put({ endpointId: 'ep1', state, expectedVersion: null });
    expect(created).toEqual({ ok: true, record: { endpointId: 'ep1', state, version: 1, updatedAt: c.clock() } });
    const again = await webhooks.put({ endpointId: 'ep1', state: {}, expectedVersion: null });
    expect(again).toEqual({ ok: false, reason: 'version_mismatch', record: created.ok ? created.record : null });
    c.clock.advance(1000);
    const second = await webhooks.put({ endpointId: 'ep1', state: { position: 'p' }, expectedVersion: 1 });
    expect(second).toEqual({ ok: true, record: { endpointId: 'ep1', state: { position: 'p' }, version: 2, updatedAt: c.clock() } });
    expect(await webhooks.put({ endpointId: 'ep1', state: {}, expectedVersion: 1 })).toMatchObject({ ok: false, reason: 'version_mismatch', record: { version: 2 } });
    expect(await webhooks.put({ endpointId: 'ep2', state: {}, expectedVersion: 1 })).toEqual({ ok: false, reason: 'version_mismatch', record: null });
    expect(await webhooks.get('ep1')).toEqual(second.ok ? second.record : null);
    expect(await webhooks.get('ep2')).toBeNull();
  });

  it('endpoint state refuses bad input before any write', async () => {
    const { webhooks } = feed(c);
    await expectCode(() => webhooks.get('bad id'), 'ERR_STORAGE_INVALID');
    await expectCode(() => webhooks.put({ endpointId: 'bad id', state: {}, expectedVersion: null }), 'ERR_STORAGE_INVALID');
    await expectCode(() => webhooks.put({ endpointId: 'ep1', state: [] as never, expectedVersion: null }), 'ERR_STORAGE_INVALID');
    await expectCode(() => webhooks.put({ endpointId: 'ep1', state: { big: 'x'.repeat(16_384) }, expectedVersion: null }), 'ERR_STORAGE_INVALID');
    await expectCode(() => webhooks.put({ endpointId: 'ep1', state: {}, expectedVersion: 0 }), 'ERR_STORAGE_INVALID');
    await expectCode(() => webhooks.put({ endpointId: 'ep1', state: {}, expectedVersion: undefined as never }), 'ERR_STORAGE_INVALID');
    expect(await webhooks.get('ep1')).toBeNull();
    // At the bound exactly: accepted.
    const fill = 'x'.repeat(16_384 - JSON.stringify({ s: '' }).length);
    expect((await webhooks.put({ endpointId: 'ep1', state: { s: fill }, expectedVersion: null })).ok).toBe(true);
  });

  it(`${n} concurrent writes of one version: exactly one wins (creation and update)`, async () => {
    const { webhooks } = feed(c);
    const create = await Promise.all(Array.from({ length: n }, (_, i) => webhooks.put({ endpointId: 'ep1', state: { i }, expectedVersion: null })));
    expect(create.filter((r) => r.ok)).toHaveLength(1);
    const update = await Promise.all(Array.from({ length: n }, (_, i) => webhooks.put({ endpointId: 'ep1', state: { i }, expectedVersion: 1 })));
    const winners = update.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(await webhooks.get('ep1')).toEqual(winners[0]!.ok ? winners[0]!.record : null);
  });

  it('two dispatchers racing for one endpoint: one holds it, every event is sent once, none is lost', async () => {
    for (let i = 0; i < 10; i++) await c.store.audit.append({ kind: 'otp.refused', enrolmentId: 'enr1', detail: { i } });
    const sent: { owner: string; id: string }[] = [];
    // Both read the endpoint's state before either claims it (a barrier), so both claim the same
    // version: the race is the compare-and-set's to decide, not the scheduler's. Without the
    // barrier, one dispatcher could finish and release before the other even read (a slow new
    // pool connection), and both would rightly report 'done'.
    let arrived = 0;
    let open!: () => void;
    const bothRead = new Promise<void>((r) => (open = r));
    const afterRead = (): Promise<void> => {
      if (++arrived === 2) open();
      return bothRead;
    };
    const results = await Promise.all([dispatch(c, { owner: 'a', sent, afterRead }), dispatch(c, { owner: 'b', sent, afterRead })]);
    expect(results.filter((r) => r === 'done')).toHaveLength(1);
    expect(results.filter((r) => r === 'busy')).toHaveLength(1);
    const all = await readAll(feed(c).follow, 100);
    expect(sent.map((s) => s.id)).toEqual(all.map((e) => e.id));
    expect(new Set(sent.map((s) => s.owner)).size).toBe(1);
    // More events, both again: only the new ones are sent.
    for (let i = 10; i < 15; i++) await c.store.audit.append({ kind: 'otp.refused', enrolmentId: 'enr1', detail: { i } });
    await Promise.all([dispatch(c, { owner: 'a', sent }), dispatch(c, { owner: 'b', sent })]);
    expect(sent.map((s) => s.id)).toEqual((await readAll(feed(c).follow, 100)).map((e) => e.id));
  });

  it('a crash between send and record: the next dispatcher, after the lease, resends the same events (same ids) and loses none', async () => {
    for (let i = 0; i < 5; i++) await c.store.audit.append({ kind: 'otp.refused', enrolmentId: 'enr1', detail: { i } });
    const sent: { owner: string; id: string }[] = [];
    expect(await dispatch(c, { owner: 'a', sent, crashAfterSend: true, leaseMs: 30_000 })).toBe('crashed');
    const firstBatch = sent.map((s) => s.id);
    // While a's lease runs, b keeps off.
    expect(await dispatch(c, { owner: 'b', sent })).toBe('busy');
    c.clock.advance(30_000);
    expect(await dispatch(c, { owner: 'b', sent })).toBe('done');
    const all = (await readAll(feed(c).follow, 100)).map((e) => e.id);
    const byB = sent.filter((s) => s.owner === 'b').map((s) => s.id);
    expect(byB).toEqual(all);
    // The batch a sent before dying went out again under the same ids: at least once, never lost.
    expect(all.slice(0, firstBatch.length)).toEqual(firstBatch);
  });

  it('follow and the endpoint state reject with ERR_STORAGE_UNAVAILABLE once the store is closed', async () => {
    const { follow, webhooks } = feed(c);
    await c.store.close();
    await expectCode(() => follow({ after: null }), 'ERR_STORAGE_UNAVAILABLE');
    await expectCode(() => webhooks.get('ep1'), 'ERR_STORAGE_UNAVAILABLE');
    await expectCode(() => webhooks.put({ endpointId: 'ep1', state: {}, expectedVersion: null }), 'ERR_STORAGE_UNAVAILABLE');
  });
}
