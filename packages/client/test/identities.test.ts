import { createOtpKey, hotp, totp } from '@cloudmfa/otp';
import { readFileSync } from 'node:fs';
import { exportMigration, formatOtpauthUri } from '@cloudmfa/otp/server';
import { encodeBase64Url, utf8Decode } from '@cloudmfa/core';
import { createMemorySecureStore } from '@cloudmfa/storage';
import { describe, expect, it } from 'vitest';
import type { AuthenticatorEvent } from '../src/index.js';
import { activate, makeWorld } from './helpers.js';
import { fakeBiometrics } from './vault/helpers.js';
import { importAegis } from '../src/aegis.js';
import { importBackup as importBackupFile } from '../src/backup/index.js';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

async function addUri(auth: Awaited<ReturnType<ReturnType<typeof makeWorld>['phone']>>, input: Parameters<typeof formatOtpauthUri>[0]) {
  const begun = auth.begin(formatOtpauthUri(input).uri);
  if (!begun.ok) throw new Error(begun.reason);
  await begun.flow.confirm();
  const saved = await begun.flow.save();
  if (!saved.ok) throw new Error('save');
  return saved.identityIds[0] as string;
}

describe('identities and codes', () => {
  it('TOTP: current and next code, seconds left and the period fraction, on the corrected clock', async () => {
    const w = makeWorld();
    const auth = await w.phone();
    const id = await addUri(auth, { type: 'totp', secret: SECRET, issuer: 'Acme', account: 'alice', period: 30 });
    w.clock.set(w.clock() + 12_000);
    const r = auth.codes();
    if (!r.ok) throw new Error('locked');
    const key = createOtpKey({ secret: SECRET });
    expect(r.codes).toEqual([
      { id, type: 'totp', code: totp({ secret: key, now: w.clock }), next: totp({ secret: key, now: () => w.clock() + 30_000 }), secondsLeft: 18, fraction: 0.4, period: 30 },
    ]);
    expect(r.clock).toEqual({ offsetMs: 0, source: 'none', learnedAt: null, skewed: false });
    await w.close();
  });

  it('HOTP: the counter is persisted before the code is shown (a restart never shows a code twice)', async () => {
    const w = makeWorld();
    const store = createMemorySecureStore();
    const auth = await w.phone({ store });
    const id = await addUri(auth, { type: 'hotp', secret: SECRET, issuer: 'Acme', account: 'bob', counter: 7 });
    expect(auth.codes()).toEqual({ ok: true, codes: [{ id, type: 'hotp', code: null, counter: 7 }], clock: auth.clock() });
    const first = await auth.nextHotpCode(id);
    expect(first).toEqual({ ok: true, code: hotp({ secret: createOtpKey({ secret: SECRET }), counter: 7 }), counter: 7 });
    // The same store, a new process: the counter moved on.
    const restarted = await w.phone({ store });
    expect(restarted.codes()).toMatchObject({ ok: true, codes: [{ type: 'hotp', code: first.ok ? first.code : '', counter: 8 }] });
    expect(await restarted.nextHotpCode(id)).toEqual({ ok: true, code: hotp({ secret: createOtpKey({ secret: SECRET }), counter: 8 }), counter: 8 });
    await w.close();
  });

  it('rename, reorder, remove (offline removal still works), and the events a UI hook needs', async () => {
    const w = makeWorld({ app: { pinRequired: false } });
    const auth = await w.phone();
    const events: AuthenticatorEvent['type'][] = [];
    const stop = auth.subscribe((e) => events.push(e.type));
    const a = await addUri(auth, { type: 'totp', secret: SECRET, issuer: 'A', account: 'a' });
    const online = await activate(w, auth, 'alice');
    const online2 = await activate(w, auth, 'bob');
    expect(auth.list().map((i) => i.id)).toEqual([a, online, online2]);
    expect(await auth.rename({ id: a, name: ' Personal ' })).toEqual({ ok: true });
    expect(await auth.rename({ id: a, name: '\u0007' })).toEqual({ ok: false, reason: 'invalid-characters' });
    expect(auth.get(a)?.name).toBe('Personal');
    expect(await auth.reorder([online2, a, online])).toEqual({ ok: true });
    expect(auth.list().map((i) => i.id)).toEqual([online2, a, online]);
    await expect(auth.reorder([a])).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });

    // Online removal tells the server (revoked, audited); offline removal still removes.
    const enrolment = auth.get(online)?.push?.enrolmentId as string;
    expect(await auth.remove(online)).toEqual({ ok: true, serverUnregistered: true });
    expect((await w.mfa.getEnrolment(enrolment))?.status).toBe('revoked');
    w.drop('/v1/devices/unregister', 1);
    expect(await auth.remove(online2)).toEqual({ ok: true, serverUnregistered: false });
    expect(await auth.remove(a)).toEqual({ ok: true, serverUnregistered: null });
    expect(auth.list()).toEqual([]);
    await expect(auth.remove(a)).rejects.toMatchObject({ code: 'ERR_CLIENT_NOT_FOUND' });
    expect(events).toContain('identities');
    stop();
    const before = events.length;
    await addUri(auth, { type: 'totp', secret: SECRET, issuer: 'B', account: 'b' });
    expect(events.length).toBe(before);
    await w.close();
  });

  it('a PIN-requiring identity: the PIN cannot be removed; locked means no codes; the identity list survives a restart', async () => {
    const w = makeWorld();
    const store = createMemorySecureStore();
    const auth = await w.phone({ store });
    const id = await activate(w, auth, 'alice', '135790');
    expect(auth.status()).toMatchObject({ state: 'unlocked', hasPin: true });
    expect(await auth.removePin()).toEqual({ ok: false, reason: 'pin-required-by-policy' });
    expect(await auth.changePin({ pin: '1357', confirmation: '1357' })).toEqual({ ok: false, reason: 'too-short' });
    expect(await auth.changePin({ pin: '97531086', confirmation: '97531086' })).toEqual({ ok: true });
    auth.lock();
    expect(auth.codes()).toEqual({ ok: false, reason: 'locked' });
    expect(await auth.rename({ id, name: 'x' })).toEqual({ ok: false, reason: 'locked' });
    // A damaged index (it is only a mirror) does not stop the app: the vault rebuilds it on unlock.
    await store.set('cloudmfa.index', new Uint8Array([1, 2, 3]));
    const damaged = await w.phone({ store });
    expect(damaged.list()).toEqual([]);
    expect(await damaged.unlock('97531086')).toEqual({ ok: true });
    expect(damaged.list().map((i) => i.id)).toEqual([id]);
    damaged.lock();
    const restarted = await w.phone({ store });
    expect(restarted.status().state).toBe('locked');
    expect(restarted.list().map((i) => [i.id, i.account])).toEqual([[id, 'alice@acme.example']]);
    expect(await restarted.unlock('135790')).toMatchObject({ ok: false, reason: 'wrong-pin' });
    expect(await restarted.unlock('97531086')).toEqual({ ok: true });
    expect(restarted.codes().ok).toBe(true);
    await w.close();
  });

  it('biometrics off without removing the PIN: disableBiometrics keeps the PIN slot, the biometric unlock is gone', async () => {
    const w = makeWorld();
    const biometrics = fakeBiometrics();
    const auth = await w.phone({ biometrics });
    await addUri(auth, { type: 'totp', secret: SECRET, account: 'bio@example.com' });
    expect(await auth.setPin({ pin: '135790', confirmation: '135790' })).toEqual({ ok: true });
    expect(await auth.enableBiometrics()).toEqual({ ok: true });
    expect(auth.status()).toMatchObject({ hasPin: true, hasBiometrics: true });
    const events: string[] = [];
    auth.subscribe((e) => events.push(e.type));
    expect(await auth.disableBiometrics()).toEqual({ ok: true });
    expect(events).toEqual(['lock']);
    expect(auth.status()).toMatchObject({ state: 'unlocked', hasPin: true, hasBiometrics: false });
    expect(biometrics.key).toBeNull();
    // Turning it off twice is not an error.
    expect(await auth.disableBiometrics()).toEqual({ ok: true });
    auth.lock();
    expect(await auth.disableBiometrics()).toEqual({ ok: false, reason: 'locked' });
    await expect(auth.unlockWithBiometrics()).rejects.toMatchObject({ code: 'ERR_VAULT_STATE' });
    expect(await auth.unlock('135790')).toEqual({ ok: true });
    expect(auth.codes().ok).toBe(true);
    await w.close();
  });

  it('wrong PINs up to the wipe limit: the vault, the identity list and the device keys are gone', async () => {
    const w = makeWorld();
    const store = createMemorySecureStore();
    const auth = await w.phone({ store, vault: { maxPinAttempts: 3 } });
    const id = await activate(w, auth, 'alice', '135790');
    const handle = `device.${id}`;
    expect(await store.get(`cloudmfa.devicekey.${handle}`)).not.toBeNull();
    auth.lock();
    expect(await auth.unlock('000000')).toMatchObject({ ok: false, reason: 'wrong-pin', attemptsLeft: 2 });
    expect(await auth.unlock('000001')).toMatchObject({ ok: false, reason: 'wrong-pin', attemptsLeft: 1 });
    expect(await auth.unlock('000002')).toEqual({ ok: false, reason: 'wiped' });
    expect(auth.list()).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(await store.get(`cloudmfa.devicekey.${handle}`)).toBeNull();
    const restarted = await w.phone({ store });
    expect(restarted.list()).toEqual([]);
    await w.close();
  });

  it('backup: an online identity exports its TOTP seed when the organisation allows it, never its device or push key', async () => {
    const w = makeWorld({ app: { pinRequired: false }, activation: { seedExportAllowed: true } });
    const store = createMemorySecureStore();
    const auth = await w.phone({ store });
    const online = await activate(w, auth, 'bob');
    expect(auth.get(online)?.policy).toEqual({ pinRequired: false, minPinLength: 6, biometricsAllowed: true, seedExportAllowed: true });
    const handle = `device.${online}`;
    const devicePrivateKey = await store.get(`cloudmfa.devicekey.${handle}`);
    if (!devicePrivateKey) throw new Error('no device key');
    const exported = await auth.exportBackup('correct horse battery staple');
    if (!exported.ok) throw new Error(exported.reason);
    expect(exported).toMatchObject({ exported: 1, skipped: [] });
    // What the file holds: the seed and the policy, no push binding, no device key.
    const contents = utf8Decode(await importBackupFile({ file: exported.file, password: 'correct horse battery staple' }));
    const held = JSON.parse(contents) as { identities: { push: unknown; seed: string; policy: unknown }[] };
    expect(held.identities).toHaveLength(1);
    expect(held.identities[0]).toMatchObject({ push: null, policy: { seedExportAllowed: true } });
    expect(contents).not.toContain(handle);
    expect(contents).not.toContain(encodeBase64Url(devicePrivateKey));
    // Restored elsewhere: codes, not push (the new phone has no device key for that enrolment).
    const other = await w.phone({ name: 'other' });
    const imported = await other.importBackup({ file: exported.file, password: 'correct horse battery staple' });
    expect(imported).toMatchObject({ ok: true, skipped: 0 });
    expect(other.list().map((i) => [i.account, i.source, i.push])).toEqual([['bob@acme.example', 'backup', null]]);
    const a = other.codes();
    const b = auth.codes();
    if (!a.ok || !b.ok) throw new Error('locked');
    expect(a.codes[0]).toMatchObject({ code: (b.codes[0] as { code: string }).code });
    await w.close();
  });

  it('backup: exports what can move (never device-bound identities), imports it, Aegis and migration batches', async () => {
    const w = makeWorld({ app: { pinRequired: false } });
    const auth = await w.phone();
    await addUri(auth, { type: 'totp', secret: SECRET, issuer: 'Acme', account: 'alice' });
    const online = await activate(w, auth, 'bob');
    expect(await auth.exportBackup('short')).toEqual({ ok: false, reason: 'password-too-short' });
    const exported = await auth.exportBackup('correct horse battery staple');
    if (!exported.ok) throw new Error(exported.reason);
    expect(exported).toMatchObject({ exported: 1, skipped: [{ id: online, reason: 'device-bound' }] });
    // The organisation did not allow seed export (the default): the online identity says so.
    expect(auth.get(online)?.policy.seedExportAllowed).toBe(false);
    const other = await w.phone({ name: 'other' });
    expect(await other.importBackup({ file: exported.file, password: 'wrong horse battery staple' })).toEqual({ ok: false, reason: 'wrong-password' });
    const flipped = exported.file.slice();
    flipped[flipped.length - 5] = (flipped[flipped.length - 5] as number) ^ 1;
    expect(await other.importBackup({ file: flipped, password: 'correct horse battery staple' })).toMatchObject({ ok: false });
    const imported = await other.importBackup({ file: exported.file, password: 'correct horse battery staple' });
    expect(imported).toMatchObject({ ok: true, skipped: 0 });
    expect(other.list().map((i) => [i.issuer, i.account, i.source, i.push])).toEqual([['Acme', 'alice', 'backup', null]]);
    const a = other.codes();
    const b = auth.codes();
    if (!a.ok || !b.ok) throw new Error('locked');
    expect(a.codes[0]).toMatchObject({ code: (b.codes[0] as { code: string }).code });
    expect(await other.importBackup({ file: 'not a backup' })).toEqual({ ok: false, reason: 'unsupported' });

    // Aegis (the encrypted sample in Aegis' format): 6 entries, Steam skipped; Google Authenticator migration.
    const aegis = readFileSync(new URL('./vectors/aegis-format/encrypted.json', import.meta.url), 'utf8');
    // Opt-in: without the `aegis` option (importAegis from @cloudmfa/client/aegis) Aegis is refused.
    expect(await other.importBackup({ file: aegis, password: 'test' })).toEqual({ ok: false, reason: 'aegis-not-enabled' });
    await expect(w.phone({ name: 'bad', aegis: 'yes' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    const third = await w.phone({ name: 'third', aegis: importAegis });
    expect(await third.importBackup({ file: aegis })).toEqual({ ok: false, reason: 'password-required' });
    expect(await third.importBackup({ file: aegis, password: 'tset' })).toEqual({ ok: false, reason: 'wrong-password' });
    const fromAegis = await third.importBackup({ file: aegis, password: 'test' });
    expect(fromAegis).toMatchObject({ ok: true, skipped: 1 });
    expect(third.list().map((i) => [i.issuer, i.otp.type, i.source])).toEqual([
      ['Northwind', 'totp', 'aegis'],
      ['Contoso', 'totp', 'aegis'],
      ['Fabrikam', 'totp', 'aegis'],
      ['Tailspin', 'hotp', 'aegis'],
      ['Woodgrove', 'hotp', 'aegis'],
      ['Litware', 'hotp', 'aegis'],
    ]);
    const parts = exportMigration({ accounts: [{ type: 'totp', secret: SECRET, issuer: 'GA', account: 'g1' }, { type: 'totp', secret: SECRET, issuer: 'GA', account: 'g2' }], maxPerUri: 1, batchId: 3 });
    expect(await third.importBackup({ file: [parts[0] as string] })).toEqual({ ok: false, reason: 'migration-incomplete' });
    expect(await third.importBackup({ file: parts })).toMatchObject({ ok: true, skipped: 0 });
    expect(third.list().slice(-2).map((i) => [i.account, i.source])).toEqual([['g1', 'migration'], ['g2', 'migration']]);
    await w.close();
  });
});
