import {
  type Clock,
  CloudMfaError,
  type CryptoProvider,
  encodeBase64Url,
  normalizeP256Signature,
  pureJsCryptoProvider,
  type RandomSource,
  type Signer,
  systemClock,
  systemRandom,
} from '@cloudmfa/core';
import { p256 } from '@cloudmfa/core/curves';
import { onlinePayloadSchema } from './internal/schemas.js';
import { activationKeys, buildTranscript, isP256PublicKey } from './internal/transcript.js';
import { parseArgument, randomBytes, readClock } from './internal/validate.js';
import type { ActivationPolicy, DevicePlatform, OnlineActivationPayload, RedemptionRequest, TotpParameters } from './types.js';

const PUSH_TOKEN = /^[\x21-\x7e]{1,4096}$/;

/**
 * What the app keeps in memory between sending the request and opening the response: the
 * ephemeral ECDH private key and what the user reviewed. Secret: never persist or log it;
 * drop it once {@link openRedemptionResponse} has run.
 */
export interface RedemptionState {
  readonly activationId: string;
  readonly ephemeralPrivateKey: Uint8Array;
  readonly ephemeralPublicKey: Uint8Array;
  readonly transcriptHash: Uint8Array;
  readonly bindKey: Uint8Array;
  readonly devicePublicKey: Uint8Array;
  /** What the user reviewed in the preview (no account: the envelope does not carry one). */
  readonly expected: {
    readonly issuer: string;
    readonly origin: string;
    readonly policy: ActivationPolicy;
    readonly otp: TotpParameters;
  };
}

/** Options of {@link createRedemption}. */
export interface CreateRedemptionOptions {
  /** The online payload from `openEnvelope`, after the user confirmed the preview. */
  payload: OnlineActivationPayload;
  /** The device key (ES256), ideally hardware-backed via `signerFromHost`. */
  deviceSigner: Signer;
  /** APNs/FCM token (printable ASCII, up to 4096), or `null` when the device will poll. */
  pushToken: string | null;
  platform: DevicePlatform;
  now?: Clock;
  random?: RandomSource;
  crypto?: CryptoProvider;
}

/**
 * App side: builds the redemption request for an opened online envelope. It makes a fresh
 * ephemeral P-256 ECDH key, builds the transcript (everything the user reviewed plus the device
 * key, the ephemeral key, the push token, the platform and the time), MACs it under the
 * activation secret and has the device key sign it. Send `request` as JSON to
 * `payload.origin`; keep `state` in memory for {@link openRedemptionResponse}.
 * Misuse throws `ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const deviceSigner = createSoftwareSigner({ algorithm: 'ES256' }); // or signerFromHost(enclaveKey)
 * const { request, state } = await createRedemption({ payload: opened.payload, deviceSigner, pushToken, platform: 'ios' });
 * const res = await fetch(`${opened.payload.origin}/v1/activations/redeem`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
 * const identity = await openRedemptionResponse({ response: await res.json(), state });
 * ```
 */
export async function createRedemption(options: CreateRedemptionOptions): Promise<{ request: RedemptionRequest; state: RedemptionState }> {
  const { deviceSigner, pushToken, platform, now = systemClock, random = systemRandom, crypto = pureJsCryptoProvider } = options;
  const payload = parseArgument<OnlineActivationPayload>(onlinePayloadSchema, options.payload, 'payload');
  if (!deviceSigner || deviceSigner.algorithm !== 'ES256' || !(deviceSigner.publicKey instanceof Uint8Array) || !isP256PublicKey(deviceSigner.publicKey)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"deviceSigner" expected an ES256 signer with an uncompressed P-256 public key');
  }
  if (pushToken !== null && (typeof pushToken !== 'string' || !PUSH_TOKEN.test(pushToken))) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"pushToken" expected null or 1..4096 printable ASCII characters');
  }
  if (platform !== 'ios' && platform !== 'android' && platform !== 'web' && platform !== 'other') {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"platform" expected ios, android, web or other');
  }
  const createdAt = Math.floor(readClock(now) / 1000);
  if (createdAt > 0xffffffff) throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"now" is beyond what protocol v1 can represent');

  const ephemeralPrivateKey = p256.utils.randomSecretKey(randomBytes(random, 48));
  const ephemeralPublicKey = p256.getPublicKey(ephemeralPrivateKey, false);
  const devicePublicKey = Uint8Array.from(deviceSigner.publicKey);
  const transcript = buildTranscript(payload, { devicePublicKey, ephemeralPublicKey, platform, pushToken, createdAt });
  const { macKey, bindKey } = activationKeys(crypto, payload);
  const mac = crypto.hmac('SHA256', macKey, transcript);
  macKey.fill(0);
  const signed = await deviceSigner.sign(transcript);
  if (!(signed instanceof Uint8Array) || signed.length !== 64) {
    throw new CloudMfaError('ERR_SIGNATURE_FORMAT', 'device signer returned a signature that is not 64 bytes (raw r||s)');
  }
  // The wire form is raw r||s with low S (spec 5.3), and servers refuse high S: a hand-written
  // Signer may return either S, so bring it to low S here (out-of-range scalars: ERR_SIGNATURE_FORMAT).
  const signature = normalizeP256Signature(signed, 'raw');
  const request: RedemptionRequest = {
    version: 1,
    activationId: payload.activationId,
    devicePublicKey: encodeBase64Url(devicePublicKey),
    ephemeralPublicKey: encodeBase64Url(ephemeralPublicKey),
    platform,
    pushToken,
    createdAt,
    mac: encodeBase64Url(mac),
    signature: encodeBase64Url(signature),
  };
  const state: RedemptionState = Object.freeze({
    activationId: payload.activationId,
    ephemeralPrivateKey,
    ephemeralPublicKey,
    transcriptHash: crypto.hash('SHA256', transcript),
    bindKey,
    devicePublicKey,
    expected: Object.freeze({
      issuer: payload.issuer,
      origin: payload.origin,
      policy: Object.freeze({ ...payload.policy }),
      otp: Object.freeze({ ...payload.otp }),
    }),
  });
  return { request, state };
}
