import { CloudMfaError, constantTimeEqual, type CryptoProvider, decodeBase64Url, pureJsCryptoProvider, utf8Decode } from '@cloudmfa/core';
import type { RedemptionState } from './createRedemption.js';
import { aeadOpen } from './internal/aead.js';
import { RESPONSE_DECRYPT_MESSAGE } from './internal/constants.js';
import { redemptionResponseSchema, type ResponseInner, responseInnerSchema } from './internal/schemas.js';
import { ecdhX, isP256PublicKey, responseAad, responseKey } from './internal/transcript.js';
import type { ActivationPolicy, PushSigningKey, RedemptionResponse, TotpParameters } from './types.js';

/**
 * The identity an online activation delivers. `seed` is the TOTP secret: store it in the vault,
 * never log it. `account` comes from the server (the envelope does not carry it): show it on
 * the confirmation screen and store the identity only once the user confirms.
 *
 * @example
 * ```ts
 * const identity: RedeemedIdentity = await openRedemptionResponse({ response, state });
 * if (await confirmAccount(identity.issuer, identity.account)) await secureStore.set(`seed:${identity.enrolmentId}`, identity.seed);
 * ```
 */
export interface RedeemedIdentity {
  seed: Uint8Array;
  otp: TotpParameters;
  issuer: string;
  /** The user's account as the server sent it, encrypted to this device. */
  account: string;
  origin: string;
  policy: ActivationPolicy;
  enrolmentId: string;
  /** The server's push-signing key: pin it; push challenges must verify against it. */
  pushKey: PushSigningKey;
  /**
   * The organisation lets the app export this identity's TOTP seed in the user's encrypted
   * backups (never the device or push keys). `false` when the response does not say so.
   */
  seedExportAllowed: boolean;
}

const malformed = (what: string): never => {
  throw new CloudMfaError('ERR_REDEMPTION_MALFORMED', `redemption response is malformed (${what})`);
};
const mismatch = (field: string): never => {
  throw new CloudMfaError('ERR_REDEMPTION_MISMATCH', `redemption response does not match the reviewed activation (${field})`);
};

/**
 * App side: opens the server's redemption response with the in-memory `state` from
 * `createRedemption`, and checks that the issuer and OTP parameters are exactly what the user
 * reviewed in the preview before returning the seed, the account and the push key to pin.
 * The account is not in the envelope, so it has no preview to match: show it to the user and
 * store the identity only after they confirm it.
 * Throws `ERR_REDEMPTION_MALFORMED`, `ERR_REDEMPTION_DECRYPT` (one fixed message) or
 * `ERR_REDEMPTION_MISMATCH`; no message contains the seed or the plaintext.
 *
 * @example
 * ```ts
 * const identity = await openRedemptionResponse({ response: await res.json(), state });
 * if (await confirm(`Add ${identity.account} at ${identity.issuer}?`)) {
 *   // `secureStore`: your SecureKeyValueStore (Keychain / Keystore), e.g. secureStoreFromStringHost(SecureStore).
 *   await secureStore.set(`seed:${identity.enrolmentId}`, identity.seed);
 *   await secureStore.set(`identity:${identity.enrolmentId}`, utf8Encode(JSON.stringify({ otp: identity.otp, issuer: identity.issuer, account: identity.account, pushKey: encodeBase64Url(identity.pushKey.publicKey) })));
 * }
 * ```
 */
export async function openRedemptionResponse(options: {
  response: unknown;
  state: RedemptionState;
  crypto?: CryptoProvider;
}): Promise<RedeemedIdentity> {
  const { state, crypto = pureJsCryptoProvider } = options;
  if (!state || !(state.ephemeralPrivateKey instanceof Uint8Array) || !(state.bindKey instanceof Uint8Array) || !state.expected) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"state" expected the state returned by createRedemption');
  }
  const parsed = redemptionResponseSchema.safeParse(options.response);
  if (!parsed.success) return malformed('shape');
  const response = parsed.data as RedemptionResponse;
  if (response.version !== 1) return malformed('version');
  const activationId = decodeBase64Url(response.activationId);
  if (!constantTimeEqual(activationId, decodeBase64Url(state.activationId))) return mismatch('activationId');
  const serverEphemeral = decodeBase64Url(response.serverEphemeralPublicKey);
  if (!isP256PublicKey(serverEphemeral)) return malformed('serverEphemeralPublicKey');

  const nonce = decodeBase64Url(response.nonce);
  const shared = ecdhX(state.ephemeralPrivateKey, serverEphemeral);
  const key = responseKey(crypto, shared, state.bindKey, state.transcriptHash, state.ephemeralPublicKey, serverEphemeral);
  shared.fill(0);
  const plaintext = aeadOpen(key, nonce, responseAad(activationId, serverEphemeral, nonce), decodeBase64Url(response.ciphertext));
  key.fill(0);
  if (!plaintext) throw new CloudMfaError('ERR_REDEMPTION_DECRYPT', RESPONSE_DECRYPT_MESSAGE);

  let json: unknown;
  try {
    json = JSON.parse(utf8Decode(plaintext));
  } catch {
    // JSON or UTF-8 failure; no cause attached, the text is secret.
    json = undefined;
  } finally {
    plaintext.fill(0);
  }
  const result = responseInnerSchema.safeParse(json);
  if (!result.success) return malformed('content');
  const inner = result.data as ResponseInner;
  const { expected } = state;
  if (inner.issuer !== expected.issuer) mismatch('issuer');
  // The account has no preview to match (the envelope does not carry it); the schema above
  // held it to the display rules, and the app shows it before storing anything.
  const otp = inner.otp as TotpParameters;
  if (otp.algorithm !== expected.otp.algorithm || otp.digits !== expected.otp.digits || otp.period !== expected.otp.period) mismatch('otp');
  const pushPublicKey = decodeBase64Url(inner.pushKey.publicKey);
  if (inner.pushKey.algorithm === 'ES256' ? !isP256PublicKey(pushPublicKey) : pushPublicKey.length !== 32) malformed('pushKey');
  return {
    seed: decodeBase64Url(inner.seed),
    otp: { ...otp },
    issuer: inner.issuer,
    account: inner.account,
    origin: expected.origin,
    policy: { ...expected.policy },
    enrolmentId: inner.enrolmentId,
    pushKey: { algorithm: inner.pushKey.algorithm, publicKey: pushPublicKey },
    seedExportAllowed: inner.seedExportAllowed === true,
  };
}
