// Organisations through the facade (docs/server.md, "Organisations"): each organisation's issuer,
// policy and keys, isolation of its enrolments, challenges and audit, audited changes, and a
// policy change that applies to new enrolments and the checks it governs only.
import { createSoftwareSigner, isCloudMfaError } from '@cloudmfa/core';
import { describe, expect, it } from 'vitest';
import type { MfaOrganisationServer, MfaServer, MfaServerKeys } from '../src/index.js';
import { activateOnline, codeAt, FAST_KDF, makeDevice, makeServer, seededRandom, type TestServer } from './helpers.js';

const orgKeys = (id: string): MfaServerKeys => ({
  kek: { current: `${id}-1`, keys: { [`${id}-1`]: new Uint8Array(32).fill(id.charCodeAt(0)) } },
  push: createSoftwareSigner({ algorithm: 'ES256', random: seededRandom(`push-${id}`) }),
});

/** A server with organisations `acme` and `globex` (plus the default one). */
async function twoOrgs(): Promise<{ t: TestServer; acme: TestServer; globex: TestServer }> {
  const t = makeServer({ organisationKeys: orgKeys });
  const policy = { activation: { kdf: FAST_KDF } };
  await t.server.createOrganisation({ organisationId: 'acme', issuer: 'ACME', origin: 'https://acme.mfa.example', policy });
  await t.server.createOrganisation({ organisationId: 'globex', issuer: 'Globex', origin: 'https://globex.mfa.example', policy });
  const scoped = async (id: string) => ({ ...t, server: (await t.server.forOrganisation(id)) as MfaServer });
  return { t, acme: await scoped('acme'), globex: await scoped('globex') };
}

const codeOf = async (run: () => Promise<unknown>): Promise<string> => {
  try {
    await run();
  } catch (e) {
    return isCloudMfaError(e) ? e.code : String(e);
  }
  return 'resolved';
};

describe('organisations', () => {
  it('each organisation issues under its own issuer, origin and push key', async () => {
    const { acme, globex } = await twoOrgs();
    const a = await activateOnline(acme, makeDevice('a'));
    const g = await activateOnline(globex, makeDevice('g'));
    expect(a.identity.issuer).toBe('ACME');
    expect(g.identity.issuer).toBe('Globex');
    expect(Buffer.from(a.identity.pushKey.publicKey)).toEqual(Buffer.from(orgKeys('acme').push.publicKey));
    expect(Buffer.from(g.identity.pushKey.publicKey)).toEqual(Buffer.from(orgKeys('globex').push.publicKey));
    expect(acme.server.organisationId).toBe('acme');
  });

  it('the same user id in two organisations: nothing of one is seen or changed from the other', async () => {
    const { t, acme, globex } = await twoOrgs();
    const { identity } = await activateOnline(acme, makeDevice('a'), { userId: 'alice' });
    const id = identity.enrolmentId;
    const code = codeAt(acme, identity.seed);
    // Globex (and the default organisation) do not know ACME's enrolment, by id or by user.
    for (const other of [globex.server, t.server] as MfaOrganisationServer[]) {
      expect(await other.getEnrolment(id)).toBeNull();
      expect(await other.listEnrolments('alice')).toEqual([]);
      expect(await other.verifyOtp({ enrolmentId: id, code })).toMatchObject({ ok: false, reason: 'not_found' });
      expect(await other.verifyOtp({ userId: 'alice', code })).toMatchObject({ ok: false });
      expect(await other.revokeEnrolment({ enrolmentId: id })).toEqual({ ok: false, reason: 'not_found' });
      expect(await other.unlockOtp(id)).toEqual({ ok: false, reason: 'not_found' });
      expect((await other.queryAudit({ enrolmentId: id })).events).toEqual([]);
    }
    // The code was not consumed by any of those attempts: ACME accepts it once.
    expect(await acme.server.verifyOtp({ enrolmentId: id, code })).toMatchObject({ ok: true });
    expect((await acme.server.getEnrolment(id))?.status).toBe('active');
    const kinds = (await acme.server.queryAudit({ limit: 100 })).events.map((e) => e.kind);
    expect(kinds).toContain('otp.accepted');
    expect((await globex.server.queryAudit({ limit: 100 })).events.map((e) => e.kind)).toEqual(['organisation.created']);
  });

  it('a policy change applies to new enrolments and the checks it governs, keeps existing enrolments, and is audited', async () => {
    const { t, acme } = await twoOrgs();
    const old = await activateOnline(acme, makeDevice('a'));
    const updated = await t.server.updateOrganisation({
      organisationId: 'acme',
      policy: { activation: { kdf: FAST_KDF }, otp: { digits: 8 }, throttle: { freeFailures: 0, lockoutFailures: 2 } },
    });
    expect(updated.policy.otp.digits).toBe(8);
    expect(updated.version).toBe(2);
    const next = { ...acme, server: (await t.server.forOrganisation('acme')) as MfaServer };
    expect(next.server.policy.otp.digits).toBe(8);
    // The existing enrolment keeps its 6 digits; a new one gets 8.
    expect((await next.server.getEnrolment(old.identity.enrolmentId))?.otp).toMatchObject({ digits: 6 });
    const fresh = await activateOnline(next, makeDevice('b'), { userId: 'bob' });
    expect((await next.server.getEnrolment(fresh.identity.enrolmentId))?.otp).toMatchObject({ digits: 8 });
    expect(await next.server.verifyOtp({ enrolmentId: old.identity.enrolmentId, code: codeAt(next, old.identity.seed) })).toMatchObject({ ok: true });
    // The new throttle governs: two wrong codes lock.
    await next.server.verifyOtp({ enrolmentId: fresh.identity.enrolmentId, code: '00000000' });
    expect(await next.server.verifyOtp({ enrolmentId: fresh.identity.enrolmentId, code: '00000001' })).toMatchObject({ ok: false, reason: 'locked' });
    const audit = (await next.server.queryAudit({ limit: 100 })).events.find((e) => e.kind === 'organisation.updated');
    expect(audit?.detail).toEqual({
      version: 2,
      changes: {
        'policy.otp.digits': { from: 6, to: 8 },
        'policy.throttle.freeFailures': { from: 3, to: 0 },
        'policy.throttle.lockoutFailures': { from: 10, to: 2 },
      },
    });
  });

  it('number matching follows the organisation policy on new pushes, from the next call on', async () => {
    const { t, acme } = await twoOrgs();
    await activateOnline(acme, makeDevice('a'));
    const before = await acme.server.createPushChallenge({ userId: 'alice', context: { service: 'VPN' } });
    expect(before.ok && before.number).toMatch(/^[0-9]{2}$/);
    await t.server.updateOrganisation({ organisationId: 'acme', policy: { activation: { kdf: FAST_KDF }, push: { numberMatch: false } } });
    // The scope taken before the change keeps its policy; the next forOrganisation has the new one.
    const after = await (await t.server.forOrganisation('acme')).createPushChallenge({ userId: 'alice', context: { service: 'VPN' } });
    expect(after).toMatchObject({ ok: true, number: null });
    // Globex's policy did not move.
    const globex = await t.server.forOrganisation('globex');
    expect(globex.policy.push.numberMatch).toBe(true);
  });

  it('create, get, list (paged) and the typed refusals', async () => {
    const { t } = await twoOrgs();
    expect(await codeOf(() => t.server.createOrganisation({ organisationId: 'acme', issuer: 'Again' }))).toBe('ERR_ORGANISATION_CONFLICT');
    expect(await codeOf(() => t.server.createOrganisation({ organisationId: 'default', issuer: 'X' }))).toBe('ERR_ORGANISATION_CONFLICT');
    expect(await codeOf(() => t.server.createOrganisation({ organisationId: 'Bad Id', issuer: 'X' }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(() => t.server.createOrganisation({ organisationId: 'x', issuer: 'X', policy: { otp: { digits: 3 } } }))).toBe('ERR_SERVER_POLICY');
    expect(await codeOf(() => t.server.forOrganisation('nope'))).toBe('ERR_ORGANISATION_NOT_FOUND');
    expect(await codeOf(() => t.server.updateOrganisation({ organisationId: 'nope', issuer: 'X' }))).toBe('ERR_ORGANISATION_NOT_FOUND');
    expect(await codeOf(() => t.server.updateOrganisation({ organisationId: 'acme', issuer: 'X', expectedVersion: 7 }))).toBe('ERR_ORGANISATION_CONFLICT');
    expect((await t.server.getOrganisation({ organisationId: 'acme' }))?.issuer).toBe('ACME');
    expect(await t.server.getOrganisation({ organisationId: 'nope' })).toBeNull();
    await t.server.createOrganisation({ organisationId: 'initech', issuer: 'Initech' });
    const first = await t.server.listOrganisations({ limit: 2 });
    expect(first.organisations.map((o) => o.id)).toEqual(['acme', 'globex']);
    const second = await t.server.listOrganisations({ limit: 2, cursor: first.cursor! });
    expect(second.organisations.map((o) => o.id)).toEqual(['initech']);
    expect(second.cursor).toBeNull();
  });

  it('without organisationKeys only the default organisation serves', async () => {
    const t = makeServer();
    await t.server.createOrganisation({ organisationId: 'acme', issuer: 'ACME' });
    expect(await codeOf(() => t.server.forOrganisation('acme'))).toBe('ERR_SERVER_CONFIG');
    expect(await t.server.forOrganisation('default')).toBe(await t.server.forOrganisation('default'));
  });
});
