// Shared test helpers: a pinned clock, a seeded random source, a server on a given store, and
// the app side of the flows (open the envelope, redeem, answer pushes) built from the SDK's
// own app functions, so every test runs the real protocol end to end.
import { scryptSync, webcrypto } from 'node:crypto';
import {
  createRedemption,
  openEnvelope,
  openRedemptionResponse,
  type RedeemedIdentity,
  type RedemptionRequest,
} from '@cloudmfa/activation';
import { concatBytes, createSoftwareSigner, type CryptoProvider, fixedClock, type RandomSource, type SoftwareSigner, utf8Encode } from '@cloudmfa/core';
import { createCryptoProvider, webCryptoProvider } from '@cloudmfa/core/providers';
import { hotp, totp } from '@cloudmfa/otp';
import { createPushPollRequest, createPushResponse, type PushDecision, verifyPushChallenge } from '@cloudmfa/push';
import { createMemoryStore, type MfaStore } from '@cloudmfa/storage';
import {
  type CompleteActivationResult,
  createMfaServer,
  type MfaEvent,
  type MfaServer,
  type MfaServerKeys,
  type MfaServerOptions,
  type MfaServerPolicyInput,
  type MfaTelemetry,
  type StartedActivation,
  type WebhookOptions,
} from '../src/index.js';
import { seededRandom } from '../../client/test/story/seededRandom.js';

/** 2026-01-01T00:00:00Z, a whole 30 s step. */
export const T0 = Date.UTC(2026, 0, 1);
/**
 * The store deadline of every test server: far above any honest store call on a shared, loaded
 * machine, so no outcome depends on timing. The deadline itself is tested in deadline.test.ts
 * with a store that never answers.
 */
export const TEST_STORE_DEADLINE_MS = 60_000;
export const ORIGIN = 'https://mfa.acme.example';
export const ISSUER = 'Acme Corporation';

// Deterministic bytes, SHA-256(seed || counter) blocks: one copy for the server tests and the
// client story (whose Hermes and Chromium runs bundle it, so it lives there, free of Node APIs).
export { seededRandom };

/**
 * Native scrypt and WebCrypto P-256 verify for the tests (the envelope KDF is the slow part of
 * every activation); outputs are bit-identical to the pure-JS provider's (core's contract,
 * tested there).
 */
export const testCrypto: CryptoProvider = createCryptoProvider({
  scrypt: async (password, salt, p) => new Uint8Array(scryptSync(password, salt, p.dkLen, { N: p.N, r: p.r, p: p.p, maxmem: 256 * 1024 * 1024 })),
  base: webCryptoProvider(),
});

/** The cheapest envelope KDF the sealing floor allows (N·r = 2^17). */
export const FAST_KDF = { algorithm: 'scrypt' as const, log2N: 14, r: 8, p: 1 };

export const KEK1 = new Uint8Array(32).fill(0x11);
export const KEK2 = new Uint8Array(32).fill(0x22);

export interface TestServer {
  server: MfaServer;
  store: MfaStore;
  clock: ReturnType<typeof fixedClock>;
  events: MfaEvent[];
  pushSigner: SoftwareSigner;
  random: RandomSource;
}

export function makeServer(
  options: {
    store?: (clock: ReturnType<typeof fixedClock>) => MfaStore;
    clock?: ReturnType<typeof fixedClock>;
    policy?: MfaServerPolicyInput;
    kek?: MfaServerKeys['kek'];
    /** Other keys (a PKCS#11 push signer, `legacyKek`, `dataKeyCache`) over the defaults. */
    keys?: Partial<MfaServerKeys>;
    seed?: string;
    /** Default {@link TEST_STORE_DEADLINE_MS}. */
    storeDeadlineMs?: number;
    telemetry?: MfaTelemetry;
    webhooks?: WebhookOptions;
    /** The keys of stored organisations (`MfaServerOptions.organisationKeys`). */
    organisationKeys?: (organisationId: string) => MfaServerKeys | Promise<MfaServerKeys>;
    /** `MfaServerOptions.auditMove` and `maxAuditMovesInFlight`; default: neither given. */
    auditMove?: MfaServerOptions['auditMove'];
    maxAuditMovesInFlight?: number;
  } = {},
): TestServer {
  const clock = options.clock ?? fixedClock(T0);
  const store = options.store ? options.store(clock) : createMemoryStore({ clock });
  const random = seededRandom(options.seed ?? 'server');
  const pushSigner = createSoftwareSigner({ algorithm: 'ES256', random: seededRandom('push-key') });
  const events: MfaEvent[] = [];
  const server = createMfaServer({
    store,
    keys: { kek: options.kek ?? { current: 'k1', keys: { k1: KEK1 } }, push: pushSigner, ...options.keys },
    issuer: ISSUER,
    origin: ORIGIN,
    policy: { ...options.policy, activation: { kdf: FAST_KDF, ...options.policy?.activation } },
    events: (e) => {
      events.push(e);
    },
    clock,
    random,
    crypto: testCrypto,
    storeDeadlineMs: options.storeDeadlineMs ?? TEST_STORE_DEADLINE_MS,
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    webhooks: options.webhooks,
    ...(options.organisationKeys && { organisationKeys: options.organisationKeys }),
    ...(options.auditMove !== undefined && { auditMove: options.auditMove }),
    ...(options.maxAuditMovesInFlight !== undefined && { maxAuditMovesInFlight: options.maxAuditMovesInFlight }),
  });
  return { server, store, clock, events, pushSigner, random };
}

/** A phone: its device key and random source. */
export interface TestDevice {
  signer: SoftwareSigner;
  random: RandomSource;
  pushToken: string | null;
}

export function makeDevice(name: string, pushToken: string | null = `apns-${name}`): TestDevice {
  return { signer: createSoftwareSigner({ algorithm: 'ES256', random: seededRandom(`device-key-${name}`) }), random: seededRandom(`device-${name}`), pushToken };
}

/** App side, up to the request: open the envelope with the password and build the redemption. */
export async function prepareRedemption(t: TestServer, activation: StartedActivation, device: TestDevice) {
  const opened = await openEnvelope({ text: activation.text, password: activation.password as string, now: t.clock, crypto: testCrypto });
  if (opened.payload.mode !== 'online') throw new Error('expected an online envelope');
  return createRedemption({
    payload: opened.payload,
    deviceSigner: device.signer,
    pushToken: device.pushToken,
    platform: 'ios',
    now: t.clock,
    random: device.random,
    crypto: testCrypto,
  });
}

/** The whole online activation through `send` (the facade or HTTP): the identity the app stores. */
export async function activateOnline(
  t: TestServer,
  device: TestDevice,
  options: { userId?: string; send?: (request: RedemptionRequest) => Promise<CompleteActivationResult | { ok: true; response: unknown }> } = {},
): Promise<{ identity: RedeemedIdentity; activation: StartedActivation }> {
  const activation = await t.server.startActivation({ userId: options.userId ?? 'alice' });
  const { request, state } = await prepareRedemption(t, activation, device);
  const result = await (options.send ?? ((r) => t.server.completeActivation({ request: r })))(request);
  if (!result.ok) throw new Error(`redemption refused: ${(result as { reason: string }).reason}`);
  const identity = await openRedemptionResponse({ response: result.response, state, crypto: testCrypto });
  return { identity, activation };
}

/** The TOTP code the phone shows at the server's current time (or `offsetSteps` away). */
export function codeAt(t: TestServer, seed: Uint8Array, offsetSteps = 0, period = 30, digits = 6): string {
  return totp({ secret: seed, now: () => t.clock() + offsetSteps * period * 1000, period, digits });
}

export function hotpCode(seed: Uint8Array, counter: number, digits = 6): string {
  return hotp({ secret: seed, counter, digits });
}

/** App side of a push: verify the challenge against the pinned key and sign an answer. */
export async function answerPush(
  t: TestServer,
  identity: RedeemedIdentity,
  device: TestDevice,
  token: string,
  decision: PushDecision,
  options: { number?: string; userVerified?: boolean } = {},
): Promise<string> {
  const verified = await verifyPushChallenge({
    challenge: token,
    serverKey: identity.pushKey,
    expectedEnrolmentId: identity.enrolmentId,
    now: t.clock,
  });
  if (!verified.ok) throw new Error(`challenge refused: ${verified.reason}`);
  return createPushResponse({
    challenge: verified.challenge,
    decision,
    ...(options.number !== undefined ? { number: options.number } : {}),
    userVerified: options.userVerified ?? true,
    signer: device.signer,
    now: t.clock,
  });
}

export function pollRequest(t: TestServer, identity: RedeemedIdentity, device: TestDevice): Promise<string> {
  return createPushPollRequest({ enrolmentId: identity.enrolmentId, signer: device.signer, now: t.clock, random: device.random });
}

/** Every audit kind recorded, oldest first. */
export async function auditKinds(t: TestServer): Promise<string[]> {
  const kinds: string[] = [];
  let page = await t.server.queryAudit({ limit: 1000 });
  kinds.push(...page.events.map((e) => e.kind));
  while (page.cursor) {
    page = await t.server.queryAudit({ limit: 1000, cursor: page.cursor });
    kinds.push(...page.events.map((e) => e.kind));
  }
  return kinds.reverse();
}

/** The number the login page shows, as the user types it on the phone (none without number matching). */
export function numberOf(c: { number: string | null }): { number?: string } {
  return c.number === null ? {} : { number: c.number };
}

/**
 * A format-0x01 blob of docs/server.md section 2 (before the bound attributes and envelope
 * encryption): sealed directly under KEK `k1` = `kek`, ids only as associated data.
 */
export async function legacySeal(seed: Uint8Array, enrolmentId: string, userId: string, kek: Uint8Array = KEK1): Promise<Uint8Array> {
  const lp16 = (b: Uint8Array) => concatBytes(new Uint8Array([b.length >>> 8, b.length & 0xff]), b);
  const header = new Uint8Array([0x01, 2, ...utf8Encode('k1')]);
  const aad = concatBytes(utf8Encode('cloudmfa/server/secret/v1'), new Uint8Array([0]), header, lp16(utf8Encode(enrolmentId)), lp16(utf8Encode(userId)));
  const nonce = new Uint8Array(12).fill(7);
  const key = await webcrypto.subtle.importKey('raw', kek, 'AES-GCM', false, ['encrypt']);
  const ct = new Uint8Array(await webcrypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad, tagLength: 128 }, key, concatBytes(new Uint8Array([0x02]), seed)));
  return concatBytes(header, nonce, ct);
}
