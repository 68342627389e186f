import { exportMigration } from '@cloudmfa/otp/server';
import { totp } from '@cloudmfa/otp';
import { describe, expect, it, vi } from 'vitest';
import { activate, makeWorld } from './helpers.js';

const auditOf = async (w: ReturnType<typeof makeWorld>) => (await w.mfa.queryAudit({ limit: 1000 })).events.map((e) => e.kind).reverse();

describe('activation flow', () => {
  it('a lost redemption answer is retried with the same request: one redemption, no incident', async () => {
    const w = makeWorld();
    const auth = await w.phone();
    w.lose('/v1/activations/redeem', 1);
    const id = await activate(w, auth);
    expect(w.seen.filter((s) => s === 'POST /v1/activations/redeem')).toHaveLength(2);
    const kinds = await auditOf(w);
    expect(kinds.filter((k) => k === 'enrolment.redeemed')).toHaveLength(1);
    expect(kinds).not.toContain('enrolment.double_redemption');
    expect(auth.get(id)?.push).not.toBeNull();
    await w.close();
  });

  it('when both tries fail the user retries later with the same request (never a second device)', async () => {
    const w = makeWorld();
    const auth = await w.phone();
    const a = await w.mfa.startActivation({ userId: 'alice', account: 'alice@acme.example' });
    const begun = auth.begin(a.text);
    if (!begun.ok) throw new Error('begin');
    await begun.flow.unlock(a.password as string);
    await begun.flow.setPin({ pin: '246810', confirmation: '246810' });
    w.lose('/v1/activations/redeem', 2);
    expect(await begun.flow.confirm()).toEqual({ ok: false, reason: 'network', messageKey: 'activation.error.network' });
    expect(begun.flow.step().step).toBe('review');
    expect(await begun.flow.confirm()).toEqual({ ok: true });
    expect(await auditOf(w)).not.toContain('enrolment.double_redemption');
    expect(begun.flow.step()).toMatchObject({ step: 'account', accounts: [{ account: 'alice@acme.example' }] });
    await w.close();
  });

  it('a server that never answers: each try times out, one automatic retry, then a typed timeout', async () => {
    const w = makeWorld({ app: { pinRequired: false } });
    let hang = true;
    let tries = 0;
    const auth = await w.phone({
      timeoutMs: 5_000,
      fetch: (url, init) => {
        if (!hang || !url.endsWith('/v1/activations/redeem')) return w.fetch(url, init);
        tries++;
        return new Promise<Response>(() => undefined);
      },
    });
    const a = await w.mfa.startActivation({ userId: 'alice' });
    const begun = auth.begin(a.text);
    if (!begun.ok) throw new Error('begin');
    await begun.flow.unlock(a.password as string);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const pending = begun.flow.confirm();
      await vi.advanceTimersByTimeAsync(5_000);
      expect(tries).toBe(2);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(await pending).toEqual({ ok: false, reason: 'timeout', messageKey: 'activation.error.timeout' });
    } finally {
      vi.useRealTimers();
    }
    hang = false;
    expect(await begun.flow.confirm()).toEqual({ ok: true });
    await w.close();
  });

  it('server refusals are typed with a message key: redeemed and revoked answer as invalid (an activation id grants nothing); expiry and a wrong password', async () => {
    const w = makeWorld({ app: { pinRequired: false } });
    const a = await w.mfa.startActivation({ userId: 'alice' });
    const first = await w.phone({ name: 'first' });
    const second = await w.phone({ name: 'second' });
    for (const [auth, expected] of [
      [first, { ok: true }],
      // The server answers a redeemed activation exactly like a bad MAC (docs/protocol/activation.md).
      [second, { ok: false, reason: 'invalid', messageKey: 'activation.error.invalid' }],
    ] as const) {
      const begun = auth.begin(a.text);
      if (!begun.ok) throw new Error('begin');
      expect(await begun.flow.unlock(a.password as string)).toEqual({ ok: true });
      expect(await begun.flow.confirm()).toEqual(expected);
    }
    const b = await w.mfa.startActivation({ userId: 'bob' });
    await w.mfa.revokeEnrolment({ enrolmentId: b.enrolmentId });
    const third = await w.phone({ name: 'third' });
    const begun = third.begin(b.text);
    if (!begun.ok) throw new Error('begin');
    expect(await begun.flow.unlock('WRONG-WRONG-WRONG')).toMatchObject({ ok: false, reason: 'wrong-password' });
    await begun.flow.unlock(b.password as string);
    expect(await begun.flow.confirm()).toEqual({ ok: false, reason: 'invalid', messageKey: 'activation.error.invalid' });
    expect(begun.flow.step()).toEqual({ step: 'failed', reason: 'invalid' });

    const c = await w.mfa.startActivation({ userId: 'carol' });
    const late = third.begin(c.text);
    if (!late.ok) throw new Error('begin');
    w.clock.set(w.clock() + 300_000 + 60_001);
    expect(await late.flow.unlock(c.password as string)).toEqual({ ok: false, reason: 'expired' });
    expect(third.scan(c.text)).toEqual({ ok: false, reason: 'activation-expired' });
    await w.close();
  });

  it('a phone clock 10 minutes fast that never heard a server: the envelope opens, the time is asked, redemption succeeds', async () => {
    const w = makeWorld({ app: { pinRequired: false } });
    const auth = await w.phone({ skewMs: 600_000 });
    const a = await w.mfa.startActivation({ userId: 'alice' });
    expect(auth.scan(a.text)).toMatchObject({ ok: true, kind: 'activation' });
    const begun = auth.begin(a.text);
    if (!begun.ok) throw new Error(begun.reason);
    expect(await begun.flow.unlock(a.password as string)).toEqual({ ok: true });
    expect(w.seen).toEqual(['GET /v1/time']);
    expect(auth.clock()).toMatchObject({ offsetMs: -600_000, skewed: true, source: 'server-time' });
    expect(begun.flow.step()).toMatchObject({ step: 'review', secondsLeft: 300 });
    expect(await begun.flow.confirm()).toEqual({ ok: true });
    expect((await begun.flow.save()).ok).toBe(true);
    // Once the clock is known, an expired envelope is called expired at once.
    const b = await w.mfa.startActivation({ userId: 'bob' });
    w.clock.set(w.clock() + 361_000);
    expect(auth.scan(b.text)).toEqual({ ok: false, reason: 'activation-expired' });
    await w.close();
  });

  it('offline envelope and otpauth URI: no network, the account shown before saving, codes the server accepts', async () => {
    const w = makeWorld({ app: { pinRequired: false } });
    const auth = await w.phone();
    const off = await w.mfa.startActivation({ userId: 'alice', mode: 'offline', account: 'alice@acme.example' });
    const begun = auth.begin(off.text);
    if (!begun.ok) throw new Error('begin');
    await begun.flow.unlock(off.password as string);
    expect(begun.flow.step()).toMatchObject({ step: 'review', source: 'offline', account: 'alice@acme.example', origin: null });
    expect(await begun.flow.confirm()).toEqual({ ok: true });
    expect(begun.flow.step()).toMatchObject({ step: 'account', accounts: [{ issuer: 'Acme Corporation', account: 'alice@acme.example' }] });
    expect((await begun.flow.save()).ok).toBe(true);
    expect(w.seen).toEqual([]);
    const codes = auth.codes();
    if (!codes.ok || codes.codes[0]?.type !== 'totp') throw new Error('codes');
    expect(await w.mfa.verifyOtp({ userId: 'alice', code: codes.codes[0].code })).toMatchObject({ ok: true });

    const uri = await w.mfa.startActivation({ userId: 'bob', mode: 'otpauth' });
    const byUri = auth.begin(`\n ${uri.uri}  `);
    if (!byUri.ok) throw new Error('begin');
    expect(byUri.flow.step()).toMatchObject({ step: 'review', source: 'otpauth', company: 'Acme Corporation', account: 'bob' });
    expect(byUri.flow.rename('Bob at Acme')).toEqual({ ok: true });
    await byUri.flow.confirm();
    const saved = await byUri.flow.save();
    if (!saved.ok) throw new Error('save');
    expect(auth.get(saved.identityIds[0] as string)).toMatchObject({ name: 'Bob at Acme', source: 'otpauth', push: null });
    w.clock.set(w.clock() + 30_000);
    const again = auth.codes();
    if (!again.ok) throw new Error('codes');
    const bob = again.codes.find((c) => c.id === saved.identityIds[0]);
    expect(await w.mfa.verifyOtp({ userId: 'bob', code: bob?.type === 'totp' ? bob.code : '' })).toMatchObject({ ok: true });
    expect(w.seen).toEqual([]);
    await w.close();
  });

  it('begin with a part already scanned starts the import (docs/client.md section 2: "begin(text) with any part")', async () => {
    const w = makeWorld();
    const auth = await w.phone();
    const secrets = ['JBSWY3DPEHPK3PXP', 'GEZDGNBVGY3TQOJQ'];
    const one = exportMigration({ accounts: [{ type: 'totp', secret: secrets[0] as string, account: 'solo' }], batchId: 3 });
    expect(auth.scan(one[0])).toMatchObject({ ok: true, kind: 'migration', complete: true });
    const single = auth.begin(one[0]);
    if (!single.ok) throw new Error(single.reason);
    expect(single.flow.step()).toMatchObject({ step: 'review', source: 'migration', accounts: [{ account: 'solo' }] });
    await single.flow.cancel();
    const two = exportMigration({ accounts: secrets.map((secret, i) => ({ type: 'totp' as const, secret, account: `user${i + 1}` })), maxPerUri: 1, batchId: 4 });
    expect(auth.scan(two[0])).toMatchObject({ ok: true, part: 1, complete: false });
    expect(auth.begin(two[0])).toEqual({ ok: false, reason: 'migration-incomplete', missing: [2] });
    expect(auth.scan(two[1])).toMatchObject({ ok: true, part: 2, complete: true, accounts: 2 });
    const begun = auth.begin(two[0]);
    if (!begun.ok) throw new Error(begun.reason);
    expect(begun.flow.step()).toMatchObject({ step: 'review', source: 'migration', accounts: [{ account: 'user1' }, { account: 'user2' }] });
    // scan itself still says a part came twice.
    expect(auth.scan(two[1])).toMatchObject({ ok: true, part: 2, of: 2, complete: false });
    expect(auth.scan(two[1])).toEqual({ ok: false, reason: 'migration-duplicate' });
    await w.close();
  });

  it('a Google Authenticator migration batch: part k of n across scans, then one review for all', async () => {
    const w = makeWorld();
    const auth = await w.phone();
    const secrets = ['JBSWY3DPEHPK3PXP', 'GEZDGNBVGY3TQOJQ', 'MFRGGZDFMZTWQ2LK'];
    const uris = exportMigration({ accounts: secrets.map((secret, i) => ({ type: 'totp' as const, secret, issuer: `Site ${i + 1}`, account: `user${i + 1}` })), maxPerUri: 1, batchId: 7 });
    expect(uris).toHaveLength(3);
    expect(auth.scan(uris[1])).toMatchObject({ ok: true, kind: 'migration', part: 2, of: 3, scanned: [2], missing: [1, 3], complete: false });
    expect(auth.scan(uris[1])).toEqual({ ok: false, reason: 'migration-duplicate' });
    expect(auth.begin(uris[0])).toEqual({ ok: false, reason: 'migration-incomplete', missing: [3] });
    const other = exportMigration({ accounts: [{ type: 'totp', secret: secrets[0] as string, account: 'x' }], batchId: 9 });
    expect(auth.scan(other[0])).toEqual({ ok: false, reason: 'migration-other-batch' });
    const begun = auth.begin(uris[2]);
    if (!begun.ok) throw new Error(begun.reason);
    expect(begun.flow.step()).toMatchObject({ step: 'review', source: 'migration', accounts: [{ account: 'user1' }, { account: 'user2' }, { account: 'user3' }] });
    expect(await begun.flow.confirm()).toEqual({ ok: true });
    const saved = await begun.flow.save();
    if (!saved.ok) throw new Error('save');
    expect(auth.list().map((i) => [i.name, i.source])).toEqual([
      ['Site 1', 'migration'],
      ['Site 2', 'migration'],
      ['Site 3', 'migration'],
    ]);
    const codes = auth.codes();
    if (!codes.ok) throw new Error('codes');
    const { createOtpKey } = await import('@cloudmfa/otp');
    expect(codes.codes.map((c) => (c.type === 'totp' ? c.code : ''))).toEqual(secrets.map((s) => totp({ secret: createOtpKey({ secret: s }), now: w.clock })));
    await w.close();
  });

  it('cancel after the redemption unregisters the device and drops its key', async () => {
    const w = makeWorld({ app: { pinRequired: false } });
    const auth = await w.phone();
    const a = await w.mfa.startActivation({ userId: 'alice' });
    const begun = auth.begin(a.text);
    if (!begun.ok) throw new Error('begin');
    await begun.flow.unlock(a.password as string);
    await begun.flow.confirm();
    await begun.flow.cancel();
    expect(begun.flow.step()).toEqual({ step: 'cancelled' });
    expect((await w.mfa.getEnrolment(a.enrolmentId))?.status).toBe('revoked');
    expect(auth.list()).toEqual([]);
    expect(w.seen).toContain('POST /v1/devices/unregister');
    await w.close();
  });
});
