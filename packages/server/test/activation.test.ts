import { openEnvelope, readEnvelopeHeader } from '@cloudmfa/activation';
import { renderQrPng, renderQrSvg } from '@cloudmfa/activation/qr';
import { decodeBase32, decodeBase64Url } from '@cloudmfa/core';
import { parseOtpauthUri } from '@cloudmfa/otp';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { activateOnline, auditKinds, codeAt, hotpCode, makeDevice, makeServer, ORIGIN, prepareRedemption, testCrypto } from './helpers.js';

/** Changes the first base64url character (the value stays well-formed). */
const flipFirst = (s: string): string => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);

describe('online activation', () => {
  it('issues an envelope without seed, redeems it once and the seed verifies codes', async () => {
    const t = makeServer();
    const a = await t.server.startActivation({ userId: 'alice', account: 'alice@acme.example' });
    expect(a.mode).toBe('online');
    expect(a.text.startsWith('CMFA:')).toBe(true);
    expect(a.password).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(a.uri).toBeNull();
    expect(a.qr.svg.startsWith('<svg')).toBe(true);
    const png = PNG.sync.read(Buffer.from(a.qr.png));
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(a.text);
    expect(a.expiresAt).toBe(t.clock() + 300_000);
    expect(readEnvelopeHeader({ text: a.text }).expiresAt).toBe(a.expiresAt);
    // The envelope carries no seed: the online payload is an activation id and secret only.
    const opened = await openEnvelope({ text: a.text, password: a.password as string, now: t.clock, crypto: testCrypto });
    expect(opened.payload.mode).toBe('online');
    expect(opened.payload).not.toHaveProperty('secret');
    expect(opened.preview).toMatchObject({ issuer: 'Acme Corporation', origin: ORIGIN });

    const device = makeDevice('a');
    const { request, state } = await prepareRedemption(t, a, device);
    const r = await t.server.completeActivation({ request });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.retried).toBe(false);
    expect(r.enrolmentId).toBe(a.enrolmentId);
    const { openRedemptionResponse } = await import('@cloudmfa/activation');
    const identity = await openRedemptionResponse({ response: r.response, state, crypto: testCrypto });
    expect(identity.account).toBe('alice@acme.example');
    expect(identity.enrolmentId).toBe(a.enrolmentId);
    expect(Array.from(identity.pushKey.publicKey)).toEqual(Array.from(t.pushSigner.publicKey));

    const view = await t.server.getEnrolment(a.enrolmentId);
    expect(view).toMatchObject({ status: 'active', mode: 'online', account: 'alice@acme.example', keyId: 'k1' });
    expect(view?.device).toMatchObject({ platform: 'ios', push: true });

    const v = await t.server.verifyOtp({ userId: 'alice', code: codeAt(t, identity.seed) });
    expect(v).toMatchObject({ ok: true, enrolmentId: a.enrolmentId, method: 'totp', delta: 0, activated: false });
    expect(await auditKinds(t)).toEqual(['enrolment.issued', 'enrolment.redeemed', 'otp.accepted']);
  });

  it('answers a retried identical request with the stored response, and a second device is an incident', async () => {
    const t = makeServer();
    const a = await t.server.startActivation({ userId: 'alice' });
    const first = await prepareRedemption(t, a, makeDevice('a'));
    const r1 = await t.server.completeActivation({ request: first.request });
    expect(r1.ok).toBe(true);
    // The same request again (lost response): the same bytes back.
    const r2 = await t.server.completeActivation({ request: JSON.parse(JSON.stringify(first.request)) });
    expect(r2).toMatchObject({ ok: true, retried: true });
    if (r1.ok && r2.ok) expect(r2.response).toEqual(r1.response);

    // Another device with the same QR and password: refused, audited, risk event.
    const second = await prepareRedemption(t, a, makeDevice('b'));
    const r3 = await t.server.completeActivation({ request: second.request });
    // Answered like a bad MAC (the secret is gone: no MAC can be checked), still an incident.
    expect(r3).toEqual({ ok: false, reason: 'invalid', retryAfterMs: null });
    const incident = t.events.find((e) => e.kind === 'enrolment.double_redemption');
    expect(incident?.risk).toBe(true);
    expect(incident?.detail.firstDevice).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(incident?.detail.secondDevice).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(incident?.detail.firstDevice).not.toBe(incident?.detail.secondDevice);
  });

  it('refuses a late redemption with its own code and audits it (lifetime, time travel)', async () => {
    const t = makeServer();
    const a = await t.server.startActivation({ userId: 'alice' });
    const { request } = await prepareRedemption(t, a, makeDevice('a'));
    t.clock.set(a.expiresAt + 1);
    const r = await t.server.completeActivation({ request });
    expect(r).toMatchObject({ ok: false, reason: 'expired' });
    expect(await auditKinds(t)).toEqual(['enrolment.issued', 'enrolment.redeem_refused']);
    expect(t.events.at(-1)?.detail).toEqual({ reason: 'expired' });
    expect((await t.server.getEnrolment(a.enrolmentId))?.expired).toBe(true);
  });

  it('redeems one millisecond before expiry and not at it', async () => {
    const t = makeServer();
    const a = await t.server.startActivation({ userId: 'alice' });
    const early = await prepareRedemption(t, a, makeDevice('a'));
    t.clock.set(a.expiresAt - 1);
    expect((await t.server.completeActivation({ request: early.request })).ok).toBe(true);

    const b = await t.server.startActivation({ userId: 'bob' });
    const late = await prepareRedemption(t, b, makeDevice('b'));
    t.clock.set(b.expiresAt);
    expect(await t.server.completeActivation({ request: late.request })).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('answers an unknown activation id exactly like a bad MAC', async () => {
    const t = makeServer();
    const a = await t.server.startActivation({ userId: 'alice' });
    const { request } = await prepareRedemption(t, a, makeDevice('a'));
    const unknown = await t.server.completeActivation({ request: { ...request, activationId: 'AAAAAAAAAAAAAAAAAAAAAA' } });
    const badMac = await t.server.completeActivation({ request: { ...request, mac: flipFirst(request.mac) } });
    expect(unknown).toEqual(badMac);
    expect(unknown).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('revokes the activation after 5 bad proofs and raises a risk event', async () => {
    const t = makeServer();
    const a = await t.server.startActivation({ userId: 'alice' });
    const { request } = await prepareRedemption(t, a, makeDevice('a'));
    // Bad MACs prove nothing (anyone who knows the id can send them): never counted.
    const badMac = { ...request, mac: flipFirst(request.mac) };
    for (let i = 0; i < 10; i++) expect(await t.server.completeActivation({ request: badMac })).toMatchObject({ ok: false, reason: 'invalid' });
    expect((await t.server.getEnrolment(a.enrolmentId))?.status).toBe('pending');
    // A bad signature under a valid MAC proves knowledge of the secret: counted, 5 revoke.
    const badSignature = { ...request, signature: flipFirst(request.signature) };
    for (let i = 0; i < 4; i++) await t.server.completeActivation({ request: badSignature });
    expect((await t.server.getEnrolment(a.enrolmentId))?.status).toBe('pending');
    await t.server.completeActivation({ request: badSignature });
    expect((await t.server.getEnrolment(a.enrolmentId))?.status).toBe('revoked');
    const revoked = t.events.find((e) => e.kind === 'enrolment.revoked');
    expect(revoked).toMatchObject({ risk: true, detail: { reason: 'redemption_failures', failures: 5 } });
    // Even the genuine request is now refused, answered like a bad MAC.
    expect(await t.server.completeActivation({ request: request })).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('answers stale device clocks before the lookup, the same for known and unknown ids', async () => {
    const t = makeServer();
    const a = await t.server.startActivation({ userId: 'alice' });
    const { request } = await prepareRedemption(t, a, makeDevice('a'));
    const stale = { ...request, createdAt: request.createdAt - 601 };
    expect(await t.server.completeActivation({ request: stale })).toMatchObject({ ok: false, reason: 'stale' });
    expect(await t.server.completeActivation({ request: { ...stale, activationId: 'AAAAAAAAAAAAAAAAAAAAAA' } })).toMatchObject({ ok: false, reason: 'stale' });
  });

  it('throttles redemption attempts per client address', async () => {
    const t = makeServer({ policy: { activation: { ipThrottle: { freeFailures: 2, baseDelayMs: 10_000, maxDelayMs: 10_000, lockoutFailures: 5, lockoutMs: 60_000 } } } });
    const junk = { version: 1 };
    expect(await t.server.completeActivation({ request: junk, clientIp: '203.0.113.9' })).toMatchObject({ reason: 'malformed' });
    expect(await t.server.completeActivation({ request: junk, clientIp: '203.0.113.9' })).toMatchObject({ reason: 'malformed' });
    expect(await t.server.completeActivation({ request: junk, clientIp: '203.0.113.9' })).toMatchObject({ reason: 'malformed' });
    expect(await t.server.completeActivation({ request: junk, clientIp: '203.0.113.9' })).toEqual({
      ok: false,
      reason: 'throttled',
      retryAfterMs: 10_000,
    });
    // Another address is not affected.
    expect(await t.server.completeActivation({ request: junk, clientIp: '198.51.100.1' })).toMatchObject({ reason: 'malformed' });
    t.clock.advance(10_000);
    expect(await t.server.completeActivation({ request: junk, clientIp: '203.0.113.9' })).toMatchObject({ reason: 'malformed' });
  });

  it('re-issues a lost activation: the old one is revoked and a new one works', async () => {
    const t = makeServer();
    const a = await t.server.startActivation({ userId: 'alice', account: 'alice@acme.example' });
    const oldRequest = await prepareRedemption(t, a, makeDevice('a'));
    const r = await t.server.reissueActivation({ enrolmentId: a.enrolmentId });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.revoked).toBe(true);
    expect(r.activation.enrolmentId).not.toBe(a.enrolmentId);
    expect(await t.server.completeActivation({ request: oldRequest.request })).toMatchObject({ ok: false, reason: 'invalid' });
    const fresh = await prepareRedemption(t, r.activation, makeDevice('a'));
    expect((await t.server.completeActivation({ request: fresh.request })).ok).toBe(true);
    // Both were created at the same instant: the list orders them by (random) id, so compare by id.
    const statuses = Object.fromEntries((await t.server.listEnrolments('alice')).map((e) => [e.id, e.status]));
    expect(statuses).toEqual({ [a.enrolmentId]: 'revoked', [r.activation.enrolmentId]: 'active' });
    expect(t.events.find((e) => e.kind === 'enrolment.revoked')?.detail).toEqual({ reason: 'reissued' });
  });

  it('a re-issue that cannot be issued leaves the old enrolment as it was', async () => {
    const t = makeServer();
    const a = await t.server.startActivation({ userId: 'alice', mode: 'otpauth', account: 'alice@acme.example', otp: { type: 'hotp' } });
    // Online activation carries TOTP only: the override is refused by startActivation itself.
    const err = await t.server.reissueActivation({ enrolmentId: a.enrolmentId, mode: 'online' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'CloudMfaError' });
    expect((await t.server.listEnrolments('alice')).map((e) => e.status)).toEqual(['pending']);
  });
});

describe('offline and otpauth activation', () => {
  it('otpauth: a Google Authenticator URI and QR; the first code activates the enrolment', async () => {
    const t = makeServer();
    const a = await t.server.startActivation({ userId: 'bob', mode: 'otpauth', account: 'bob@acme.example' });
    expect(a.password).toBeNull();
    expect(a.uri).toBe(a.text);
    const parsed = parseOtpauthUri({ uri: a.uri as string });
    expect(parsed).toMatchObject({ type: 'totp', issuer: 'Acme Corporation', account: 'bob@acme.example', digits: 6, period: 30 });
    // Drawn by the activation package's renderers in 'auto' mode (no QR code of our own), and
    // the PNG decodes with a real QR reader to the exact URI.
    expect(a.qr.svg).toBe(renderQrSvg({ text: a.uri as string, mode: 'auto' }));
    expect(a.qr.png).toEqual(renderQrPng({ text: a.uri as string, mode: 'auto', scale: 6 }));
    const png = PNG.sync.read(Buffer.from(a.qr.png));
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(a.uri);
    expect((await t.server.getEnrolment(a.enrolmentId))?.status).toBe('pending');
    const v = await t.server.verifyOtp({ enrolmentId: a.enrolmentId, code: codeAt(t, parsed.secret) });
    expect(v).toMatchObject({ ok: true, activated: true });
    expect((await t.server.getEnrolment(a.enrolmentId))?.status).toBe('active');
    expect(await auditKinds(t)).toEqual(['enrolment.issued', 'enrolment.redeemed', 'otp.accepted']);
  });

  it('otpauth: a pending enrolment past its lifetime is not activated by a correct code', async () => {
    const t = makeServer();
    const a = await t.server.startActivation({ userId: 'bob', mode: 'otpauth' });
    const seed = parseOtpauthUri({ uri: a.uri as string }).secret;
    t.clock.set(a.expiresAt);
    expect(await t.server.verifyOtp({ enrolmentId: a.enrolmentId, code: codeAt(t, seed) })).toEqual({
      ok: false,
      reason: 'not_active',
      enrolmentId: a.enrolmentId,
      status: 'expired',
    });
  });

  it('offline HOTP: the envelope carries the seed; codes advance the counter; resync works', async () => {
    const t = makeServer();
    const a = await t.server.startActivation({ userId: 'carol', mode: 'offline', otp: { type: 'hotp', counter: 5 } });
    const opened = await openEnvelope({ text: a.text, password: a.password as string, now: t.clock, crypto: testCrypto });
    if (opened.payload.mode !== 'offline') throw new Error('expected offline');
    expect(opened.payload.otp).toEqual({ type: 'hotp', algorithm: 'SHA1', digits: 6, counter: 5 });
    const seed = decodeBase32(opened.payload.secret);
    expect(await t.server.verifyOtp({ enrolmentId: a.enrolmentId, code: hotpCode(seed, 5) })).toMatchObject({ ok: true, method: 'hotp', step: 5, delta: 0, activated: true });
    expect(await t.server.verifyOtp({ enrolmentId: a.enrolmentId, code: hotpCode(seed, 5) })).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await t.server.verifyOtp({ enrolmentId: a.enrolmentId, code: hotpCode(seed, 8) })).toMatchObject({ ok: true, step: 8, delta: 2 });
    // Drifted beyond the look-ahead (10): two consecutive codes resynchronise.
    expect(await t.server.verifyOtp({ enrolmentId: a.enrolmentId, code: hotpCode(seed, 60) })).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await t.server.resyncHotp({ enrolmentId: a.enrolmentId, codes: [hotpCode(seed, 60), hotpCode(seed, 61)] })).toMatchObject({ ok: true, step: 61 });
    expect(await t.server.verifyOtp({ enrolmentId: a.enrolmentId, code: hotpCode(seed, 61) })).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await t.server.verifyOtp({ enrolmentId: a.enrolmentId, code: hotpCode(seed, 62) })).toMatchObject({ ok: true, step: 62 });
    expect(await auditKinds(t)).toContain('otp.resynced');
  });

  it('refuses online HOTP and online without origin as misuse', async () => {
    const t = makeServer();
    await expect(t.server.startActivation({ userId: 'x', otp: { type: 'hotp' } })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(t.server.startActivation({ userId: '' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(t.server.startActivation({ userId: 'x', mode: 'bogus' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    // Labels the app would refuse at redemption are refused at issue time (never a 500 later).
    await expect(t.server.startActivation({ userId: 'x', account: 'evil\u202Emoc.elpmaxe' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(t.server.startActivation({ userId: 'x', account: 'a'.repeat(129) })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(t.server.startActivation({ userId: '\u00e9'.repeat(65) })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect((await t.server.startActivation({ userId: '\u00e9'.repeat(64), mode: 'otpauth' })).mode).toBe('otpauth');
  });

  it('activateOnline helper sanity: the identity seed is 20 bytes', async () => {
    const t = makeServer();
    const { identity } = await activateOnline(t, makeDevice('z'));
    expect(identity.seed.length).toBe(20);
    expect(decodeBase64Url(identity.enrolmentId).length).toBe(16);
  });
});
