import { isCloudMfaError } from '@cloudmfa/core';
import { composeStore, createMemoryStore, type MfaStore } from '@cloudmfa/storage';
import { runStorageConformance } from '@cloudmfa/storage/testing';
import { describe, expect, it } from 'vitest';

// Two memory stores composed: the whole suite, the outbox group included (the consume on `state`
// records the entry that the audit log of `records` takes by key).
runStorageConformance({
  name: 'composeStore(memory, memory)',
  factory: ({ clock }) => ({ store: composeStore({ records: createMemoryStore({ clock }), state: createMemoryStore({ clock }) }) }),
});

describe('composeStore', () => {
  it('takes enrolments and audit from records, guard and challenges from state', () => {
    const records = createMemoryStore();
    const state = createMemoryStore();
    const store = composeStore({ records, state });
    expect(store.enrolments).toBe(records.enrolments);
    expect(store.audit).toBe(records.audit);
    expect(store.guard).toBe(state.guard);
    expect(store.challenges).toBe(state.challenges);
  });

  it('the outbox lives with the guard: a consume writes nothing to the records store', async () => {
    const records = createMemoryStore();
    const state = createMemoryStore();
    const store = composeStore({ records, state });
    await store.guard.consume('enr1', 7, { audit: { key: 'k1', kind: 'otp.accepted', enrolmentId: 'enr1', userId: 'alice' } });
    expect(await state.guard.listPendingAudit()).toHaveLength(1);
    expect(await records.guard.listPendingAudit()).toHaveLength(0);
    expect((await records.audit.query()).events).toHaveLength(0);
  });

  it("auditLog: the composed store's log is records', not the guard's own: the state store keeps the outbox, per organisation too", async () => {
    const records = createMemoryStore();
    const state = createMemoryStore();
    const store = composeStore({ records, state });
    const audit = (step: number) => ({ key: `k${step}`, kind: 'otp.accepted', enrolmentId: 'enr1', userId: 'alice', detail: { step } });
    for (const scope of [store, store.forOrganisation('org-a')]) {
      const r = await scope.guard.consume('enr1', 7, { audit: audit(7), auditLog: scope.audit });
      expect(r).toMatchObject({ ok: true });
      expect(r.ok && r.logged).toBeUndefined();
      expect((await scope.guard.listPendingAudit()).map((e) => e.key)).toEqual(['k7']);
      expect((await scope.audit.query()).events).toEqual([]);
    }
    expect((await state.audit.query()).events).toEqual([]);
    expect((await state.forOrganisation('org-a').audit.query()).events).toEqual([]);
    // Identity decides: the state store's own log would be written directly (and is not the
    // composed store's log, which is why the composition must never hand it out).
    const own = await state.guard.consume('enr1', 8, { audit: audit(8), auditLog: state.audit });
    expect(own.ok && own.logged).toMatchObject({ kind: 'otp.accepted', detail: { step: 8 } });
    expect((await records.audit.query()).events).toEqual([]);
  });

  it('close closes both, runs onClose once after them, and is idempotent', async () => {
    const order: string[] = [];
    const tracked = (name: string): MfaStore => {
      const s = createMemoryStore();
      return { ...s, close: async () => { order.push(name); await s.close(); } };
    };
    const store = composeStore({ records: tracked('records'), state: tracked('state'), onClose: async () => { order.push('onClose'); } });
    await Promise.all([store.close(), store.close()]);
    await store.close();
    expect(order).toEqual(['records', 'state', 'onClose']);
    await expect(store.enrolments.get('enr1')).rejects.toMatchObject({ code: 'ERR_STORAGE_UNAVAILABLE' });
    await expect(store.guard.get('enr1')).rejects.toMatchObject({ code: 'ERR_STORAGE_UNAVAILABLE' });
  });

  it('a store that fails to close still lets the other close and onClose run, then rejects', async () => {
    const state = createMemoryStore();
    const boom = new Error('driver down');
    const records: MfaStore = { ...createMemoryStore(), close: () => Promise.reject(boom) };
    let hook = 0;
    const store = composeStore({ records, state, onClose: async () => { hook++; } });
    await expect(store.close()).rejects.toBe(boom);
    expect(hook).toBe(1);
    await expect(state.guard.get('enr1')).rejects.toMatchObject({ code: 'ERR_STORAGE_UNAVAILABLE' });
  });

  it('refuses what is not a store with ERR_STORAGE_INVALID', () => {
    const ok = createMemoryStore();
    for (const bad of [null, {}, { ...ok, guard: undefined }, 'store']) {
      let thrown: unknown;
      try {
        composeStore({ records: bad as unknown as MfaStore, state: ok });
      } catch (e) {
        thrown = e;
      }
      expect(isCloudMfaError(thrown, 'ERR_STORAGE_INVALID')).toBe(true);
    }
    expect(() => composeStore({ records: ok, state: ok, onClose: 1 as never })).toThrow(expect.objectContaining({ code: 'ERR_STORAGE_INVALID' }));
  });
});
