// Runs inside Hermes (no Node, no TextEncoder): the memory store and the client secure store
// seam are what a phone loads from @cloudmfa/storage. See hermes.test.ts.
import { createMemorySecureStore, createMemoryStore, DEFAULT_THROTTLE_POLICY, secureStoreFromStringHost } from '@cloudmfa/storage';

declare const print: (line: string) => void;

const codeOf = async (p: Promise<unknown>): Promise<string | null> =>
  p.then(
    () => null,
    (e: { code?: string }) => e.code ?? 'no-code',
  );

async function main(): Promise<Record<string, unknown>> {
  let t = Date.UTC(2026, 0, 1);
  const store = createMemoryStore({ clock: () => t });
  const first = await store.guard.consume('enr1', 100);
  const replay = await store.guard.consume('enr1', 100);
  const fail = await store.guard.recordFailure('enr1', { ...DEFAULT_THROTTLE_POLICY, freeFailures: 0 });

  await store.enrolments.create({ id: 'enr1', userId: 'zoë 👩🏽‍💻', secret: new Uint8Array([1, 2, 3]), expiresAt: t + 1000, meta: { label: '株式会社' } });
  const redeemed = await store.enrolments.redeem('enr1');
  const again = await store.enrolments.redeem('enr1');

  await store.challenges.create({ id: 'ch1', enrolmentId: 'enr1', userId: 'zoë 👩🏽‍💻', expiresAt: t + 120_000 });
  const finals = await Promise.all([
    store.challenges.finalize('ch1', { status: 'approved' }),
    store.challenges.finalize('ch1', { status: 'denied' }),
  ]);
  for (let i = 0; i < 5; i++) {
    await store.audit.append({ kind: 'otp.accepted', enrolmentId: 'enr1', detail: { i } });
    t += 1000;
  }
  const page1 = await store.audit.query({ enrolmentId: 'enr1', limit: 3 });
  const page2 = await store.audit.query({ enrolmentId: 'enr1', limit: 3, cursor: page1.cursor ?? undefined });

  const host = new Map<string, string>();
  const secure = secureStoreFromStringHost({
    getItem: (k) => host.get(k) ?? null,
    setItem: (k, v) => {
      host.set(k, v);
    },
    deleteItem: (k) => {
      host.delete(k);
    },
  });
  await secure.set('vault.header', new Uint8Array([0, 255, 128]));
  const mem = createMemorySecureStore();
  await mem.set('k', new Uint8Array([9]));

  return {
    first: first.ok,
    replay: replay.ok ? 'accepted' : replay.reason,
    failures: fail.failures,
    redeemed: redeemed.ok,
    again: again.ok ? 'accepted' : again.reason,
    userId: redeemed.ok ? redeemed.enrolment.userId : null,
    label: redeemed.ok ? redeemed.enrolment.meta.label : null,
    finals: finals.map((f) => (f.ok ? 'ok' : f.reason)),
    pages: [page1.events.map((e) => e.detail.i), page2.events.map((e) => e.detail.i), page2.cursor],
    loneSurrogate: await codeOf(store.audit.append({ kind: 'x', detail: { s: '\ud800' } })),
    badId: await codeOf(store.enrolments.get('a b')),
    hostValue: host.get('vault.header'),
    secureBack: Array.from((await secure.get('vault.header')) ?? []),
    secureDeleted: await secure.delete('vault.header'),
    memBack: Array.from((await mem.get('k')) ?? []),
  };
}

main().then(
  (r) => print(`HERMES-RESULT ${JSON.stringify(r)}`),
  (e) => print(`HERMES-ERROR ${String(e && (e.code || e.message))}`),
);
