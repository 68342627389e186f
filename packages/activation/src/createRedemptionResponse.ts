import {
  CloudMfaError,
  type CryptoProvider,
  decodeBase64Url,
  encodeBase64Url,
  pureJsCryptoProvider,
  type RandomSource,
  systemRandom,
  utf8Encode,
} from '@cloudmfa/core';
import { p256 } from '@cloudmfa/core/curves';
import { aeadSeal } from './internal/aead.js';
import { NONCE_LENGTH } from './internal/constants.js';
import { accountSchema, ENROLMENT_ID, onlinePayloadSchema, type ResponseInner } from './internal/schemas.js';
import { activationKeys, ecdhX, isP256PublicKey, responseAad, responseKey } from './internal/transcript.js';
import { parseArgument, randomBytes } from './internal/validate.js';
import type { OnlineActivationPayload, PushSigningKey, RedemptionResponse } from './types.js';
import type { VerifiedRedemption } from './verifyRedemption.js';

/** Options of {@link createRedemptionResponse}. */
export interface CreateRedemptionResponseOptions {
  /** The `ok: true` result of `verifyRedemption` for this request, after the atomic consume. */
  verified: VerifiedRedemption;
  /** The same stored payload that was passed to `verifyRedemption`. */
  activation: OnlineActivationPayload;
  /**
   * The user's account name from the server's own activation record (the online payload does
   * not carry it): 1..128 UTF-8 bytes, no control or bidirectional-override characters. The
   * app shows it on its confirmation screen.
   */
  account: string;
  /** The TOTP seed for this enrolment, 16..64 bytes. */
  seed: Uint8Array;
  /** The server's push-signing public key, which the app pins. */
  pushKey: PushSigningKey;
  /** The server's id for the new enrolment, 1..128 of `[A-Za-z0-9_-]`. */
  enrolmentId: string;
  /**
   * The organisation lets the app put this identity's TOTP seed in the user's encrypted
   * backups (never the device or push keys). Default `false`; written into the response only
   * when `true` (docs/protocol/activation.md section 5.5).
   */
  seedExportAllowed?: boolean;
  random?: RandomSource;
  crypto?: CryptoProvider;
}

/**
 * Server side, pure: encrypts the seed, the OTP parameters, the issuer, the account and the push
 * key to the device (ephemeral-ephemeral ECDH P-256 -> HKDF-SHA256 bound to the transcript and
 * the activation secret -> XChaCha20-Poly1305). Call it only after the activation was consumed
 * atomically; store the response with the consume so a retry gets the same bytes
 * (docs/protocol/activation.md section 5.6). Misuse throws `ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const response = await createRedemptionResponse({
 *   verified, activation: record.payload, account: record.account, seed: randomBytes(20),
 *   pushKey: { algorithm: 'ES256', publicKey: pushSigner.publicKey }, enrolmentId: 'enr_123',
 * });
 * return Response.json(response);
 * ```
 */
export async function createRedemptionResponse(options: CreateRedemptionResponseOptions): Promise<RedemptionResponse> {
  const { verified, seed, pushKey, enrolmentId, seedExportAllowed = false, random = systemRandom, crypto = pureJsCryptoProvider } = options;
  if (typeof seedExportAllowed !== 'boolean') throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"seedExportAllowed" expected a boolean');
  const activation = parseArgument<OnlineActivationPayload>(onlinePayloadSchema, options.activation, 'activation');
  const account = parseArgument<string>(accountSchema, options.account, 'account');
  if (!verified || verified.ok !== true || verified.activationId !== activation.activationId) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"verified" expected the ok verifyRedemption result for this activation');
  }
  if (!(seed instanceof Uint8Array) || seed.length < 16 || seed.length > 64) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"seed" expected 16..64 bytes');
  }
  const keyOk =
    pushKey &&
    pushKey.publicKey instanceof Uint8Array &&
    ((pushKey.algorithm === 'ES256' && isP256PublicKey(pushKey.publicKey)) || (pushKey.algorithm === 'EdDSA' && pushKey.publicKey.length === 32));
  if (!keyOk) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"pushKey" expected ES256 with a 65-byte P-256 key or EdDSA with a 32-byte key');
  }
  if (typeof enrolmentId !== 'string' || !ENROLMENT_ID.test(enrolmentId)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"enrolmentId" expected 1..128 of [A-Za-z0-9_-]');
  }
  const appEphemeral = decodeBase64Url(verified.request.ephemeralPublicKey);
  if (!isP256PublicKey(appEphemeral)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"verified" carries an invalid ephemeral key');
  }

  const serverPrivate = p256.utils.randomSecretKey(randomBytes(random, 48));
  const serverEphemeral = p256.getPublicKey(serverPrivate, false);
  const shared = ecdhX(serverPrivate, appEphemeral);
  serverPrivate.fill(0);
  const { macKey, bindKey } = activationKeys(crypto, activation);
  macKey.fill(0);
  const key = responseKey(crypto, shared, bindKey, decodeBase64Url(verified.transcriptHash), appEphemeral, serverEphemeral);
  shared.fill(0);
  bindKey.fill(0);
  const nonce = randomBytes(random, NONCE_LENGTH);
  const activationId = decodeBase64Url(activation.activationId);
  const inner: ResponseInner = {
    seed: encodeBase64Url(seed),
    otp: { ...activation.otp },
    issuer: activation.issuer,
    account,
    enrolmentId,
    pushKey: { algorithm: pushKey.algorithm, publicKey: encodeBase64Url(pushKey.publicKey) },
    ...(seedExportAllowed ? { seedExportAllowed: true } : {}),
  };
  const plaintext = utf8Encode(JSON.stringify(inner));
  const ciphertext = aeadSeal(key, nonce, responseAad(activationId, serverEphemeral, nonce), plaintext);
  key.fill(0);
  plaintext.fill(0);
  return {
    version: 1,
    activationId: activation.activationId,
    serverEphemeralPublicKey: encodeBase64Url(serverEphemeral),
    nonce: encodeBase64Url(nonce),
    ciphertext: encodeBase64Url(ciphertext),
  };
}
