import { checkedRandom, type CryptoProvider, isCloudMfaError, pureJsCryptoProvider, systemClock, systemRandom } from '@cloudmfa/core';
import { webCryptoProvider } from '@cloudmfa/core/providers';
import { nativeKdf } from '#native-kdf';
import { type AuditMoves, createAuditMoves } from './internal/auditMoves.js';
import { nowOf, type ServerContext } from './internal/context.js';
import { serverError } from './internal/errors.js';
import { organisationsWithDeadline, withDeadline } from './internal/deadline.js';
import { observeOperation, observeStore } from './internal/telemetry.js';
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
import { createOrganisations, isOrigin } from './internal/organisations.js';
import { DEFAULT_ORGANISATION_ID, type OrganisationScope } from '@cloudmfa/storage';
import type { MfaTelemetry } from './telemetry.js';
import type { KekProvider, KeyEncryptionKeys, MfaOrganisationServer, MfaServer, MfaServerKeys, MfaServerOptions } from './types.js';
import { rotateAllKeys } from './operations/rotateAllKeys.js';
import { createWebhookDispatcher, type WebhookDispatcher } from './webhooks/_dispatcher.js';
import { getKeyStatus } from './operations/getKeyStatus.js';

/**
 * Background audit moves in flight per server by default (docs/server.md section 4.1): far above
 * what a healthy audit log needs (acceptances per second times the move's latency: 8,000/s at
 * 2 ms is 16), so the bound only acts when the log is slow. It bounds the moves the server
 * tracks; each of a move's store calls ends for the server within `storeDeadlineMs`, but a call
 * past its deadline stays with the driver (it cannot be cancelled), as for every bounded call.
 */
const DEFAULT_MAX_AUDIT_MOVES_IN_FLIGHT = 256;

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

/**
 * WebCrypto's P-256 verify over the runtime's native scrypt and PBKDF2 where the package's
 * `node` condition applies (Node, Bun, Deno: `#native-kdf`), over the pure-JS ones elsewhere.
 */
function defaultCrypto(): CryptoProvider {
  const base = nativeKdf() ?? pureJsCryptoProvider;
  try {
    return webCryptoProvider({ base });
  } catch (e) {
    if (isCloudMfaError(e, 'ERR_CRYPTO_UNSUPPORTED')) return base;
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
  const { store, keys, issuer, origin, events, clock = systemClock, random = systemRandom, organisationKeys } = options;
  if (
    typeof store !== 'object' ||
    store === null ||
    !store.enrolments ||
    !store.guard ||
    !store.challenges ||
    !store.audit
  ) {
    throw serverError('ERR_SERVER_CONFIG', '"store" expected an MfaStore');
  }
  if (!isDisplayText(issuer, 64)) {
    throw serverError('ERR_SERVER_CONFIG', '"issuer" expected 1..64 UTF-8 bytes without control or bidirectional-override characters');
  }
  if (origin !== undefined && !isOrigin(origin)) {
    throw serverError('ERR_SERVER_CONFIG', '"origin" expected https://host[:port] (or http:// on a loopback host), lowercase, no path');
  }
  if (typeof clock !== 'function') throw serverError('ERR_SERVER_CONFIG', '"clock" expected a function returning ms');
  if (events !== undefined && typeof events !== 'function') throw serverError('ERR_SERVER_CONFIG', '"events" expected a function');
  if (organisationKeys !== undefined && typeof organisationKeys !== 'function') {
    throw serverError('ERR_SERVER_CONFIG', '"organisationKeys" expected a function of the organisation id');
  }
  const { storeDeadlineMs = 250 } = options;
  if (!Number.isSafeInteger(storeDeadlineMs) || storeDeadlineMs < 1 || storeDeadlineMs > 60_000) {
    throw serverError('ERR_SERVER_CONFIG', '"storeDeadlineMs" expected an integer in [1, 60000]');
  }
  const { telemetry } = options;
  if (telemetry !== undefined && (typeof telemetry !== 'object' || telemetry === null || typeof telemetry.operation !== 'function' || typeof telemetry.storeCall !== 'function')) {
    throw serverError('ERR_SERVER_CONFIG', '"telemetry" expected { operation, storeCall } (see createOtelTelemetry)');
  }
  const { auditMove = 'inline', maxAuditMovesInFlight } = options;
  if (auditMove !== 'inline' && auditMove !== 'background') throw serverError('ERR_SERVER_CONFIG', '"auditMove" expected \'inline\' or \'background\'');
  if (maxAuditMovesInFlight !== undefined) {
    if (auditMove !== 'background') throw serverError('ERR_SERVER_CONFIG', '"maxAuditMovesInFlight" applies to auditMove \'background\' only');
    if (!Number.isSafeInteger(maxAuditMovesInFlight) || maxAuditMovesInFlight < 1 || maxAuditMovesInFlight > 65_536) {
      throw serverError('ERR_SERVER_CONFIG', '"maxAuditMovesInFlight" expected an integer in [1, 65536]');
    }
  }
  // One for the whole server: every organisation's moves share the bound and the flush.
  const auditMoves = createAuditMoves(auditMove, maxAuditMovesInFlight ?? DEFAULT_MAX_AUDIT_MOVES_IN_FLIGHT);
  const checked = checkedRandom(random);
  const crypto = options.crypto ?? defaultCrypto();
  // Telemetry outside the deadline: a store call cut short is a store error it reports.
  const bounded = (scope: OrganisationScope) => (telemetry ? observeStore(withDeadline(scope, storeDeadlineMs), telemetry) : withDeadline(scope, storeDeadlineMs));
  // Webhook delivery per organisation, over its own audit log and endpoint state (docs/server.md
  // section 13); it reads the store itself, not through the request deadline: it serves no request.
  const { webhooks } = options;
  const dispatcherOf = (organisationId: string, scope: OrganisationScope): WebhookDispatcher | null =>
    webhooks === undefined ? null : createWebhookDispatcher({ options: webhooks, store: scope, organisationId, clock, random: checked, crypto });
  const ctx: ServerContext = Object.freeze({
    organisationId: DEFAULT_ORGANISATION_ID,
    store: bounded(store),
    auditLog: store.audit,
    policy: resolveServerPolicy(options.policy),
    ...resolveKeys(keys, { clock, random: checked, crypto }, 'keys', 'ERR_SERVER_CONFIG'),
    issuer,
    origin: origin ?? null,
    clock,
    random: checked,
    crypto,
    events,
    auditMoves,
    actor: null,
  });
  const root = organisationApi(ctx, { telemetry, webhooks: dispatcherOf(DEFAULT_ORGANISATION_ID, store) });
  const organisations = createOrganisations({
    root: ctx,
    // A store set composed by hand before organisations existed has neither: it serves the
    // default organisation only, and the organisation methods say why they cannot work.
    records: store.organisations && typeof store.forOrganisation === 'function' ? organisationsWithDeadline(store.organisations, storeDeadlineMs) : null,
    scope: (id) => {
      const scope = store.forOrganisation(id);
      return { store: bounded(scope), auditLog: scope.audit };
    },
    keys: organisationKeys ? async (id) => resolveKeys(await organisationKeys(id), { clock, random: checked, crypto }, `keys of organisation ${id}`, 'ERR_SERVER_CONFIG') : null,
    api: (c) => organisationApi(c, { telemetry, webhooks: dispatcherOf(c.organisationId, store.forOrganisation(c.organisationId)) }),
  });

  return serverApi(root, organisations, auditMoves, null);
}

/**
 * The facade: the default organisation's operations, the others' through `forOrganisation`, the
 * organisation records. With an `actor` (`withActor`), every one of them (another organisation's
 * operations and the records' audit entries included) names who acts.
 */
function serverApi(root: MfaOrganisationServer, organisations: ReturnType<typeof createOrganisations>, auditMoves: AuditMoves, actor: string | null): MfaServer {
  const acting = actor === null ? root : root.withActor(actor);
  return Object.freeze({
    ...acting,
    withActor: (a: string) => serverApi(root, organisations, auditMoves, checkActor(a)),
    flushAuditMoves: () => auditMoves.flush(),
    forOrganisation: async (organisationId: string) => {
      const api = await organisations.forOrganisation(organisationId, root);
      return actor === null ? api : api.withActor(actor);
    },
    createOrganisation: (o) => organisations.create(optionsObject(o), actor),
    updateOrganisation: (o) => organisations.update(optionsObject(o), actor),
    getOrganisation: (o) => organisations.get(optionsObject(o).organisationId),
    listOrganisations: (o) => organisations.list(o === undefined ? {} : optionsObject(o)),
  } satisfies MfaServer);
}

/** Validates one organisation's keys and builds its sealing; `label` names them in errors. */
function resolveKeys(
  keys: MfaServerKeys,
  env: { clock: ServerContext['clock']; random: ServerContext['random']; crypto: CryptoProvider },
  label: string,
  code: 'ERR_SERVER_CONFIG',
): Pick<ServerContext, 'keyRing' | 'pushSigner'> {
  if (typeof keys !== 'object' || keys === null) throw serverError(code, `"${label}" expected { kek, push }`);
  const push = keys.push;
  if (
    typeof push !== 'object' ||
    push === null ||
    typeof push.sign !== 'function' ||
    !(push.publicKey instanceof Uint8Array) ||
    !((push.algorithm === 'ES256' && push.publicKey.length === 65) || (push.algorithm === 'EdDSA' && push.publicKey.length === 32))
  ) {
    throw serverError(code, `"${label}.push" expected an ES256 or EdDSA Signer`);
  }
  const kek: unknown = keys.kek;
  const isProvider = typeof kek === 'object' && kek !== null && 'wrapKey' in kek;
  const ring: MemoryKeyRing | null = isProvider
    ? (MEMORY_RINGS.get(keys.kek as KekProvider) ?? null)
    : createMemoryKeyRing(keys.kek as KeyEncryptionKeys, env.random, env.crypto);
  if (keys.legacyKek !== undefined && !isProvider) throw serverError(code, `"${label}.legacyKek" goes beside a KekProvider; put every in-memory key in "${label}.kek.keys"`);
  const legacy = keys.legacyKek !== undefined ? createMemoryKeyRing(keys.legacyKek, env.random, env.crypto, `${label}.legacyKek`) : ring;
  return {
    keyRing: createSealing({ provider: ring?.provider ?? (keys.kek as KekProvider), legacy, cache: keys.dataKeyCache, clock: env.clock, random: env.random, crypto: env.crypto }),
    pushSigner: push,
  };
}

/** What an organisation's operations use beside its context: telemetry, its webhook delivery. */
interface OrganisationExtras {
  telemetry: MfaTelemetry | undefined;
  webhooks: WebhookDispatcher | null;
}

/** The operations of one organisation's context; `withActor` makes the same over a context naming who acts. */
function organisationApi(ctx: ServerContext, extras: OrganisationExtras): MfaOrganisationServer {
  const { telemetry, webhooks } = extras;
  return Object.freeze({
    organisationId: ctx.organisationId,
    policy: ctx.policy,
    withActor: (actor) => organisationApi({ ...ctx, actor: checkActor(actor) }, extras),
    startActivation: (options) => {
      const { userId, ...o } = optionsObject(options);
      return observeOperation(telemetry, 'start_activation', () => startActivation(ctx, userId, o));
    },
    completeActivation: (options) => {
      const { request, ...o } = optionsObject(options);
      return observeOperation(telemetry, 'complete_activation', () => completeActivation(ctx, request, o));
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
    verifyOtp: (input) => observeOperation(telemetry, 'verify_otp', () => verifyOtp(ctx, input)),
    resyncHotp: (input) => resyncHotp(ctx, input),
    unlockOtp: (id) => unlockOtp(ctx, id),
    createPushChallenge: (options) => {
      const { userId, context, ...o } = optionsObject(options);
      return observeOperation(telemetry, 'create_push_challenge', () => createPushChallenge(ctx, userId, context, o));
    },
    submitPushResponse: (jws) => observeOperation(telemetry, 'submit_push_response', () => submitPushResponse(ctx, jws)),
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
    deliverWebhooks: async (options) => (webhooks ? webhooks.deliver(options) : { delivered: 0, failed: 0, retrying: 0, busy: 0, more: false }),
    webhookStatus: async () => (webhooks ? webhooks.status() : []),
  } satisfies MfaOrganisationServer);
}
