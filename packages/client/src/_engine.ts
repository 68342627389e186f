// The engine behind createAuthenticator, over an opened vault (docs/client.md).
import { checkedRandom, decodeBase64Url, encodeBase64Url, pureJsCryptoProvider, type Signer, systemClock, systemRandom } from '@cloudmfa/core';
import { createOtpKey, hotp, type OtpKey } from '@cloudmfa/otp';
import {
  createDeviceRequest,
  createPushPollRequest,
  createPushResponse,
  type PushDecision,
  peekPushMessage,
  type VerifiedPushChallenge,
  verifyPushChallenge,
} from '@cloudmfa/push';
import { exportBackup as sealBackup, importBackup as openBackup, MIN_BACKUP_PASSWORD_LENGTH } from './backup/index.js';
import { importMigration } from '@cloudmfa/otp/migration';
import { isCloudMfaError } from '@cloudmfa/core';
import { clockStatus, offsetFromChallenge, offsetFromServerTime } from './_clock.js';
import type { EngineCore } from './_core.js';
import { type ActivationFlow, checkName, type NameFailure, startFlow } from './_flow.js';
import { type HttpContext, requestJson, routeOf } from './_http.js';
import { indexKeyHandle, openIndex, sealIndex } from './_index.js';
import { checkPinChoice, type PinChoiceFailure } from './_pin.js';
import { extractPushPayload } from './_payload.js';
import { createScanner, type ScanFailure, type ScanResult } from './_scan.js';
import { decodeState, type EngineState, encodeState, publicIdentity, type StoredIdentity, type StoredPush } from './_state.js';
import type { UnlockResult, Vault, VaultStatus } from './_vaultSeam.js';
import { clientError } from './errors.js';
import type { AuthenticatorEvent, AuthenticatorOptions, ClockStatus, Identity, IdentityCode, InboxItem } from './types.js';

/**
 * Why a push notification was not added to the inbox.
 *
 * @example
 * ```ts
 * const r = await auth.receiveNotification(payload);
 * if (!r.ok && r.reason === 'fetch-needed') await auth.refresh();
 * ```
 */
export type ReceiveFailure = 'not-cloudmfa' | 'malformed' | 'unknown-identity' | 'bad-signature' | 'expired' | 'duplicate' | 'fetch-needed';

/**
 * Why a push answer was not sent.
 *
 * @example
 * ```ts
 * const r = await auth.respond({ requestId, decision: 'confirm', number: typedNumber });
 * if (!r.ok && r.reason === 'locked') askForPin();
 * ```
 */
export type RespondFailure =
  | 'not-found'
  | 'expired'
  | 'locked'
  | 'number-required'
  | 'already-answered'
  | 'refused'
  | 'device-key-missing'
  | 'network'
  | 'timeout'
  | 'server';

/**
 * The authenticator: one object for everything the app keeps and decides (docs/client.md).
 *
 * @example
 * ```ts
 * const auth = await createAuthenticator({ store, deviceKeys });
 * const r = auth.codes();
 * if (r.ok) render(r.codes);
 * ```
 */
export interface Authenticator {
  /** Vault state (locked, PIN, biometrics, failed attempts); applies auto-lock. */
  status(): VaultStatus;
  /**
   * Whether the public index (what works while the vault is locked: the list, push receipt) passed
   * its signature check when the engine started. `refused` (edited, unsigned or no index key):
   * nothing of it is used, the list is empty while locked, and the next unlock rebuilds it from
   * the vault and signs it again (docs/protocol/vault.md section 12).
   */
  indexStatus(): 'ok' | 'refused';
  /** Sets the PIN (typed twice; at least the strictest `minPinLength` of the identities). Vault unlocked. */
  setPin(options: { pin: string; confirmation: string }): Promise<{ ok: true } | { ok: false; reason: PinChoiceFailure | 'locked' }>;
  /** Replaces the PIN (re-wraps the master key only). Vault unlocked. */
  changePin(options: { pin: string; confirmation: string }): Promise<{ ok: true } | { ok: false; reason: PinChoiceFailure | 'locked' }>;
  /** Back to a device slot; refused while an identity's policy requires a PIN. */
  removePin(): Promise<{ ok: true } | { ok: false; reason: 'locked' | 'pin-required-by-policy' }>;
  /** Unlocks with the PIN (wrong PINs are counted before the check, with growing delays). */
  unlock(pin: string): Promise<UnlockResult>;
  /** Unlocks through the biometric seam (`cancelled` when the user backs out). */
  unlockWithBiometrics(): Promise<UnlockResult>;
  /** Adds the biometric slot (PIN set, every identity's policy allows biometrics, a seam given). */
  enableBiometrics(): Promise<{ ok: true } | { ok: false; reason: 'locked' | 'no-pin' | 'not-allowed-by-policy' | 'unavailable' }>;
  /** Removes the biometric slot and asks the host to forget its key; the PIN stays. Vault unlocked; `ok` when none was set. */
  disableBiometrics(): Promise<{ ok: true } | { ok: false; reason: 'locked' }>;
  /** Locks now: seeds leave memory; pushes can still be received and shown. */
  lock(): void;
  /** User activity: restarts the auto-lock timer (the engine also calls it on each write and answer). */
  touch(): void;

  /** Identities in the user's order (works while locked). */
  list(): readonly Identity[];
  /** One identity, or `null`. */
  get(id: string): Identity | null;
  /** Renames an identity (1..64 characters of display text). */
  rename(options: { id: string; name: string }): Promise<{ ok: true } | { ok: false; reason: NameFailure | 'locked' }>;
  /** Puts the identities in this order (every id exactly once, else `ERR_INVALID_ARGUMENT`). */
  reorder(ids: readonly string[]): Promise<{ ok: true } | { ok: false; reason: 'locked' }>;
  /** Removes an identity; a push-capable one first asks its server to unregister (`serverUnregistered: false` when offline). */
  remove(id: string): Promise<{ ok: true; serverUnregistered: boolean | null } | { ok: false; reason: 'locked' }>;

  /** Says what a scanned text is (docs/client.md section 2). Never throws. */
  scan(text: unknown): ScanResult;
  /** Forgets a half-scanned migration batch. */
  resetMigration(): void;
  /** Starts the activation flow for a scanned envelope, otpauth URI or complete migration batch. */
  begin(text: unknown): { ok: true; flow: ActivationFlow } | { ok: false; reason: ScanFailure | 'migration-incomplete'; missing?: readonly number[] };

  /** Every identity's code at this tick, on the corrected clock, and the clock status. */
  codes(): { ok: true; codes: readonly IdentityCode[]; clock: ClockStatus } | { ok: false; reason: 'locked' };
  /** Advances an HOTP identity's counter, persists it, then returns the code. */
  nextHotpCode(id: string): Promise<{ ok: true; code: string; counter: number } | { ok: false; reason: 'locked' | 'not-hotp' }>;
  /** The learned clock offset and whether the phone is off by more than one period. */
  clock(): ClockStatus;
  /** Asks a server its time (`GET /v1/time`) and corrects the clock. */
  syncClock(): Promise<{ ok: true; clock: ClockStatus } | { ok: false; reason: 'no-server' | 'network' }>;

  /** Verifies a push payload (APNs / FCM / host library shape) and adds it to the inbox. */
  receiveNotification(payload: unknown): Promise<{ ok: true; requestId: string } | { ok: false; reason: ReceiveFailure }>;
  /** Polls every push identity's server (device-signed) and syncs the clock: the path when notifications fail. */
  refresh(): Promise<{ ok: true; added: number; failed: number }>;
  /** Pending push requests with their context and countdown. */
  inbox(): readonly InboxItem[];
  /** Answers a request: Confirm / Suspicious are signed and sent (PIN needed when the policy says so); Cancel is discarded locally. */
  respond(options: {
    requestId: string;
    decision: PushDecision;
    number?: string;
  }): Promise<{ ok: true; status: 'approved' | 'denied' | 'cancelled' } | { ok: false; reason: RespondFailure }>;
  /** The host's push token changed: tells every push identity's server (device-signed). */
  setPushToken(token: string | null): Promise<{ ok: true; updated: number; failed: number }>;

  /** An encrypted backup of what can move: never a device or push key; an online identity's TOTP seed only when its policy allows (`policy.seedExportAllowed`). Vault unlocked. */
  exportBackup(password: string): Promise<
    | { ok: true; file: Uint8Array; exported: number; skipped: readonly { id: string; reason: 'device-bound' }[] }
    | { ok: false; reason: 'locked' | 'password-too-short' }
  >;
  /**
   * Imports a CloudMFA backup (bytes), an Aegis export (JSON text; needs the `aegis` option of
   * createAuthenticator, else `aegis-not-enabled`) or a complete Google Authenticator migration
   * batch (URIs).
   */
  importBackup(options: { file: Uint8Array | string | readonly string[]; password?: string }): Promise<
    | { ok: true; imported: readonly string[]; skipped: number }
    | { ok: false; reason: 'locked' | 'wrong-password' | 'password-required' | 'damaged' | 'unsupported' | 'migration-incomplete' | 'aegis-not-enabled' }
  >;

  /** Calls `listener` after identities, the inbox, the lock state or the clock change; returns the unsubscribe function. */
  subscribe(listener: (event: AuthenticatorEvent) => void): () => void;
}

interface InboxEntry {
  challenge: VerifiedPushChallenge;
  identityId: string;
}

interface CachedKey {
  key: OtpKey;
  step: number;
  code: string;
  next: string;
}

const DIGITS = /^[0-9]{1,8}$/;

export async function buildAuthenticator(options: AuthenticatorOptions, vault: Vault): Promise<Authenticator> {
  const {
    store,
    deviceKeys,
    crypto = pureJsCryptoProvider,
    now: phoneNow = systemClock,
    random = systemRandom,
    platform = 'other',
    keyPrefix = 'cloudmfa',
    timeoutMs = 15_000,
    biometricPromptTitle = 'Unlock',
  } = options;
  const fetchFn = options.fetch ?? (typeof globalThis.fetch === 'function' ? (globalThis.fetch.bind(globalThis) as AuthenticatorOptions['fetch']) : undefined);
  if (!fetchFn) throw clientError('ERR_INVALID_ARGUMENT', '"fetch" expected a function (this runtime has no global fetch)');
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1000 || timeoutMs > 120_000) throw clientError('ERR_INVALID_ARGUMENT', '"timeoutMs" expected an integer in [1000, 120000]');
  let pushToken: string | null = options.pushToken ?? null;
  const draw = checkedRandom(random);
  const indexKey = `${keyPrefix}.index`;

  // The public index is signed by a device key of its own (docs/protocol/vault.md section 12).
  const indexHandle = indexKeyHandle(keyPrefix);
  let indexSigner: Promise<Signer> | null = null;
  let indexState: 'ok' | 'refused' = 'ok';
  let index: EngineState = decodeState(null, false);
  try {
    const record = await store.get(indexKey);
    if (record && record.length > 0) {
      const signer = await deviceKeys.load(indexHandle);
      if (signer) indexSigner = Promise.resolve(signer);
      index = decodeState(await openIndex({ record, publicKey: signer ? signer.publicKey : null, keyPrefix, crypto }), false);
    }
  } catch {
    // Unreadable, unsigned or edited (ERR_CLIENT_INDEX): trust none of it. The index is only a
    // mirror; the vault rebuilds it on unlock.
    index = decodeState(null, false);
    indexState = 'refused';
  }
  let contents: EngineState | null = null;
  const keys = new Map<string, CachedKey>();
  const inbox = new Map<string, InboxEntry>();
  const answered = new Set<string>();
  const listeners = new Set<(e: AuthenticatorEvent) => void>();

  const emit = (type: AuthenticatorEvent['type']): void => {
    for (const l of [...listeners]) {
      try {
        l(Object.freeze({ type }));
      } catch {
        // A listener's failure is the UI's; the engine's state is already written.
      }
    }
  };
  const correctedNow = (): number => phoneNow() + index.clock.offsetMs;
  const http: HttpContext = { fetch: fetchFn, now: phoneNow, timeoutMs };

  function drop(): void {
    contents = null;
    keys.clear();
  }

  /** Loads the contents when the vault is unlocked (drops them when it locked). */
  function loaded(): EngineState | null {
    const s = vault.status();
    if (s.state !== 'unlocked') {
      if (contents) drop();
      return null;
    }
    if (!contents) {
      const c = decodeState(vault.read(), true);
      // The clock learned while locked is in the index only: the newer one wins.
      if ((index.clock.learnedAt ?? -1) > (c.clock.learnedAt ?? -1)) c.clock = { ...index.clock };
      contents = c;
      const before = encodeState(index, false);
      index = decodeState(encodeState(c, false), false);
      const after = encodeState(index, false);
      // The vault is authoritative: a missing, stale, damaged or refused mirror is rewritten
      // (and signed) from it.
      if (indexState === 'refused' || before.length !== after.length || before.some((b, i) => b !== after[i])) {
        indexState = 'ok';
        void persistIndex().catch(() => undefined);
      }
    }
    return contents;
  }

  async function persist(): Promise<void> {
    const c = contents;
    if (!c) throw clientError('ERR_CLIENT_STATE', 'the vault is locked');
    c.clock = { ...index.clock };
    await vault.write(encodeState(c, true));
    index = decodeState(encodeState(c, false), false);
    await persistIndex();
    vault.touch();
  }

  // Index writes run one at a time, each signing the index as it is when its turn comes, so a
  // slow signature cannot let an older index land after a newer one.
  let indexWrites: Promise<void> = Promise.resolve();
  function persistIndex(): Promise<void> {
    const write = async (): Promise<void> => {
      if (!indexSigner) indexSigner = deviceKeys.load(indexHandle).then((s) => s ?? deviceKeys.create(indexHandle));
      const pending = indexSigner;
      const signer = await pending.catch((e: unknown) => {
        if (indexSigner === pending) indexSigner = null;
        throw e;
      });
      await store.set(indexKey, await sealIndex({ body: encodeState(index, false), signer, keyPrefix }));
    };
    const next = indexWrites.then(write, write);
    indexWrites = next.catch(() => undefined);
    return next;
  }

  vault.subscribe((status) => {
    if (status.state !== 'unlocked') drop();
    if (status.state === 'wiped' && index.identities.length > 0) {
      // Too many wrong PINs: the vault is gone, so is everything the index says about it.
      const gone = index.identities;
      index = { v: 1, identities: [], clock: { ...index.clock } };
      inbox.clear();
      void persistIndex().catch(() => undefined);
      for (const i of gone) if (i.push) void deviceKeys.remove(i.push.deviceKey).catch(() => undefined);
      emit('identities');
      emit('inbox');
    }
    emit('lock');
  });

  function learnClock(serverTime: number, sentAt: number, receivedAt: number, source: ClockStatus['source']): void {
    const offsetMs = offsetFromServerTime(serverTime, sentAt, receivedAt);
    index.clock = { offsetMs, source, learnedAt: receivedAt };
    if (contents) contents.clock = { ...index.clock };
    keys.clear();
    void persistIndex().catch(() => undefined);
    emit('clock');
  }

  async function syncClockWith(origin: string): Promise<boolean> {
    const r = await requestJson(http, routeOf(origin, '/v1/time'), { method: 'GET' });
    if (!r.ok) return false;
    const t = (r.body as { serverTime?: unknown } | null)?.serverTime;
    if (typeof t !== 'number' || !Number.isSafeInteger(t) || t <= 0) return false;
    learnClock(t, r.sentAt, r.receivedAt, 'server-time');
    return true;
  }

  const identityByEnrolment = (enrolmentId: string): StoredIdentity | undefined => index.identities.find((i) => i.push?.enrolmentId === enrolmentId);

  async function sendDeviceRequest(push: StoredPush, action: 'push-token' | 'unregister'): Promise<boolean> {
    try {
      const signer = await deviceKeys.load(push.deviceKey);
      if (!signer) return false;
      const request = await createDeviceRequest({
        enrolmentId: push.enrolmentId,
        action,
        ...(action === 'push-token' ? { pushToken } : {}),
        signer,
        now: correctedNow,
        random: draw,
      });
      const path = action === 'push-token' ? '/v1/devices/push-token' : '/v1/devices/unregister';
      const r = await requestJson(http, routeOf(push.origin, path), { method: 'POST', body: { request } });
      // An enrolment that is already gone on the server is unregistered as far as the app cares.
      return r.ok || (r.reason === 'http' && action === 'unregister' && (r.code === 'ERR_PUSH_NOT_ACTIVE' || r.code === 'ERR_PUSH_NOT_FOUND'));
    } catch {
      return false;
    }
  }

  const core: EngineCore = {
    now: correctedNow,
    phoneNow,
    random: draw,
    crypto,
    http,
    deviceKeys,
    platform,
    pushToken: () => pushToken,
    vault,
    unlock: (pin) => unlock(pin),
    learnClock,
    syncClock: syncClockWith,
    clockSource: () => index.clock.source,
    async addIdentities(list) {
      const c = loaded();
      if (!c) throw clientError('ERR_CLIENT_STATE', 'the vault is locked');
      c.identities.push(...list);
      await persist();
      emit('identities');
    },
    newId: () => encodeBase64Url(draw(16)),
    unregisterRemote: (push) => sendDeviceRequest(push, 'unregister'),
  };

  const scanner = createScanner();

  async function unlock(pin: string): Promise<UnlockResult> {
    if (typeof pin !== 'string') throw clientError('ERR_INVALID_ARGUMENT', '"pin" expected a string');
    const r = await vault.unlock(pin);
    if (r.ok) {
      loaded();
      emit('lock');
    }
    return r;
  }

  const strictestPin = (): number => Math.max(4, ...(loaded()?.identities ?? index.identities).filter((i) => i.policy.pinRequired).map((i) => i.policy.minPinLength));

  function find(id: string): StoredIdentity {
    if (typeof id !== 'string') throw clientError('ERR_INVALID_ARGUMENT', '"id" expected a string');
    const c = contents ?? index;
    const found = c.identities.find((i) => i.id === id);
    if (!found) throw clientError('ERR_CLIENT_NOT_FOUND', 'no identity with that id');
    return found;
  }

  function otpKeyOf(s: StoredIdentity): OtpKey {
    return createOtpKey({ secret: decodeBase64Url(s.seed as string), algorithm: s.otp.algorithm });
  }

  async function verifyAndAdd(jws: string): Promise<{ ok: true; requestId: string } | { ok: false; reason: ReceiveFailure }> {
    const peek = peekPushMessage(jws);
    if (!peek.ok || peek.kind !== 'challenge') return { ok: false, reason: 'malformed' };
    const identity = identityByEnrolment(peek.enrolmentId);
    if (!identity?.push) return { ok: false, reason: 'unknown-identity' };
    if (inbox.has(peek.challengeId) || answered.has(peek.challengeId)) return { ok: false, reason: 'duplicate' };
    const push = identity.push;
    const verify = () =>
      verifyPushChallenge({
        challenge: jws,
        serverKey: { algorithm: push.serverKey.algorithm, publicKey: decodeBase64Url(push.serverKey.publicKey) },
        expectedEnrolmentId: push.enrolmentId,
        now: correctedNow,
        crypto,
      });
    let r = await verify();
    // Out of its time window on our clock: maybe our clock is wrong. Ask the server once.
    if (!r.ok && (r.reason === 'expired' || r.reason === 'not_yet_valid') && (await syncClockWith(push.origin))) r = await verify();
    if (!r.ok) {
      if (r.reason === 'bad_signature') return { ok: false, reason: 'bad-signature' };
      if (r.reason === 'mismatch') return { ok: false, reason: 'unknown-identity' };
      if (r.reason === 'malformed') return { ok: false, reason: 'malformed' };
      return { ok: false, reason: 'expired' };
    }
    const challenge = r.challenge;
    // The server's time at arrival lies in [issuedAt, expiresAt]: narrow the offset into it.
    const received = phoneNow();
    const narrowed = offsetFromChallenge(index.clock.offsetMs, challenge.issuedAt, challenge.expiresAt, received);
    if (narrowed !== null) {
      index.clock = { offsetMs: narrowed, source: 'push', learnedAt: received };
      if (contents) contents.clock = { ...index.clock };
      keys.clear();
      await persistIndex().catch(() => undefined);
      emit('clock');
    }
    pruneInbox(false);
    inbox.set(challenge.id, { challenge, identityId: identity.id });
    emit('inbox');
    return { ok: true, requestId: challenge.id };
  }

  /**
   * Drops expired requests and those of removed identities. Writes announce it (`emit`); a read
   * (`inbox()`) drops them silently: a React screen reads the inbox while rendering, and an
   * event from there is a state update during render.
   */
  function pruneInbox(announce = true): void {
    const t = correctedNow();
    let changed = false;
    for (const [id, e] of inbox) {
      if (t > e.challenge.expiresAt || !index.identities.some((i) => i.id === e.identityId)) {
        inbox.delete(id);
        changed = true;
      }
    }
    if (changed && announce) emit('inbox');
  }

  const auth: Authenticator = {
    indexStatus: () => indexState,
    status: () => {
      const s = vault.status();
      if (s.state === 'locked' && contents) drop();
      return s;
    },
    async setPin(o) {
      const c = loaded();
      if (!c) return { ok: false, reason: 'locked' };
      const checked = checkPinChoice(o, strictestPin());
      if (!checked.ok) return checked;
      await vault.setPin(checked.pin);
      emit('lock');
      return { ok: true };
    },
    async changePin(o) {
      if (!loaded()) return { ok: false, reason: 'locked' };
      const checked = checkPinChoice(o, strictestPin());
      if (!checked.ok) return checked;
      await vault.changePin(checked.pin);
      return { ok: true };
    },
    async removePin() {
      const c = loaded();
      if (!c) return { ok: false, reason: 'locked' };
      if (c.identities.some((i) => i.policy.pinRequired)) return { ok: false, reason: 'pin-required-by-policy' };
      await vault.removePin();
      emit('lock');
      return { ok: true };
    },
    unlock,
    async unlockWithBiometrics() {
      const r = await vault.unlockWithBiometrics({ title: biometricPromptTitle });
      if (r.ok) {
        loaded();
        emit('lock');
      }
      return r;
    },
    async enableBiometrics() {
      const c = loaded();
      if (!c) return { ok: false, reason: 'locked' };
      if (!vault.status().hasPin) return { ok: false, reason: 'no-pin' };
      if (c.identities.some((i) => !i.policy.biometricsAllowed)) return { ok: false, reason: 'not-allowed-by-policy' };
      if (!options.biometrics) return { ok: false, reason: 'unavailable' };
      await vault.enableBiometrics();
      return { ok: true };
    },
    async disableBiometrics() {
      if (!loaded()) return { ok: false, reason: 'locked' };
      // The vault tells its subscribers (a 'lock' event) when a slot was removed.
      await vault.disableBiometrics();
      return { ok: true };
    },
    lock() {
      vault.lock();
      drop();
    },
    touch: () => vault.touch(),

    list: () => Object.freeze(index.identities.map(publicIdentity)),
    get(id) {
      const s = index.identities.find((i) => i.id === id);
      return s ? publicIdentity(s) : null;
    },
    async rename({ id, name }) {
      const checked = checkName(name);
      if (!checked.ok) return checked;
      if (!loaded()) return { ok: false, reason: 'locked' };
      find(id).name = checked.name;
      await persist();
      emit('identities');
      return { ok: true };
    },
    async reorder(ids) {
      const c = loaded();
      if (!c) return { ok: false, reason: 'locked' };
      if (!Array.isArray(ids) || ids.length !== c.identities.length || new Set(ids).size !== ids.length || !ids.every((id) => c.identities.some((i) => i.id === id))) {
        throw clientError('ERR_INVALID_ARGUMENT', '"ids" expected every identity id exactly once');
      }
      c.identities.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
      await persist();
      emit('identities');
      return { ok: true };
    },
    async remove(id) {
      const c = loaded();
      if (!c) return { ok: false, reason: 'locked' };
      const s = find(id);
      let serverUnregistered: boolean | null = null;
      if (s.push) serverUnregistered = await sendDeviceRequest(s.push, 'unregister');
      c.identities = c.identities.filter((i) => i.id !== id);
      keys.delete(id);
      await persist();
      if (s.push) await deviceKeys.remove(s.push.deviceKey).catch(() => undefined);
      pruneInbox();
      emit('identities');
      return { ok: true, serverUnregistered };
    },

    scan: (text) => scanner.scan(text, correctedNow(), index.clock.source !== 'none').result,
    resetMigration: () => scanner.reset(),
    begin(text) {
      const { result, routed } = scanner.scan(text, correctedNow(), index.clock.source !== 'none', true);
      if (!result.ok || !routed) return { ok: false, reason: result.ok ? 'unrecognised' : result.reason };
      if (routed.kind === 'migration' && !routed.complete) {
        return { ok: false, reason: 'migration-incomplete', missing: result.ok && result.kind === 'migration' ? result.missing : [] };
      }
      if (routed.kind === 'migration') scanner.reset();
      return { ok: true, flow: startFlow(core, routed) };
    },

    codes() {
      const c = loaded();
      if (!c) return { ok: false, reason: 'locked' };
      const t = correctedNow();
      const out: IdentityCode[] = [];
      for (const s of c.identities) {
        if (s.otp.type === 'hotp') {
          out.push(Object.freeze({ id: s.id, type: 'hotp', code: s.lastCode ?? null, counter: s.otp.counter }));
          continue;
        }
        const periodMs = s.otp.period * 1000;
        const step = Math.floor(t / periodMs);
        let cached = keys.get(s.id);
        if (!cached || cached.step !== step) {
          const key = cached?.key ?? otpKeyOf(s);
          const o = { digits: s.otp.digits, algorithm: s.otp.algorithm };
          // The next step's code is this step's "next": reuse it when the step just advanced.
          const code = cached && cached.step === step - 1 ? cached.next : hotp({ secret: key, counter: step, ...o });
          cached = { key, step, code, next: hotp({ secret: key, counter: step + 1, ...o }) };
          keys.set(s.id, cached);
        }
        const into = t - step * periodMs;
        out.push(
          Object.freeze({
            id: s.id,
            type: 'totp',
            code: cached.code,
            next: cached.next,
            secondsLeft: Math.ceil((periodMs - into) / 1000),
            fraction: into / periodMs,
            period: s.otp.period,
          }),
        );
      }
      return { ok: true, codes: Object.freeze(out), clock: clockStatus(index.clock) };
    },
    async nextHotpCode(id) {
      if (!loaded()) return { ok: false, reason: 'locked' };
      const s = find(id);
      if (s.otp.type !== 'hotp') return { ok: false, reason: 'not-hotp' };
      const counter = s.otp.counter;
      const code = hotp({ secret: otpKeyOf(s), counter, digits: s.otp.digits, algorithm: s.otp.algorithm });
      // Persist the advanced counter before the code is shown: a crash never shows a code twice.
      s.otp = { ...s.otp, counter: counter + 1 };
      s.lastCode = code;
      await persist();
      emit('identities');
      return { ok: true, code, counter };
    },
    clock: () => clockStatus(index.clock),
    async syncClock() {
      const origin = index.identities.find((i) => i.push)?.push?.origin;
      if (!origin) return { ok: false, reason: 'no-server' };
      return (await syncClockWith(origin)) ? { ok: true, clock: clockStatus(index.clock) } : { ok: false, reason: 'network' };
    },

    async receiveNotification(payload) {
      const found = extractPushPayload(payload);
      if (!found) return { ok: false, reason: 'not-cloudmfa' };
      if (!found.jws) {
        if (found.id && (inbox.has(found.id) || answered.has(found.id))) return { ok: false, reason: 'duplicate' };
        return { ok: false, reason: 'fetch-needed' };
      }
      return verifyAndAdd(found.jws);
    },
    async refresh() {
      let added = 0;
      let failed = 0;
      const origins = [...new Set(index.identities.flatMap((i) => (i.push ? [i.push.origin] : [])))];
      for (const origin of origins) await syncClockWith(origin);
      for (const identity of index.identities) {
        const push = identity.push;
        if (!push) continue;
        const signer = await deviceKeys.load(push.deviceKey).catch(() => null);
        if (!signer) {
          failed++;
          continue;
        }
        let request: string;
        try {
          request = await createPushPollRequest({ enrolmentId: push.enrolmentId, signer, now: correctedNow, random: draw });
        } catch {
          // A hardware key that refused to sign: this identity cannot poll now.
          failed++;
          continue;
        }
        const r = await requestJson(http, routeOf(push.origin, '/v1/push/poll'), { method: 'POST', body: { request } });
        const challenges = r.ok ? (r.body as { challenges?: unknown } | null)?.challenges : undefined;
        if (!Array.isArray(challenges)) {
          failed++;
          continue;
        }
        for (const jws of challenges.slice(0, 50)) {
          if (typeof jws !== 'string') continue;
          const a = await verifyAndAdd(jws);
          if (a.ok) added++;
        }
      }
      pruneInbox();
      return { ok: true, added, failed };
    },
    inbox() {
      pruneInbox(false);
      const t = correctedNow();
      return Object.freeze(
        [...inbox.values()].map(({ challenge, identityId }) => {
          const s = index.identities.find((i) => i.id === identityId) as StoredIdentity;
          const ctx = challenge.context;
          return Object.freeze({
            id: challenge.id,
            identityId,
            identityName: s.name,
            issuer: s.issuer,
            service: ctx.service,
            ...(ctx.message !== undefined ? { message: ctx.message } : {}),
            ...(ctx.ip !== undefined ? { ip: ctx.ip } : {}),
            ...(ctx.location !== undefined ? { location: ctx.location } : {}),
            ...(ctx.device !== undefined ? { device: ctx.device } : {}),
            ...(ctx.time !== undefined ? { time: ctx.time } : {}),
            expiresAt: challenge.expiresAt,
            secondsLeft: Math.max(0, Math.ceil((challenge.expiresAt - t) / 1000)),
            numberMatch: challenge.numberMatch,
            requiresPin: s.policy.pinRequired,
          } satisfies InboxItem);
        }),
      );
    },
    async respond({ requestId, decision, number }) {
      if (decision !== 'confirm' && decision !== 'suspicious' && decision !== 'cancel') {
        throw clientError('ERR_INVALID_ARGUMENT', '"decision" expected confirm, cancel or suspicious');
      }
      const entry = inbox.get(requestId);
      if (!entry) return { ok: false, reason: answered.has(requestId) ? 'already-answered' : 'not-found' };
      const { challenge } = entry;
      if (correctedNow() > challenge.expiresAt) {
        inbox.delete(requestId);
        emit('inbox');
        return { ok: false, reason: 'expired' };
      }
      if (decision === 'cancel') {
        // Cancel is discarded on the phone: nothing is sent, nothing is audited.
        inbox.delete(requestId);
        answered.add(requestId);
        emit('inbox');
        return { ok: true, status: 'cancelled' };
      }
      const s = index.identities.find((i) => i.id === entry.identityId) as StoredIdentity;
      const push = s.push as StoredPush;
      const c = loaded();
      if (s.policy.pinRequired && !c) return { ok: false, reason: 'locked' };
      if (c) {
        // The vault is authoritative: the key the challenge was verified with must be the vault's.
        const own = c.identities.find((i) => i.id === s.id)?.push;
        if (!own || own.serverKey.publicKey !== push.serverKey.publicKey || own.serverKey.algorithm !== push.serverKey.algorithm) {
          inbox.delete(requestId);
          emit('inbox');
          return { ok: false, reason: 'refused' };
        }
      }
      const wantsNumber = decision === 'confirm' && challenge.numberMatch;
      if (wantsNumber && (typeof number !== 'string' || !DIGITS.test(number))) return { ok: false, reason: 'number-required' };
      const signer = await deviceKeys.load(push.deviceKey).catch(() => null);
      if (!signer) return { ok: false, reason: 'device-key-missing' };
      const status = vault.status();
      const response = await createPushResponse({
        challenge,
        decision,
        ...(wantsNumber ? { number } : {}),
        userVerified: status.state === 'unlocked' && status.hasPin,
        signer,
        now: correctedNow,
      });
      const r = await requestJson(http, routeOf(push.origin, '/v1/push/respond'), { method: 'POST', body: { response } });
      if (!r.ok) {
        if (r.reason !== 'http') return { ok: false, reason: r.reason };
        if (r.status >= 500) return { ok: false, reason: 'server' };
        inbox.delete(requestId);
        answered.add(requestId);
        emit('inbox');
        if (r.code === 'ERR_PUSH_REPLAYED') return { ok: false, reason: 'already-answered' };
        if (r.code === 'ERR_PUSH_EXPIRED') return { ok: false, reason: 'expired' };
        return { ok: false, reason: 'refused' };
      }
      inbox.delete(requestId);
      answered.add(requestId);
      vault.touch();
      emit('inbox');
      const answeredStatus = (r.body as { status?: unknown } | null)?.status;
      return { ok: true, status: answeredStatus === 'approved' ? 'approved' : 'denied' };
    },
    async setPushToken(token) {
      if (token !== null && (typeof token !== 'string' || !/^[\x21-\x7e]{1,4096}$/.test(token))) {
        throw clientError('ERR_INVALID_ARGUMENT', '"token" expected null or 1..4096 printable ASCII characters');
      }
      pushToken = token;
      let updated = 0;
      let failed = 0;
      for (const identity of index.identities) {
        if (!identity.push) continue;
        if (await sendDeviceRequest(identity.push, 'push-token')) updated++;
        else failed++;
      }
      return { ok: true, updated, failed };
    },

    async exportBackup(password) {
      const c = loaded();
      if (!c) return { ok: false, reason: 'locked' };
      if (typeof password !== 'string') throw clientError('ERR_INVALID_ARGUMENT', '"password" expected a string');
      if (password.normalize('NFKC').length < MIN_BACKUP_PASSWORD_LENGTH) return { ok: false, reason: 'password-too-short' };
      // Device-bound identities (online activation) move only as what can move: the device key
      // and the push binding never (`push: null` below), the TOTP seed only when the
      // organisation allowed it in the redemption response (docs/protocol/activation.md 5.5).
      const exportable = (i: StoredIdentity): boolean => !i.push || i.policy.seedExportAllowed === true;
      const movable = c.identities.filter(exportable);
      const skipped = c.identities.filter((i) => !exportable(i)).map((i) => Object.freeze({ id: i.id, reason: 'device-bound' as const }));
      const contents = encodeState({ v: 1, identities: movable.map((i) => ({ ...i, push: null })), clock: { offsetMs: 0, source: 'none', learnedAt: null } }, true);
      const file = await sealBackup({ contents, password, crypto, random: draw });
      contents.fill(0);
      return { ok: true, file, exported: movable.length, skipped: Object.freeze(skipped) };
    },
    async importBackup({ file, password }) {
      const c = loaded();
      if (!c) return { ok: false, reason: 'locked' };
      const at = phoneNow();
      const entries: StoredIdentity[] = [];
      let skipped = 0;
      const add = (e: { type: 'totp' | 'hotp'; secret: Uint8Array; algorithm: StoredIdentity['otp']['algorithm']; digits: number; period?: number; counter?: number; issuer?: string; account: string }, source: StoredIdentity['source']) => {
        const otp: StoredIdentity['otp'] =
          e.type === 'totp' ? { type: 'totp', algorithm: e.algorithm, digits: e.digits, period: e.period ?? 30 } : { type: 'hotp', algorithm: e.algorithm, digits: e.digits, counter: e.counter ?? 0 };
        const issuer = e.issuer ?? '';
        entries.push({ id: encodeBase64Url(draw(16)), name: (issuer || e.account).slice(0, 64), issuer, account: e.account, source, otp, policy: { pinRequired: false, minPinLength: 4, biometricsAllowed: true }, push: null, addedAt: at, seed: encodeBase64Url(e.secret) });
      };
      try {
        if (file instanceof Uint8Array) {
          if (typeof password !== 'string') return { ok: false, reason: 'password-required' };
          const state = decodeState(await openBackup({ file, password, crypto }), true);
          for (const i of state.identities) entries.push({ ...i, id: encodeBase64Url(draw(16)), source: 'backup', push: null, addedAt: at });
        } else if (typeof file === 'string' && file.trim().startsWith('{')) {
          const importAegis = options.aegis;
          if (importAegis === undefined) return { ok: false, reason: 'aegis-not-enabled' };
          const r = await importAegis({ json: file, ...(password !== undefined ? { password } : {}), crypto });
          for (const e of r.entries) add(e, 'aegis');
          skipped = r.skipped.length;
        } else {
          const list = typeof file === 'string' ? [file] : [...(file as readonly string[])];
          const m = importMigration(list.map((t) => (typeof t === 'string' ? t.trim() : t)));
          if (!m.complete) return { ok: false, reason: 'migration-incomplete' };
          for (const a of m.accounts) add({ ...a, type: a.type, secret: a.secret, ...(a.type === 'totp' ? { period: a.period } : { counter: a.counter }) }, 'migration');
        }
      } catch (e) {
        if (isCloudMfaError(e, 'ERR_BACKUP_PASSWORD')) return { ok: false, reason: 'wrong-password' };
        if (isCloudMfaError(e, 'ERR_BACKUP_PASSWORD_REQUIRED')) return { ok: false, reason: 'password-required' };
        if (isCloudMfaError(e, 'ERR_BACKUP_FORMAT') || isCloudMfaError(e, 'ERR_BACKUP_VERSION') || isCloudMfaError(e, 'ERR_MIGRATION_SCHEME')) return { ok: false, reason: 'unsupported' };
        if (isCloudMfaError(e, 'ERR_INVALID_ARGUMENT')) throw e;
        return { ok: false, reason: 'damaged' };
      }
      c.identities.push(...entries);
      await persist();
      emit('identities');
      return { ok: true, imported: Object.freeze(entries.map((e) => e.id)), skipped };
    },

    subscribe(listener) {
      if (typeof listener !== 'function') throw clientError('ERR_INVALID_ARGUMENT', '"listener" expected a function');
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
  loaded();
  return auth;
}
