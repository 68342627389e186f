import {
  createRedemption,
  type OnlineActivationPayload,
  type OpenedEnvelope,
  openEnvelope,
  openRedemptionResponse,
  type RedemptionRequest,
  type RedemptionResponse,
} from '@cloudmfa/activation';
import {
  createActivationPayload,
  createRedemptionResponse,
  type VerifiedRedemption,
  sealEnvelope,
  verifyRedemption,
} from '@cloudmfa/activation/server';
import { CloudMfaError, createSoftwareSigner, decodeBase64Url, encodeBase64Url, isLowS, pureJsCryptoProvider, signerFromHost, utf8Decode, utf8Encode } from '@cloudmfa/core';
import { webCryptoProvider } from '@cloudmfa/core/providers';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { p256 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activationKeys, buildTranscript, ecdhX, responseAad, responseKey } from '../src/internal/transcript.js';
import { errorSurface, rejection, seededRandom, T0 } from './helpers.js';

const clock = () => T0 + 20_000;
const expiresAt = T0 + 300_000;

function setup(name = 'redeem') {
  const random = seededRandom(name);
  const activation = createActivationPayload({
    issuer: 'Acme Corporation',
    origin: 'https://mfa.example.com',
    policy: { pinRequired: true, minPinLength: 6, biometricsAllowed: true },
    random,
  });
  // The server's own record of the account (the online payload does not carry it).
  const account = 'jane.doe@example.com';
  const device = createSoftwareSigner({ algorithm: 'ES256', random });
  const push = createSoftwareSigner({ algorithm: 'ES256', random });
  const seed = random(20);
  return { random, activation, account, device, push, seed };
}

const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

async function redeemed(name = 'redeem') {
  const s = setup(name);
  const { request, state } = await createRedemption({
    payload: s.activation,
    deviceSigner: s.device,
    pushToken: 'fcm:APA91bH-token_1',
    platform: 'android',
    now: clock,
    random: s.random,
  });
  return { ...s, request: json(request), state };
}

async function verified(r: Awaited<ReturnType<typeof redeemed>>): Promise<VerifiedRedemption> {
  const result = await verifyRedemption({ request: r.request, activation: r.activation, expiresAt, now: clock });
  if (!result.ok) throw new Error(`expected valid, got ${result.reason}`);
  return result;
}

async function respond(
  r: Awaited<ReturnType<typeof redeemed>>,
  activation: OnlineActivationPayload = r.activation,
  account = r.account,
): Promise<RedemptionResponse> {
  return json(
    await createRedemptionResponse({
      verified: await verified(r),
      activation,
      account,
      seed: r.seed,
      pushKey: { algorithm: 'ES256', publicKey: r.push.publicKey },
      enrolmentId: 'enr_01HZX',
      random: r.random,
    }),
  );
}

describe('online redemption, end to end', () => {
  it('the app recovers the seed, the push key and the reviewed identity', async () => {
    const r = await redeemed();
    expect(Object.keys(r.request).sort()).toEqual(
      ['activationId', 'createdAt', 'devicePublicKey', 'ephemeralPublicKey', 'mac', 'platform', 'pushToken', 'signature', 'version'].sort(),
    );
    expect(r.request.createdAt).toBe((T0 + 20_000) / 1000);
    const v = await verified(r);
    expect(v.devicePublicKey).toEqual(r.device.publicKey);
    expect(v.pushToken).toBe('fcm:APA91bH-token_1');
    expect(v.platform).toBe('android');
    expect(decodeBase64Url(v.transcriptHash)).toHaveLength(32);
    const response = await respond(r);
    expect(JSON.stringify(response)).not.toContain(encodeBase64Url(r.seed));
    const identity = await openRedemptionResponse({ response, state: r.state });
    expect(identity).toEqual({
      seed: r.seed,
      otp: { type: 'totp', algorithm: 'SHA1', digits: 6, period: 30 },
      issuer: 'Acme Corporation',
      account: 'jane.doe@example.com',
      origin: 'https://mfa.example.com',
      policy: { pinRequired: true, minPinLength: 6, biometricsAllowed: true },
      enrolmentId: 'enr_01HZX',
      pushKey: { algorithm: 'ES256', publicKey: r.push.publicKey },
      seedExportAllowed: false,
    });
  });

  it('seed export: absent from the response unless allowed (then `seedExportAllowed: true`), read back by the app', async () => {
    const r = await redeemed();
    const v = await verified(r);
    const base = { verified: v, activation: r.activation, account: r.account, seed: r.seed, pushKey: { algorithm: 'ES256' as const, publicKey: r.push.publicKey }, enrolmentId: 'enr_01HZX' };
    // Not allowed (the default): the inner JSON has no such member, so earlier apps, whose
    // decoder refuses unknown members, read it as before.
    const plain = json(await createRedemptionResponse({ ...base, random: seededRandom('export default') }));
    expect(Object.keys(innerOf(r, v, plain)).sort()).toEqual(['account', 'enrolmentId', 'issuer', 'otp', 'pushKey', 'seed']);
    expect((await openRedemptionResponse({ response: plain, state: r.state })).seedExportAllowed).toBe(false);
    const refused = json(await createRedemptionResponse({ ...base, seedExportAllowed: false, random: seededRandom('export default') }));
    expect(refused).toEqual(plain);
    // Allowed: written as `true` inside the encrypted inner JSON (authenticated with the rest).
    const allowed = json(await createRedemptionResponse({ ...base, seedExportAllowed: true, random: seededRandom('export allowed') }));
    expect(innerOf(r, v, allowed).seedExportAllowed).toBe(true);
    const identity = await openRedemptionResponse({ response: allowed, state: r.state });
    expect(identity.seedExportAllowed).toBe(true);
    expect(identity.seed).toEqual(r.seed);
    await expect(createRedemptionResponse({ ...base, seedExportAllowed: 'yes' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('seed export: the app reads an explicit false, and refuses any other value as malformed', async () => {
    const r = await redeemed();
    const v = await verified(r);
    const explicit = await openRedemptionResponse({ response: handSealedResponse(r, v, r.account, { seedExportAllowed: false }), state: r.state });
    expect(explicit.seedExportAllowed).toBe(false);
    for (const bad of ['true', 1, null, {}]) {
      const err = await rejection(openRedemptionResponse({ response: handSealedResponse(r, v, r.account, { seedExportAllowed: bad }), state: r.state }));
      expect(err.code).toBe('ERR_REDEMPTION_MALFORMED');
    }
  });

  it('works with a hardware-style signer that returns DER, an EdDSA push key, no push token and WebCrypto verification', async () => {
    const s = setup('hardware');
    const secret = p256.utils.randomSecretKey(s.random(48));
    const hardware = signerFromHost({
      algorithm: 'ES256',
      publicKey: p256.getPublicKey(secret, false),
      sign: async (m) => p256.sign(m, secret, { prehash: true, lowS: false, format: 'der' }),
    });
    const { request, state } = await createRedemption({ payload: s.activation, deviceSigner: hardware, pushToken: null, platform: 'ios', now: clock, random: s.random });
    const result = await verifyRedemption({ request: json(request), activation: s.activation, expiresAt, now: clock, crypto: webCryptoProvider() });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.pushToken).toBeNull();
    const edPush = createSoftwareSigner({ algorithm: 'EdDSA', random: s.random });
    const response = await createRedemptionResponse({
      verified: result,
      activation: s.activation,
      account: s.account,
      seed: s.random(64),
      pushKey: { algorithm: 'EdDSA', publicKey: edPush.publicKey },
      enrolmentId: 'e1',
      random: s.random,
    });
    const identity = await openRedemptionResponse({ response: json(response), state });
    expect(identity.pushKey).toEqual({ algorithm: 'EdDSA', publicKey: edPush.publicKey });
    expect(identity.seed).toHaveLength(64);
  });

  it('sends low S even when a custom Signer returns raw high-S signatures (spec 5.3), so the server accepts it', async () => {
    const s = setup('high-s');
    const secret = p256.utils.randomSecretKey(s.random(48));
    let highS = 0;
    // A Signer written by hand (not through signerFromHost) that returns raw r || s, high S.
    const custom = {
      algorithm: 'ES256' as const,
      publicKey: p256.getPublicKey(secret, false),
      sign: async (m: Uint8Array) => {
        const sig = p256.Signature.fromBytes(p256.sign(m, secret, { prehash: true, lowS: true, format: 'compact' }), 'compact');
        highS++;
        return new p256.Signature(sig.r, p256.Point.CURVE().n - sig.s).toBytes('compact');
      },
    };
    const { request } = await createRedemption({ payload: s.activation, deviceSigner: custom, pushToken: null, platform: 'web', now: clock, random: s.random });
    expect(highS).toBe(1);
    const signature = decodeBase64Url(request.signature);
    expect(signature).toHaveLength(64);
    expect(isLowS(signature)).toBe(true);
    for (const crypto of [pureJsCryptoProvider, webCryptoProvider()]) {
      const result = await verifyRedemption({ request: json(request), activation: s.activation, expiresAt, now: clock, crypto });
      expect(result.ok).toBe(true);
    }
  });

  it('the request and response are plain JSON (what the HTTP server carries as-is)', async () => {
    const r = await redeemed();
    const response = await respond(r);
    expect(json(r.request)).toEqual(r.request);
    expect(json(response)).toEqual(response);
    for (const v of [...Object.values(r.request), ...Object.values(response)]) expect(['string', 'number', 'object']).toContain(typeof v);
  });
});

describe('verifyRedemption: typed reasons, never a throw on request content', () => {
  const cases: Array<[string, (r: RedemptionRequest) => unknown, string]> = [
    ['not an object', () => 'hello', 'malformed'],
    ['null', () => null, 'malformed'],
    ['a missing field', ({ mac: _mac, ...rest }) => rest, 'malformed'],
    ['an extra field', (r) => ({ ...r, admin: true }), 'malformed'],
    ['a short MAC', (r) => ({ ...r, mac: r.mac.slice(0, 40) }), 'malformed'],
    ['padded base64', (r) => ({ ...r, mac: `${r.mac}=` }), 'malformed'],
    ['an unknown platform', (r) => ({ ...r, platform: 'symbian' }), 'malformed'],
    ['a push token with a space', (r) => ({ ...r, pushToken: 'a b' }), 'malformed'],
    ['an empty push token', (r) => ({ ...r, pushToken: '' }), 'malformed'],
    ['a fractional time', (r) => ({ ...r, createdAt: r.createdAt + 0.5 }), 'malformed'],
    ['a device key off the curve', (r) => ({ ...r, devicePublicKey: encodeBase64Url(Uint8Array.from([4, ...new Uint8Array(64).fill(1)])) }), 'malformed'],
    ['a compressed ephemeral key', (r) => ({ ...r, ephemeralPublicKey: encodeBase64Url(new Uint8Array(65).fill(2)) }), 'malformed'],
    ['version 2', (r) => ({ ...r, version: 2 }), 'unsupported-version'],
    ['another activation id', (r) => ({ ...r, activationId: encodeBase64Url(new Uint8Array(16)) }), 'activation-mismatch'],
    ['a time 601 s in the past', (r) => ({ ...r, createdAt: r.createdAt - 601 - 20 }), 'stale'],
    ['a time 601 s in the future', (r) => ({ ...r, createdAt: r.createdAt + 601 }), 'stale'],
    ['another push token', (r) => ({ ...r, pushToken: 'other-token' }), 'bad-mac'],
    ['another platform', (r) => ({ ...r, platform: 'ios' }), 'bad-mac'],
    ['a time 10 s later', (r) => ({ ...r, createdAt: r.createdAt + 10 }), 'bad-mac'],
    ['a MAC bit flipped', (r) => ({ ...r, mac: flip(r.mac) }), 'bad-mac'],
    ['a signature bit flipped', (r) => ({ ...r, signature: flip(r.signature) }), 'bad-signature'],
  ];
  for (const [name, edit, reason] of cases) {
    it(`${name}: ${reason}`, async () => {
      const r = await redeemed();
      const result = await verifyRedemption({ request: edit(r.request), activation: r.activation, expiresAt, now: clock });
      expect(result).toEqual({ ok: false, reason });
    });
  }

  it('expired by the server clock, with no skew allowance', async () => {
    const r = await redeemed();
    expect((await verifyRedemption({ request: r.request, activation: r.activation, expiresAt, now: () => expiresAt })).ok).toBe(true);
    expect(await verifyRedemption({ request: r.request, activation: r.activation, expiresAt, now: () => expiresAt + 1 })).toEqual({ ok: false, reason: 'expired' });
  });

  it('the transcript binds what the user reviewed: a server record with another issuer, origin, policy or OTP parameters fails the MAC', async () => {
    const r = await redeemed();
    for (const patch of [
      { issuer: 'Acme Corp' },
      { origin: 'https://evil.example.com' },
      { policy: { ...r.activation.policy, pinRequired: false } },
      { otp: { ...r.activation.otp, period: 60 } },
    ]) {
      const result = await verifyRedemption({ request: r.request, activation: { ...r.activation, ...patch }, expiresAt, now: clock });
      expect(result).toEqual({ ok: false, reason: 'bad-mac' });
    }
  });

  it('a holder of the activation secret cannot swap the ephemeral key under the device signature', async () => {
    const r = await redeemed();
    // The attacker knows the secret (QR + password), so it can recompute the MAC...
    const attackerEphemeral = p256.getPublicKey(p256.utils.randomSecretKey(seededRandom('attacker')(48)), false);
    const forged = { ...r.request, ephemeralPublicKey: encodeBase64Url(attackerEphemeral) };
    const transcript = buildTranscript(r.activation, {
      devicePublicKey: decodeBase64Url(forged.devicePublicKey),
      ephemeralPublicKey: attackerEphemeral,
      platform: forged.platform,
      pushToken: forged.pushToken,
      createdAt: forged.createdAt,
    });
    const { macKey } = activationKeys(pureJsCryptoProvider, r.activation);
    forged.mac = encodeBase64Url(pureJsCryptoProvider.hmac('SHA256', macKey, transcript));
    // ...but not the device signature.
    expect(await verifyRedemption({ request: forged, activation: r.activation, expiresAt, now: clock })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('fuzzed bodies never throw and never verify', async () => {
    const r = await redeemed();
    const field = fc.constantFrom(...(Object.keys(r.request) as (keyof RedemptionRequest)[]));
    const body = fc.oneof(
      fc.jsonValue(),
      fc.tuple(field, fc.jsonValue()).map(([k, v]) => ({ ...r.request, [k]: v })),
      fc.tuple(field, fc.string()).map(([k, v]) => ({ ...r.request, [k]: v })),
    );
    await fc.assert(
      fc.asyncProperty(body, async (request) => {
        const result = await verifyRedemption({ request, activation: r.activation, expiresAt, now: clock });
        if (result.ok) expect(request).toEqual(r.request);
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  it('misuse by the server developer throws ERR_INVALID_ARGUMENT', async () => {
    const r = await redeemed();
    for (const bad of [
      { activation: { ...r.activation, activationSecret: 'short' } },
      { expiresAt: undefined },
      { maxClockSkewSeconds: -1 },
    ]) {
      const err = await rejection(verifyRedemption({ request: r.request, activation: r.activation, expiresAt, now: clock, ...bad } as never));
      expect(err.code).toBe('ERR_INVALID_ARGUMENT');
    }
  });
});

/** A response sealed outside createRedemptionResponse (which would refuse a bad account). */
function handSealedResponse(r: Awaited<ReturnType<typeof redeemed>>, v: VerifiedRedemption, account: string, extra: Record<string, unknown> = {}): RedemptionResponse {
  const serverPrivate = p256.utils.randomSecretKey(seededRandom(`hand-sealed ${account}`)(48));
  const serverEphemeral = p256.getPublicKey(serverPrivate, false);
  const appEphemeral = decodeBase64Url(v.request.ephemeralPublicKey);
  const { bindKey } = activationKeys(pureJsCryptoProvider, r.activation);
  const key = responseKey(pureJsCryptoProvider, ecdhX(serverPrivate, appEphemeral), bindKey, decodeBase64Url(v.transcriptHash), appEphemeral, serverEphemeral);
  const nonce = new Uint8Array(24).fill(7);
  const aad = responseAad(decodeBase64Url(r.activation.activationId), serverEphemeral, nonce);
  const inner = {
    seed: encodeBase64Url(r.seed),
    otp: r.activation.otp,
    issuer: r.activation.issuer,
    account,
    enrolmentId: 'e1',
    pushKey: { algorithm: 'ES256', publicKey: encodeBase64Url(r.push.publicKey) },
    ...extra,
  };
  return {
    version: 1,
    activationId: r.activation.activationId,
    serverEphemeralPublicKey: encodeBase64Url(serverEphemeral),
    nonce: encodeBase64Url(nonce),
    ciphertext: encodeBase64Url(xchacha20poly1305(key, nonce, aad).encrypt(utf8Encode(JSON.stringify(inner)))),
  };
}

/** Decrypts a response's inner JSON with the app's state (what openRedemptionResponse reads). */
function innerOf(r: Awaited<ReturnType<typeof redeemed>>, v: VerifiedRedemption, response: RedemptionResponse): Record<string, unknown> {
  const serverEphemeral = decodeBase64Url(response.serverEphemeralPublicKey);
  const nonce = decodeBase64Url(response.nonce);
  const key = responseKey(pureJsCryptoProvider, ecdhX(r.state.ephemeralPrivateKey, serverEphemeral), r.state.bindKey, decodeBase64Url(v.transcriptHash), r.state.ephemeralPublicKey, serverEphemeral);
  const aad = responseAad(decodeBase64Url(response.activationId), serverEphemeral, nonce);
  return JSON.parse(utf8Decode(xchacha20poly1305(key, nonce, aad).decrypt(decodeBase64Url(response.ciphertext)))) as Record<string, unknown>;
}

function flip(b64: string, byte = 0): string {
  const bytes = decodeBase64Url(b64);
  bytes[byte] = (bytes[byte] as number) ^ 1;
  return encodeBase64Url(bytes);
}

describe('openRedemptionResponse', () => {
  it('a tampered response fails with ERR_REDEMPTION_DECRYPT, one message', async () => {
    const r = await redeemed();
    const response = await respond(r);
    const messages = new Set<string>();
    for (const tampered of [
      { ...response, ciphertext: flip(response.ciphertext) },
      { ...response, ciphertext: flip(response.ciphertext, decodeBase64Url(response.ciphertext).length - 1) },
      { ...response, nonce: flip(response.nonce) },
      { ...response, serverEphemeralPublicKey: encodeBase64Url(p256.getPublicKey(p256.utils.randomSecretKey(seededRandom('other')(48)), false)) },
    ]) {
      const err = await rejection(openRedemptionResponse({ response: tampered, state: r.state }));
      expect(err.code).toBe('ERR_REDEMPTION_DECRYPT');
      messages.add(err.message);
    }
    expect(messages.size).toBe(1);
  });

  it('a response for another activation or another issuer or OTP parameters than the preview: ERR_REDEMPTION_MISMATCH', async () => {
    const r = await redeemed();
    const response = await respond(r);
    const other = await redeemed('other-activation');
    expect((await rejection(openRedemptionResponse({ response, state: other.state }))).code).toBe('ERR_REDEMPTION_MISMATCH');
    for (const patch of [{ issuer: 'Mallory Corp' }, { otp: { ...r.activation.otp, digits: 8 } }]) {
      const lying = await respond(r, { ...r.activation, ...patch });
      const err = await rejection(openRedemptionResponse({ response: lying, state: r.state }));
      expect(err.code).toBe('ERR_REDEMPTION_MISMATCH');
      expect(errorSurface(err)).not.toContain('Mallory');
    }
  });

  it('the account comes from the server, encrypted: whatever the server record says is what the app shows', async () => {
    // The envelope has no account, so there is nothing to compare it with: the app returns it
    // for the confirmation screen. Two responses to the same request differ only in it.
    const r = await redeemed();
    expect(r.state.expected).not.toHaveProperty('account');
    for (const account of ['jane.doe@example.com', 'Jane Doe (Finance)', 'ołga@example.org', 'x'.repeat(128)]) {
      const response = await respond(r, r.activation, account);
      expect(JSON.stringify(response)).not.toContain(account.slice(0, 8));
      expect((await openRedemptionResponse({ response, state: r.state })).account).toBe(account);
    }
  });

  it('an account that breaks the display rules, even authenticated, is ERR_REDEMPTION_MALFORMED', async () => {
    // Sealed by hand with the real response key (as a buggy or hostile server would), so only
    // the content check can refuse it.
    const r = await redeemed();
    const v = await verified(r);
    for (const account of ['jane\u202Egnp.exe@example.com', 'jane\n@example.com', '', 'é'.repeat(65)]) {
      const err = await rejection(openRedemptionResponse({ response: handSealedResponse(r, v, account), state: r.state }));
      expect(err.code).toBe('ERR_REDEMPTION_MALFORMED');
      expect(errorSurface(err)).not.toContain('gnp');
    }
    // Control: the same construction with a good account opens.
    expect((await openRedemptionResponse({ response: handSealedResponse(r, v, 'ok@example.com'), state: r.state })).account).toBe('ok@example.com');
  });

  it('malformed responses: ERR_REDEMPTION_MALFORMED; fuzzed ones only ever fail typed', async () => {
    const r = await redeemed();
    const response = await respond(r);
    for (const bad of [null, 'x', { ...response, version: 2 }, { ...response, extra: 1 }, { ...response, nonce: 'AAAA' }, { ...response, serverEphemeralPublicKey: encodeBase64Url(new Uint8Array(65)) }]) {
      expect((await rejection(openRedemptionResponse({ response: bad, state: r.state }))).code).toBe('ERR_REDEMPTION_MALFORMED');
    }
    const codes = new Set(['ERR_REDEMPTION_MALFORMED', 'ERR_REDEMPTION_DECRYPT', 'ERR_REDEMPTION_MISMATCH']);
    const field = fc.constantFrom(...(Object.keys(response) as (keyof RedemptionResponse)[]));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.tuple(field, fc.jsonValue()).map(([k, v]) => ({ ...response, [k]: v }))), async (body) => {
        try {
          await openRedemptionResponse({ response: body, state: r.state });
          expect(body).toEqual(response);
        } catch (err) {
          expect(err).toBeInstanceOf(CloudMfaError);
          expect(codes).toContain((err as CloudMfaError).code);
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('misuse on the app and server sides', () => {
  it('createRedemption refuses non-ES256 signers, bad push tokens and platforms', async () => {
    const s = setup();
    const base = { payload: s.activation, deviceSigner: s.device, pushToken: 't', platform: 'ios' as const, now: clock, random: s.random };
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ deviceSigner: createSoftwareSigner({ algorithm: 'EdDSA', random: s.random }) }, 'ERR_INVALID_ARGUMENT'],
      [{ pushToken: 'has space' }, 'ERR_INVALID_ARGUMENT'],
      [{ pushToken: 'x'.repeat(4097) }, 'ERR_INVALID_ARGUMENT'],
      [{ platform: 'palm' }, 'ERR_INVALID_ARGUMENT'],
      [{ payload: { ...s.activation, mode: 'offline' } }, 'ERR_INVALID_ARGUMENT'],
      [{ deviceSigner: { algorithm: 'ES256', publicKey: s.device.publicKey, sign: async () => new Uint8Array(63) } }, 'ERR_SIGNATURE_FORMAT'],
    ];
    for (const [patch, code] of bad) {
      expect((await rejection(createRedemption({ ...base, ...patch } as never))).code).toBe(code);
    }
  });

  it('createRedemptionResponse refuses an unverified request, bad seeds, keys and ids', async () => {
    const r = await redeemed();
    const v = await verified(r);
    const base = {
      verified: v,
      activation: r.activation,
      account: r.account,
      seed: r.seed,
      pushKey: { algorithm: 'ES256' as const, publicKey: r.push.publicKey },
      enrolmentId: 'e1',
      random: r.random,
    };
    expect(await createRedemptionResponse(base)).toHaveProperty('version', 1);
    for (const patch of [
      { account: undefined },
      { account: '' },
      { account: 'jane\u202E@example.com' },
      { account: 'x'.repeat(129) },
      { activation: { ...r.activation, account: r.account } },
      { verified: { ok: false, reason: 'bad-mac' } },
      { activation: (await redeemed('another')).activation },
      { seed: new Uint8Array(15) },
      { seed: new Uint8Array(65) },
      { pushKey: { algorithm: 'ES256', publicKey: new Uint8Array(32) } },
      { pushKey: { algorithm: 'RS256', publicKey: r.push.publicKey } },
      { enrolmentId: 'has space' },
      { enrolmentId: '' },
    ]) {
      expect((await rejection(createRedemptionResponse({ ...base, ...patch } as never))).code).toBe('ERR_INVALID_ARGUMENT');
    }
  });
});

describe('openEnvelope result type', () => {
  it('narrows on mode, so the online payload flows into createRedemption without a cast', async () => {
    const s = setup('narrow');
    const password = 'correct horse battery';
    const { text } = await sealEnvelope({ payload: s.activation, password, now: clock, random: s.random });
    const opened: OpenedEnvelope = await openEnvelope({ text, password, now: clock });
    expect(opened.mode).toBe('online');
    if (opened.mode !== 'online') return expect.unreachable();
    // No cast: `opened.payload` is an OnlineActivationPayload here.
    const { request } = await createRedemption({ payload: opened.payload, deviceSigner: s.device, pushToken: null, platform: 'ios', now: clock, random: s.random });
    expect((await verifyRedemption({ request: json(request), activation: s.activation, expiresAt, now: clock })).ok).toBe(true);
    const offline = opened as OpenedEnvelope;
    if (offline.mode === 'offline') {
      // @ts-expect-error an offline payload is not an online one
      await createRedemption({ payload: offline.payload, deviceSigner: s.device, pushToken: null, platform: 'ios' });
    }
  });
});
