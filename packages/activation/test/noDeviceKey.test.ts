// The property that makes online mode worth having (docs/protocol/activation.md 7.1): someone
// who holds the QR text AND its password, and who recorded the whole redemption exchange, but
// does not hold the device's keys, cannot derive the TOTP seed (nor the account, which the
// envelope does not carry and the response delivers encrypted).
import {
  createRedemption,
  openEnvelope,
  openRedemptionResponse,
  type RedemptionState,
} from '@cloudmfa/activation';
import { createActivationPayload, createRedemptionResponse, verifyRedemption } from '@cloudmfa/activation/server';
import { CloudMfaError, concatBytes, createSoftwareSigner, decodeBase64Url, encodeBase64Url, pureJsCryptoProvider, utf8Encode } from '@cloudmfa/core';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { activationKeys, buildTranscript, responseAad } from '../src/internal/transcript.js';
import { CHEAP_PASSWORD, cheapEnvelope } from './fixtures.js';
import { rejection, seededRandom, T0 } from './helpers.js';

const now = () => T0 + 30_000;

async function recordedExchange() {
  const server = seededRandom('server');
  const phone = seededRandom('phone');
  const activation = createActivationPayload({ issuer: 'Acme', origin: 'https://mfa.acme.test', random: server });
  const account = 'jane.sentinel@acme.test';
  const { text } = await cheapEnvelope(activation);
  const seed = server(20);

  // The legitimate phone.
  const opened = await openEnvelope({ text, password: CHEAP_PASSWORD, now });
  if (opened.payload.mode !== 'online') throw new Error('expected online');
  const device = createSoftwareSigner({ algorithm: 'ES256', random: phone });
  const { request, state } = await createRedemption({ payload: opened.payload, deviceSigner: device, pushToken: 'tok', platform: 'ios', now, random: phone });

  // The server.
  const verified = await verifyRedemption({ request: JSON.parse(JSON.stringify(request)), activation, expiresAt: T0 + 300_000, now });
  if (!verified.ok) throw new Error(verified.reason);
  const pushKey = { algorithm: 'ES256' as const, publicKey: createSoftwareSigner({ random: server }).publicKey };
  const response = await createRedemptionResponse({ verified, activation, account, seed, pushKey, enrolmentId: 'e1', random: server });

  // What the attacker recorded: the QR text, the password, and both messages on the wire.
  const recorded = { text, password: CHEAP_PASSWORD, request: JSON.parse(JSON.stringify(request)), response: JSON.parse(JSON.stringify(response)) };
  return { recorded, state, seed, device, activation, account, server };
}

/** Everything derivable from the recording: payload, activation keys, transcript and its hash. */
async function attackerKnowledge(recorded: Awaited<ReturnType<typeof recordedExchange>>['recorded']) {
  const opened = await openEnvelope({ text: recorded.text, password: recorded.password, now });
  if (opened.payload.mode !== 'online') throw new Error('expected online');
  const payload = opened.payload;
  const { macKey, bindKey } = activationKeys(pureJsCryptoProvider, payload);
  const appEphemeral = decodeBase64Url(recorded.request.ephemeralPublicKey);
  const transcript = buildTranscript(payload, {
    devicePublicKey: decodeBase64Url(recorded.request.devicePublicKey),
    ephemeralPublicKey: appEphemeral,
    platform: recorded.request.platform,
    pushToken: recorded.request.pushToken,
    createdAt: recorded.request.createdAt,
  });
  // Sanity: the attacker really holds the activation secret (its MAC matches the recorded one).
  expect(encodeBase64Url(pureJsCryptoProvider.hmac('SHA256', macKey, transcript))).toBe(recorded.request.mac);
  return { payload, bindKey, transcriptHash: pureJsCryptoProvider.hash('SHA256', transcript), appEphemeral };
}

function stateWith(k: Awaited<ReturnType<typeof attackerKnowledge>>, ephemeralPrivateKey: Uint8Array, devicePublicKey: Uint8Array): RedemptionState {
  return {
    activationId: k.payload.activationId,
    ephemeralPrivateKey,
    ephemeralPublicKey: k.appEphemeral,
    transcriptHash: k.transcriptHash,
    bindKey: k.bindKey,
    devicePublicKey,
    expected: { issuer: k.payload.issuer, origin: k.payload.origin, policy: k.payload.policy, otp: k.payload.otp },
  };
}

describe('QR + password, no device key: the seed stays out of reach', () => {
  it('control: the legitimate phone gets the seed, and the attacker reconstruction is exact given the ephemeral key', async () => {
    const { recorded, state, seed, device, account } = await recordedExchange();
    const phone = await openRedemptionResponse({ response: recorded.response, state });
    expect(phone.seed).toEqual(seed);
    expect(phone.account).toBe(account);
    // With the phone's in-memory ephemeral private key, the attacker's own reconstruction of
    // the state opens the response: so the only thing missing below is that key.
    const k = await attackerKnowledge(recorded);
    const identity = await openRedemptionResponse({ response: recorded.response, state: stateWith(k, state.ephemeralPrivateKey, device.publicKey) });
    expect(identity.seed).toEqual(seed);
  });

  it('the account appears nowhere in what the attacker holds: not in the QR, its opened payload, the request or the response', async () => {
    const { recorded, account } = await recordedExchange();
    const opened = await openEnvelope({ text: recorded.text, password: recorded.password, now });
    const plaintext = JSON.stringify([opened.header, opened.preview, opened.payload, recorded.request, recorded.response]);
    expect(plaintext).not.toContain('sentinel');
    expect(opened.preview).not.toHaveProperty('account');
    expect(account).toContain('sentinel');
  });

  it('without the ephemeral private key, no guess derived from the recording opens the response', async () => {
    const { recorded, device } = await recordedExchange();
    const k = await attackerKnowledge(recorded);
    const guesses = [
      p256.utils.randomSecretKey(seededRandom('guess')(48)),
      new Uint8Array(32).fill(1),
      k.bindKey,
      k.transcriptHash,
      decodeBase64Url(k.payload.activationSecret),
    ];
    for (const guess of guesses) {
      const err = await rejection(openRedemptionResponse({ response: recorded.response, state: stateWith(k, guess, device.publicKey) }));
      expect(err.code).toBe('ERR_REDEMPTION_DECRYPT');
    }
  });

  it('keys built from public values alone (no ECDH secret) do not decrypt the seed', async () => {
    const { recorded } = await recordedExchange();
    const k = await attackerKnowledge(recorded);
    const serverEphemeral = decodeBase64Url(recorded.response.serverEphemeralPublicKey);
    const nonce = decodeBase64Url(recorded.response.nonce);
    const aad = responseAad(decodeBase64Url(recorded.response.activationId), serverEphemeral, nonce);
    const info = concatBytes(utf8Encode('cloudmfa/activation/v1/response-key'), k.appEphemeral, serverEphemeral);
    const hkdf = (ikm: Uint8Array) => pureJsCryptoProvider.hkdfSha256(ikm, k.transcriptHash, info, 32);
    const candidateZ = [new Uint8Array(32), k.appEphemeral.slice(1, 33), serverEphemeral.slice(1, 33), k.bindKey, k.transcriptHash];
    const keys = [...candidateZ.map((z) => hkdf(concatBytes(z, k.bindKey))), hkdf(k.bindKey), k.bindKey, decodeBase64Url(k.payload.activationSecret)];
    for (const key of keys) {
      expect(() => xchacha20poly1305(key, nonce, aad).decrypt(decodeBase64Url(recorded.response.ciphertext))).toThrow();
    }
  });

  it('replaying the recorded request gets a response sealed to the phone again; swapping in the attacker key breaks the device signature', async () => {
    const { recorded, activation, account, server, device } = await recordedExchange();
    const k = await attackerKnowledge(recorded);
    // Single use is the server's job (spec 5.6); even where a replay got through, the answer
    // is encrypted to the phone's ephemeral key.
    const replay = await verifyRedemption({ request: recorded.request, activation, expiresAt: T0 + 300_000, now });
    expect(replay.ok).toBe(true);
    if (!replay.ok) return;
    const pushKey = { algorithm: 'ES256' as const, publicKey: createSoftwareSigner({ random: server }).publicKey };
    const second = await createRedemptionResponse({ verified: replay, activation, account, seed: server(20), pushKey, enrolmentId: 'e2', random: server });
    const attackerKey = p256.utils.randomSecretKey(seededRandom('attacker')(48));
    const err = await rejection(openRedemptionResponse({ response: second, state: stateWith(k, attackerKey, device.publicKey) }));
    expect(err.code).toBe('ERR_REDEMPTION_DECRYPT');

    // Substituting its own ephemeral key: the attacker can redo the MAC (it has the secret),
    // but not the device signature over the new transcript.
    const attackerEphemeral = p256.getPublicKey(attackerKey, false);
    const swapped = { ...recorded.request, ephemeralPublicKey: encodeBase64Url(attackerEphemeral) };
    const transcript = buildTranscript(k.payload, {
      devicePublicKey: device.publicKey,
      ephemeralPublicKey: attackerEphemeral,
      platform: swapped.platform,
      pushToken: swapped.pushToken,
      createdAt: swapped.createdAt,
    });
    swapped.mac = encodeBase64Url(pureJsCryptoProvider.hmac('SHA256', activationKeys(pureJsCryptoProvider, k.payload).macKey, transcript));
    const result = await verifyRedemption({ request: swapped, activation, expiresAt: T0 + 300_000, now });
    expect(result).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('even a later theft of the device signing key does not open a recorded exchange (ephemeral ECDH)', async () => {
    const { recorded, device } = await recordedExchange();
    const k = await attackerKnowledge(recorded);
    const stolen = device.exportPrivateKey();
    const err = await rejection(openRedemptionResponse({ response: recorded.response, state: stateWith(k, stolen, device.publicKey) }));
    expect(err).toBeInstanceOf(CloudMfaError);
    expect(err.code).toBe('ERR_REDEMPTION_DECRYPT');
  });
});
