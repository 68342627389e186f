import { checkedRandom, type CryptoProvider, isCloudMfaError, pureJsCryptoProvider, systemClock, systemRandom, webCryptoProvider } from '@cloudmfa/core';
import { nowOf, type ServerContext } from './internal/context.js';
import { serverError } from './internal/errors.js';
import { withDeadline } from './internal/deadline.js';
import { createMemoryKeyRing, MEMORY_RINGS, type MemoryKeyRing } from './internal/keyRing.js';
import { createSealing } from './internal/sealing.js';
import { isDisplayText } from './internal/text.js';
import { completeActivation } from './operations/completeActivation.js';
import { unregisterDevice, updateDevicePushToken } from './operations/deviceRequests.js';
import { createPushChallenge } from './operations/createPushChallenge.js';
import { drainAuditOutbox } from './operations/drainAuditOutbox.js';
import { getChallengeStatus } from './operations/getChallengeStatus.js';
import { getEnrolment } from './operations/getEnrolment.js';
import { listEnrolments } from './operations/listEnrolments.js';
import { pollPushChallenges } from './operations/pollPushChallenges.js';
import { reissueActivation } from './operations/reissueActivation.js';
import { resumePush } from './operations/resumePush.js';
import { resyncHotp } from './operations/resyncHotp.js';
import { revokeEnrolment } from './operations/revokeEnrolment.js';
import { rotateKeys } from './operations/rotateKeys.js';
import { startActivation } from './operations/startActivation.js';
import { submitPushResponse } from './operations/submitPushResponse.js';
import { unlockOtp } from './operations/unlockOtp.js';
import { verifyOtp } from './operations/verifyOtp.js';
import { resolveServerPolicy } from './policy.js';
import type { KekProvider, KeyEncryptionKeys, MfaServer, MfaServerOptions } from './types.js';
import { rotateAllKeys } from './operations/rotateAllKeys.js';
import { getKeyStatus } from './operations/getKeyStatus.js';

const HTTPS_ORIGIN = /^https:\/\/[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?$/;
const LOOPBACK_ORIGIN = /^http:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::[0-9]{1,5})?$/;

/** The one options object of a facade method; anything else is misuse. */
function optionsObject<T extends object>(options: T): T {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw serverError('ERR_INVALID_ARGUMENT', '"options" expected an object');
  }
  return options;
}

/** A principal's name for `detail.actor`: 1..256 characters without control characters. */
function checkActor(actor: unknown): string {
  if (typeof actor !== 'string' || actor.length === 0 || actor.length > 256 || /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(actor)) {
    throw serverError('ERR_INVALID_ARGUMENT', '"actor" expected 1..256 characters without control or bidirectional-override characters');
  }
  return actor;
}

function defaultCrypto(): CryptoProvider {
  try {
    return webCryptoProvider();
  } catch (e) {
    if (isCloudMfaError(e, 'ERR_CRYPTO_UNSUPPORTED')) return pureJsCryptoProvider;
    throw e;
  }
}

/**
 * Creates the CloudMFA verify API over a store (docs/server.md): enrolment (online / offline
 * envelopes, otpauth URIs), online redemption with single use and lifetime enforced through
 * the store, OTP verification with replay protection, throttling and drift, push challenges,
 * seeds encrypted at rest under your key-encryption keys, an audit log mirrored to `events`.
 *
 * Admin operations (`startActivation`, `verifyOtp`, `createPushChallenge`, `revokeEnrolment`,
 * `rotateKeys`, `queryAudit`, ...) are functions for your application to call behind its own
 * authentication; only the device-facing ones are served by `createHttpHandler`. Give the store
 * the same clock as the server. Misconfiguration throws `ERR_SERVER_CONFIG` / `ERR_SERVER_POLICY`.
 *
 * @example
 * ```ts
 * const server = createMfaServer({
 *   store: openSqliteStore({ path: 'mfa.db' }),
 *   keys: { kek: { current: 'k1', keys: { k1: kekBytes } }, push: createSoftwareSigner({ privateKey: pushKey }) },
 *   issuer: 'Acme Corporation',
 *   origin: 'https://mfa.acme.example',
 *   events: (e) => { if (e.risk) alertSecurityTeam(e); },
 * });
 * const activation = await server.startActivation({ userId: 'alice' }); // email activation.qr.png + activation.password
 * const result = await server.verifyOtp({ userId: 'alice', code }); // { ok: true, delta, ... } or a typed refusal
 * ```
 */
export function createMfaServer(options: MfaServerOptions): MfaServer {
  if (typeof options !== 'object' || options === null) throw serverError('ERR_SERVER_CONFIG', '"options" expected an object');
  const { store, keys, issuer, origin, events, clock = systemClock, random = systemRandom } = options;
  if (typeof store !== 'object' || store === null || !store.enrolments || !store.guard || !store.challenges || !store.audit) {
    throw serverError('ERR_SERVER_CONFIG', '"store" expected an MfaStore');
  }
  if (typeof keys !== 'object' || keys === null) throw serverError('ERR_SERVER_CONFIG', '"keys" expected { kek, push }');
  const push = keys.push;
  if (
    typeof push !== 'object' ||
    push === null ||
    typeof push.sign !== 'function' ||
    !(push.publicKey instanceof Uint8Array) ||
    !((push.algorithm === 'ES256' && push.publicKey.length === 65) || (push.algorithm === 'EdDSA' && push.publicKey.length === 32))
  ) {
    throw serverError('ERR_SERVER_CONFIG', '"keys.push" expected an ES256 or EdDSA Signer');
  }
  if (!isDisplayText(issuer, 64)) {
    throw serverError('ERR_SERVER_CONFIG', '"issuer" expected 1..64 UTF-8 bytes without control or bidirectional-override characters');
  }
  if (origin !== undefined && (typeof origin !== 'string' || origin.length > 127 || !(HTTPS_ORIGIN.test(origin) || LOOPBACK_ORIGIN.test(origin)))) {
    throw serverError('ERR_SERVER_CONFIG', '"origin" expected https://host[:port] (or http:// on a loopback host), lowercase, no path');
  }
  if (typeof clock !== 'function') throw serverError('ERR_SERVER_CONFIG', '"clock" expected a function returning ms');
  if (events !== undefined && typeof events !== 'function') throw serverError('ERR_SERVER_CONFIG', '"events" expected a function');
  const { storeDeadlineMs = 250 } = options;
  if (!Number.isSafeInteger(storeDeadlineMs) || storeDeadlineMs < 1 || storeDeadlineMs > 60_000) {
    throw serverError('ERR_SERVER_CONFIG', '"storeDeadlineMs" expected an integer in [1, 60000]');
  }
  const checked = checkedRandom(random);
  const crypto = options.crypto ?? defaultCrypto();
  const kek: unknown = keys.kek;
  const isProvider = typeof kek === 'object' && kek !== null && 'wrapKey' in kek;
  const ring: MemoryKeyRing | null = isProvider
    ? (MEMORY_RINGS.get(keys.kek as KekProvider) ?? null)
    : createMemoryKeyRing(keys.kek as KeyEncryptionKeys, checked, crypto);
  if (keys.legacyKek !== undefined && !isProvider) throw serverError('ERR_SERVER_CONFIG', '"keys.legacyKek" goes beside a KekProvider; put every in-memory key in "keys.kek.keys"');
  const legacy = keys.legacyKek !== undefined ? createMemoryKeyRing(keys.legacyKek, checked, crypto, 'keys.legacyKek') : ring;
  const ctx: ServerContext = Object.freeze({
    store: withDeadline(store, storeDeadlineMs),
    policy: resolveServerPolicy(options.policy),
    keyRing: createSealing({ provider: ring?.provider ?? (keys.kek as KekProvider), legacy, cache: keys.dataKeyCache, clock, random: checked, crypto }),
    pushSigner: push,
    issuer,
    origin: origin ?? null,
    clock,
    random: checked,
    crypto,
    events,
    actor: null,
  });

  return facade(ctx);
}

/** The facade over one context; `withActor` makes another over the same context with `actor` set. */
function facade(ctx: ServerContext): MfaServer {
  return Object.freeze({
    policy: ctx.policy,
    withActor: (actor) => facade({ ...ctx, actor: checkActor(actor) }),
    startActivation: (options) => {
      const { userId, ...o } = optionsObject(options);
      return startActivation(ctx, userId, o);
    },
    completeActivation: (options) => {
      const { request, ...o } = optionsObject(options);
      return completeActivation(ctx, request, o);
    },
    reissueActivation: (options) => {
      const { enrolmentId, ...o } = optionsObject(options);
      return reissueActivation(ctx, enrolmentId, o);
    },
    revokeEnrolment: (options) => {
      const { enrolmentId, ...o } = optionsObject(options);
      return revokeEnrolment(ctx, enrolmentId, o);
    },
    getEnrolment: (id) => getEnrolment(ctx, id),
    listEnrolments: (userId) => listEnrolments(ctx, userId),
    verifyOtp: (input) => verifyOtp(ctx, input),
    resyncHotp: (input) => resyncHotp(ctx, input),
    unlockOtp: (id) => unlockOtp(ctx, id),
    createPushChallenge: (options) => {
      const { userId, context, ...o } = optionsObject(options);
      return createPushChallenge(ctx, userId, context, o);
    },
    submitPushResponse: (jws) => submitPushResponse(ctx, jws),
    getChallengeStatus: (id) => getChallengeStatus(ctx, id),
    pollPushChallenges: (jws) => pollPushChallenges(ctx, jws),
    updateDevicePushToken: (jws) => updateDevicePushToken(ctx, jws),
    unregisterDevice: (jws) => unregisterDevice(ctx, jws),
    serverTime: () => nowOf(ctx),
    resumePush: (userId) => resumePush(ctx, userId),
    rotateAllKeys: (options) => rotateAllKeys(ctx, optionsObject(options)),
    rotateKeys: (target) => rotateKeys(ctx, target),
    queryAudit: (query) => ctx.store.audit.query(query),
    getKeyStatus: (target) => getKeyStatus(ctx, target),
    drainAuditOutbox: (options) => drainAuditOutbox(ctx, options),
  } satisfies MfaServer);
}
