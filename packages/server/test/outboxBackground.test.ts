// docs/server.md section 4.1, "Background moves", on every real store: with
// `auditMove: 'background'` an acceptance answers before its outbox move; the move lands exactly
// once by `flushAuditMoves()`; at most `maxAuditMovesInFlight` run at once for the whole server
// (past it an acceptance awaits its own move); a failed move leaves the entry for the drain; the
// drain waits for the moves in flight. The audit log is wrapped (so every store takes the
// outbox) by a gate the test holds and releases: the order is proven by the gate, never by time.
import { type AuditLog, type MfaStore, type OrganisationScope, type OtpGuardStore } from '@cloudmfa/storage';
import { storageError } from '@cloudmfa/storage/adapter';
import { createSoftwareSigner } from '@cloudmfa/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { MfaServer } from '../src/index.js';
import { BACKENDS, closeBackends, freshBackendPerTest } from './backends.js';
import { activateOnline, codeAt, makeDevice, makeServer, seededRandom, T0, type TestServer } from './helpers.js';

afterAll(closeBackends);

const STEP = T0 / 30_000;

/** One turn of the event loop: whatever can settle without a store answer has settled after it. */
const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * `store` with every organisation's audit log wrapped (so the guard keeps the outbox on every
 * store, docs/storage.md 5) behind a gate: while held, each append waits (counted in `held`)
 * for the gate it found on arrival, until `release()` (the current gate) or the release that
 * `hold()` returned (that one gate only); `fail(true)` makes appends reject. `listings` counts the default guard's
 * `listPendingAudit` calls (the drain's).
 */
function gatedStore(store: MfaStore) {
  let gate: { promise: Promise<void>; release: () => void } | null = null;
  let failing = false;
  const state = { held: 0, listings: 0 };
  const reachedWaiters: Array<{ n: number; resolve: () => void }> = [];
  const wrap = (log: AuditLog): AuditLog => ({
    append: async (entry) => {
      if (failing) throw storageError('ERR_STORAGE_UNAVAILABLE', 'audit down');
      if (gate) {
        const { promise } = gate;
        state.held++;
        for (const w of reachedWaiters.splice(0)) if (state.held >= w.n) w.resolve();
        else reachedWaiters.push(w);
        await promise;
        state.held--;
      }
      return log.append(entry);
    },
    query: (q) => log.query(q),
  });
  // A guard that counts the drain's listings; every other call goes to the store's own guard.
  const guard = new Proxy(store.guard, {
    get(target, prop) {
      if (prop === 'listPendingAudit') {
        return (options?: { limit?: number }) => {
          state.listings++;
          return target.listPendingAudit(options);
        };
      }
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as OtpGuardStore;
  const gated: MfaStore = {
    enrolments: store.enrolments,
    guard,
    challenges: store.challenges,
    audit: wrap(store.audit),
    organisations: store.organisations,
    forOrganisation: (id): OrganisationScope => {
      const scope = store.forOrganisation(id);
      return { enrolments: scope.enrolments, guard: scope.guard, challenges: scope.challenges, audit: wrap(scope.audit), webhooks: scope.webhooks };
    },
    close: () => store.close(),
  };
  return {
    store: gated,
    state,
    /** Holds the appends that arrive from now on; returns the release of this gate alone. */
    hold: (): (() => void) => {
      let release = () => undefined as void;
      const promise = new Promise<void>((resolve) => (release = resolve));
      gate = { promise, release };
      return release;
    },
    release: () => {
      gate?.release();
      gate = null;
    },
    fail: (on: boolean) => (failing = on),
    /** Resolves once `n` appends are held at the gate. */
    reached: (n: number) =>
      new Promise<void>((resolve) => {
        if (state.held >= n) resolve();
        else reachedWaiters.push({ n, resolve });
      }),
  };
}

async function acceptedSteps(server: Pick<MfaServer, 'queryAudit'>): Promise<number[]> {
  const page = await server.queryAudit({ limit: 1000 });
  return page.events.filter((e) => e.kind === 'otp.accepted').map((e) => e.detail.step as number);
}
const acceptedEvents = (t: TestServer) => t.events.filter((e) => e.kind === 'otp.accepted');

describe.each(Object.keys(BACKENDS))('background audit moves on %s', (backend) => {
  const backendNow = freshBackendPerTest(backend, T0);
  const setup = (options: { maxAuditMovesInFlight?: number } = {}) => {
    const gate = gatedStore(backendNow.opened().store);
    const t = makeServer({
      clock: backendNow.clock(),
      store: () => gate.store,
      auditMove: 'background',
      ...options,
      organisationKeys: (id) => ({
        kek: { current: `${id}-k1`, keys: { [`${id}-k1`]: new Uint8Array(32).fill(0x33) } },
        push: createSoftwareSigner({ algorithm: 'ES256', random: seededRandom(`push-key-${id}`) }),
      }),
    });
    return { gate, t };
  };

  it('answers before the move; the flush waits for it; the entry lands once and reaches events once', async () => {
    const { gate, t } = setup();
    const { identity } = await activateOnline(t, makeDevice('a'));
    gate.hold();
    // Inline, this answer would wait for the held append forever.
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true, step: STEP });
    expect(gate.state.held).toBe(1);
    expect(await acceptedSteps(t.server)).toEqual([]);
    expect(acceptedEvents(t)).toHaveLength(0);
    // Durable before the answer: the entry is in the guard store's outbox.
    expect((await t.store.guard.listPendingAudit()).map((e) => e.detail.step)).toEqual([STEP]);

    let flushed = false;
    const flushing = t.server.flushAuditMoves().then(() => (flushed = true));
    await macrotask();
    expect(flushed).toBe(false);
    gate.release();
    await flushing;
    expect(await acceptedSteps(t.server)).toEqual([STEP]);
    expect(acceptedEvents(t)).toHaveLength(1);
    expect(await t.store.guard.listPendingAudit()).toEqual([]);
    expect(await t.server.drainAuditOutbox()).toEqual({ moved: 0, more: false });
    expect(await acceptedSteps(t.server)).toEqual([STEP]);
    expect(acceptedEvents(t)).toHaveLength(1);
  });

  it('past maxAuditMovesInFlight an acceptance awaits its own move; released, the slots are free again', async () => {
    const { gate, t } = setup({ maxAuditMovesInFlight: 2 });
    const users: Array<{ enrolmentId: string; seed: Uint8Array }> = [];
    for (const name of ['a', 'b', 'c']) users.push((await activateOnline(t, makeDevice(name), { userId: name })).identity);
    const verify = (i: number) => t.server.verifyOtp({ enrolmentId: users[i]!.enrolmentId, code: codeAt(t, users[i]!.seed) });
    gate.hold();
    expect(await verify(0)).toMatchObject({ ok: true });
    expect(await verify(1)).toMatchObject({ ok: true });
    expect(gate.state.held).toBe(2);
    let answered = false;
    const third = verify(2).then((r) => ((answered = true), r));
    await gate.reached(3);
    await macrotask();
    // The third move runs inline: its acceptance waits for the held append.
    expect(answered).toBe(false);
    expect(gate.state.held).toBe(3);
    gate.release();
    expect(await third).toMatchObject({ ok: true });
    await t.server.flushAuditMoves();
    expect(await acceptedSteps(t.server)).toEqual([STEP, STEP, STEP]);
    expect(acceptedEvents(t)).toHaveLength(3);

    // The finished moves left the count: two more go to the background again.
    t.clock.advance(30_000);
    gate.hold();
    expect(await verify(0)).toMatchObject({ ok: true, step: STEP + 1 });
    expect(await verify(1)).toMatchObject({ ok: true, step: STEP + 1 });
    expect(gate.state.held).toBe(2);
    gate.release();
    await t.server.flushAuditMoves();
    expect(await acceptedSteps(t.server)).toHaveLength(5);
    expect(await t.store.guard.listPendingAudit()).toEqual([]);
  });

  it('one bound and one flush for every organisation of the server', async () => {
    const { gate, t } = setup({ maxAuditMovesInFlight: 2 });
    await t.server.createOrganisation({ organisationId: 'globex', issuer: 'Globex', origin: 'https://globex.mfa.example' });
    const globex = { ...t, server: (await t.server.forOrganisation('globex')) as MfaServer };
    const a = (await activateOnline(t, makeDevice('a'), { userId: 'a' })).identity;
    const b = (await activateOnline(globex, makeDevice('b'), { userId: 'b' })).identity;
    const c = (await activateOnline(globex, makeDevice('c'), { userId: 'c' })).identity;
    gate.hold();
    expect(await t.server.verifyOtp({ enrolmentId: a.enrolmentId, code: codeAt(t, a.seed) })).toMatchObject({ ok: true });
    expect(await globex.server.verifyOtp({ enrolmentId: b.enrolmentId, code: codeAt(t, b.seed) })).toMatchObject({ ok: true });
    expect(gate.state.held).toBe(2);
    // The default organisation's move counts against Globex's acceptances too.
    let answered = false;
    const third = globex.server.verifyOtp({ enrolmentId: c.enrolmentId, code: codeAt(t, c.seed) }).then((r) => ((answered = true), r));
    let flushed = false;
    const flushing = t.server.flushAuditMoves().then(() => (flushed = true));
    await gate.reached(3);
    await macrotask();
    expect(answered).toBe(false);
    expect(flushed).toBe(false);
    gate.release();
    expect(await third).toMatchObject({ ok: true });
    await flushing;
    // Both of the background moves (one per organisation) are in before the flush resolved.
    expect(await acceptedSteps(t.server)).toEqual([STEP]);
    expect(await acceptedSteps(globex.server)).toEqual([STEP, STEP]);
    expect(acceptedEvents(t).map((e) => e.organisationId).sort()).toEqual(['default', 'globex', 'globex']);
  });

  it('a failed move is swallowed and leaves the entry in the outbox; the drain moves it once', async () => {
    const { gate, t } = setup();
    const { identity } = await activateOnline(t, makeDevice('a'));
    gate.fail(true);
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
    await expect(t.server.flushAuditMoves()).resolves.toBeUndefined();
    expect(await acceptedSteps(t.server)).toEqual([]);
    expect(acceptedEvents(t)).toHaveLength(0);
    expect((await t.store.guard.listPendingAudit()).map((e) => e.detail.step)).toEqual([STEP]);
    gate.fail(false);
    expect(await t.server.drainAuditOutbox()).toEqual({ moved: 1, more: false });
    expect(await acceptedSteps(t.server)).toEqual([STEP]);
    expect(acceptedEvents(t)).toHaveLength(1);
  });

  it('a failed move frees its slot: with a bound of 1 the next acceptance still answers before its move', async () => {
    const { gate, t } = setup({ maxAuditMovesInFlight: 1 });
    const a = (await activateOnline(t, makeDevice('a'), { userId: 'a' })).identity;
    const b = (await activateOnline(t, makeDevice('b'), { userId: 'b' })).identity;
    gate.fail(true);
    expect(await t.server.verifyOtp({ enrolmentId: a.enrolmentId, code: codeAt(t, a.seed) })).toMatchObject({ ok: true });
    await t.server.flushAuditMoves();
    gate.fail(false);
    gate.hold();
    // Were the failed move still counted, this answer would wait for the held append forever.
    expect(await t.server.verifyOtp({ enrolmentId: b.enrolmentId, code: codeAt(t, b.seed) })).toMatchObject({ ok: true });
    expect(gate.state.held).toBe(1);
    gate.release();
    await t.server.flushAuditMoves();
    expect(await acceptedSteps(t.server)).toEqual([STEP]);
    expect(await t.server.drainAuditOutbox()).toEqual({ moved: 1, more: false });
    expect(await acceptedSteps(t.server)).toEqual([STEP, STEP]);
  });

  it('a flush waits for the moves started before it, not for those started after', async () => {
    const { gate, t } = setup();
    const a = (await activateOnline(t, makeDevice('a'), { userId: 'a' })).identity;
    const b = (await activateOnline(t, makeDevice('b'), { userId: 'b' })).identity;
    const releaseA = gate.hold();
    expect(await t.server.verifyOtp({ enrolmentId: a.enrolmentId, code: codeAt(t, a.seed) })).toMatchObject({ ok: true });
    await gate.reached(1);
    const flushing = t.server.flushAuditMoves();
    gate.hold();
    expect(await t.server.verifyOtp({ enrolmentId: b.enrolmentId, code: codeAt(t, b.seed) })).toMatchObject({ ok: true });
    await gate.reached(2);
    releaseA();
    // Were the flush to wait for no move in flight at all, it would wait for B's held append forever.
    await flushing;
    expect(gate.state.held).toBe(1);
    expect(await acceptedSteps(t.server)).toEqual([STEP]);
    gate.release();
    await t.server.flushAuditMoves();
    expect(await acceptedSteps(t.server)).toEqual([STEP, STEP]);
  });

  it('the bound is shared by the withActor copies of the server', async () => {
    const { gate, t } = setup({ maxAuditMovesInFlight: 1 });
    const a = (await activateOnline(t, makeDevice('a'), { userId: 'a' })).identity;
    const b = (await activateOnline(t, makeDevice('b'), { userId: 'b' })).identity;
    gate.hold();
    expect(await t.server.withActor('ops').verifyOtp({ enrolmentId: a.enrolmentId, code: codeAt(t, a.seed) })).toMatchObject({ ok: true });
    expect(gate.state.held).toBe(1);
    // The copy's move holds the one slot: this acceptance awaits its own move.
    let answered = false;
    const second = t.server.verifyOtp({ enrolmentId: b.enrolmentId, code: codeAt(t, b.seed) }).then((r) => ((answered = true), r));
    await gate.reached(2);
    await macrotask();
    expect(answered).toBe(false);
    gate.release();
    expect(await second).toMatchObject({ ok: true });
    await t.server.flushAuditMoves();
    expect(await acceptedSteps(t.server)).toEqual([STEP, STEP]);
  });

  it('the drain waits for the moves in flight before it lists the outbox', async () => {
    const { gate, t } = setup();
    const { identity } = await activateOnline(t, makeDevice('a'));
    gate.hold();
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
    const listings = gate.state.listings;
    const draining = t.server.drainAuditOutbox();
    await macrotask();
    expect(gate.state.listings).toBe(listings);
    gate.release();
    // The move settled the entry: the drain finds nothing, and the sink saw the entry once.
    expect(await draining).toEqual({ moved: 0, more: false });
    expect(gate.state.listings).toBe(listings + 1);
    expect(await acceptedSteps(t.server)).toEqual([STEP]);
    expect(acceptedEvents(t)).toHaveLength(1);
  });
});

// Unwrapped: the stores that keep the outbox themselves (Redis without singleServer, the
// PostgreSQL + Redis composition) move in the background; the ones that log with the consume
// have nothing to move, and their entry is in the log with the answer.
const LOGS_DIRECTLY: Record<string, boolean> = { memory: true, sqlite: true, postgres: true, redis: false, 'postgres+redis': false };

describe.each(Object.keys(BACKENDS))('background audit moves on %s, its own audit log', (backend) => {
  const backendNow = freshBackendPerTest(backend, T0);

  it('the entry is in the log once after the flush (at once where logged with the consume), and the outbox is empty', async () => {
    const store = backendNow.opened().store;
    const t = makeServer({ clock: backendNow.clock(), store: () => store, auditMove: 'background' });
    const { identity } = await activateOnline(t, makeDevice('a'));
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
    // A backend missing from the table would skip the check below: name every one.
    expect(backend in LOGS_DIRECTLY).toBe(true);
    if (LOGS_DIRECTLY[backend]) {
      expect(await acceptedSteps(t.server)).toEqual([STEP]);
      expect(acceptedEvents(t)).toHaveLength(1);
    }
    await t.server.flushAuditMoves();
    expect(await acceptedSteps(t.server)).toEqual([STEP]);
    expect(acceptedEvents(t)).toHaveLength(1);
    expect(await store.guard.listPendingAudit()).toEqual([]);
  });
});

describe('auditMove options', () => {
  it('a flush with nothing in flight resolves, inline and in the background', async () => {
    await expect(makeServer().server.flushAuditMoves()).resolves.toBeUndefined();
    await expect(makeServer({ auditMove: 'background' }).server.flushAuditMoves()).resolves.toBeUndefined();
    await expect(makeServer({ auditMove: 'inline' }).server.withActor('ops').flushAuditMoves()).resolves.toBeUndefined();
  });

  it('refuses an auditMove other than inline or background, and a maxAuditMovesInFlight outside 1..65536 or without background', () => {
    for (const auditMove of ['later', 'Background', '', 1, null, true]) {
      expect(() => makeServer({ auditMove: auditMove as 'inline' })).toThrow(expect.objectContaining({ code: 'ERR_SERVER_CONFIG' }));
    }
    for (const maxAuditMovesInFlight of [0, -1, 1.5, 65_537, Number.NaN, '8' as unknown as number]) {
      expect(() => makeServer({ auditMove: 'background', maxAuditMovesInFlight })).toThrow(expect.objectContaining({ code: 'ERR_SERVER_CONFIG' }));
    }
    expect(() => makeServer({ maxAuditMovesInFlight: 8 })).toThrow(expect.objectContaining({ code: 'ERR_SERVER_CONFIG', message: expect.stringContaining('maxAuditMovesInFlight') }));
    expect(() => makeServer({ auditMove: 'inline', maxAuditMovesInFlight: 8 })).toThrow(expect.objectContaining({ code: 'ERR_SERVER_CONFIG' }));
    expect(() => makeServer({ auditMove: 'background', maxAuditMovesInFlight: 1 })).not.toThrow();
    expect(() => makeServer({ auditMove: 'background', maxAuditMovesInFlight: 65_536 })).not.toThrow();
  });
});
