// The activation flow: a small state machine the UI walks (docs/client.md section 3).
import {
  type ActivationPolicy,
  createRedemption,
  type EnvelopeHeader,
  type OpenedEnvelope,
  openEnvelope,
  openRedemptionResponse,
  type RedeemedIdentity,
  type RedemptionRequest,
  type RedemptionState,
} from '@cloudmfa/activation';
import { decodeBase32, encodeBase64Url, isCloudMfaError } from '@cloudmfa/core';
import type { ParsedOtpauthUri } from '@cloudmfa/otp';
import type { EngineCore } from './_core.js';
import { type HttpOutcome, requestJson, routeOf } from './_http.js';
import type { Routed } from './_scan.js';
import type { StoredIdentity, StoredPolicy, StoredPush } from './_state.js';
import { checkPinChoice, type PinChoiceFailure } from './_pin.js';
import { clientError } from './errors.js';

/** Policy of identities that come without one (otpauth URIs, migration batches). */
const OPEN_POLICY: ActivationPolicy = { pinRequired: false, minPinLength: 4, biometricsAllowed: true };
const ENVELOPE_SKEW_MS = 60_000;

/**
 * The screen to show for an activation flow (docs/client.md section 3).
 *
 * @example
 * ```ts
 * const s = flow.step();
 * if (s.step === 'password') showPassword(s.secondsLeft);
 * ```
 */
export type FlowStep =
  | { readonly step: 'password'; readonly expiresAt: number; readonly secondsLeft: number }
  | {
      readonly step: 'review';
      readonly source: 'online' | 'offline' | 'otpauth' | 'migration';
      /** The company (issuer) as the QR states it. */
      readonly company: string;
      /** The server an online activation will contact. */
      readonly origin: string | null;
      readonly policy: ActivationPolicy;
      readonly suggestedName: string;
      /** The name the identity will get (`rename` changes it). */
      readonly name: string;
      /** Offline envelopes and otpauth URIs carry the account; online ones show it after redemption. */
      readonly account: string | null;
      /** Migration batches: every account in it. */
      readonly accounts: readonly { readonly issuer: string; readonly account: string }[];
      readonly expiresAt: number | null;
      readonly secondsLeft: number | null;
    }
  | { readonly step: 'set-pin'; readonly minPinLength: number }
  | {
      readonly step: 'account';
      readonly company: string;
      readonly name: string;
      /** What the server (online) or the QR says was added: show it before `save()`. */
      readonly accounts: readonly { readonly issuer: string; readonly account: string }[];
    }
  | { readonly step: 'done'; readonly identityIds: readonly string[] }
  | { readonly step: 'failed'; readonly reason: ConfirmFailure }
  | { readonly step: 'cancelled' };

/**
 * Why `flow.unlock(password)` did not open the envelope. A wrong password and a tampered
 * envelope are one reason on purpose.
 *
 * @example
 * ```ts
 * const r = await flow.unlock(typed);
 * if (!r.ok && r.reason === 'wrong-password') shake(r.secondsLeft);
 * ```
 */
export type UnlockPasswordResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'wrong-password'; readonly secondsLeft: number }
  | { readonly ok: false; readonly reason: 'damaged' | 'expired' };

/**
 * Why `flow.confirm()` stopped. Server refusals carry a `messageKey` for a localised sentence.
 *
 * @example
 * ```ts
 * if (!r.ok) toast(t(r.messageKey));
 * ```
 */
export type ConfirmFailure =
  | 'pin-required'
  | 'locked'
  | 'wrong-pin'
  | 'too-soon'
  | 'expired'
  | 'already-redeemed'
  | 'revoked'
  | 'invalid'
  | 'clock'
  | 'throttled'
  | 'network'
  | 'timeout'
  | 'server'
  | 'invalid-response';

/**
 * The result of `flow.confirm()`.
 *
 * @example
 * ```ts
 * const r: ConfirmResult = await flow.confirm({ pin });
 * if (r.ok) showAccount(flow.step());
 * ```
 */
export type ConfirmResult = { readonly ok: true } | { readonly ok: false; readonly reason: ConfirmFailure; readonly messageKey: string };

/**
 * An activation flow, from `auth.begin(text)`.
 *
 * @example
 * ```ts
 * const begun = auth.begin(scanned);
 * if (begun.ok) { await begun.flow.unlock(password); begun.flow.rename('Work'); await begun.flow.confirm(); await begun.flow.save(); }
 * ```
 */
export interface ActivationFlow {
  step(): FlowStep;
  unlock(password: string): Promise<UnlockPasswordResult>;
  rename(name: string): { readonly ok: true } | { readonly ok: false; readonly reason: NameFailure | 'not-now' };
  setPin(options: { pin: string; confirmation: string }): Promise<{ readonly ok: true } | { readonly ok: false; readonly reason: PinChoiceFailure | 'not-now' }>;
  confirm(options?: { pin?: string }): Promise<ConfirmResult>;
  save(): Promise<{ readonly ok: true; readonly identityIds: readonly string[] } | { readonly ok: false; readonly reason: 'locked' | 'not-now' }>;
  cancel(): Promise<void>;
}

/**
 * Why a name was refused.
 *
 * @example
 * ```ts
 * const r = flow.rename(typed);
 * if (!r.ok && r.reason === 'too-long') say('At most 64 characters');
 * ```
 */
export type NameFailure = 'empty' | 'too-long' | 'invalid-characters';

// Control, bidi-override and line/paragraph separator characters (the display text rule).
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

/** Checks a display name: 1..64 characters after trimming, no control or bidi characters. */
export function checkName(name: unknown): { ok: true; name: string } | { ok: false; reason: NameFailure } {
  if (typeof name !== 'string') return { ok: false, reason: 'empty' };
  const trimmed = name.trim();
  if (!trimmed) return { ok: false, reason: 'empty' };
  if (trimmed.length > 64) return { ok: false, reason: 'too-long' };
  if (FORBIDDEN.test(trimmed)) return { ok: false, reason: 'invalid-characters' };
  return { ok: true, name: trimmed };
}

const SERVER_REASONS: Record<string, ConfirmFailure> = {
  ERR_ACTIVATION_ALREADY_REDEEMED: 'already-redeemed',
  ERR_ACTIVATION_EXPIRED: 'expired',
  ERR_ACTIVATION_REVOKED: 'revoked',
  ERR_ACTIVATION_INVALID: 'invalid',
  ERR_ACTIVATION_MALFORMED: 'invalid',
  ERR_ACTIVATION_STALE: 'clock',
  ERR_ACTIVATION_THROTTLED: 'throttled',
};
/** Refusals after which the same envelope can never succeed. */
const TERMINAL: ReadonlySet<ConfirmFailure> = new Set(['already-redeemed', 'expired', 'revoked', 'invalid', 'invalid-response']);

const failure = (reason: ConfirmFailure): ConfirmResult => Object.freeze({ ok: false, reason, messageKey: `activation.error.${reason}` });

function otpOf(uri: ParsedOtpauthUri): StoredIdentity['otp'] {
  return uri.type === 'totp'
    ? { type: 'totp', algorithm: uri.algorithm, digits: uri.digits, period: uri.period }
    : { type: 'hotp', algorithm: uri.algorithm, digits: uri.digits, counter: uri.counter };
}

interface Pending {
  source: StoredIdentity['source'];
  issuer: string;
  account: string;
  seed: Uint8Array;
  otp: StoredIdentity['otp'];
  policy: StoredPolicy;
  push: StoredPush | null;
}

export function startFlow(core: EngineCore, routed: Routed): ActivationFlow {
  type State = 'password' | 'review' | 'set-pin' | 'account' | 'done' | 'failed' | 'cancelled';
  let state: State;
  let header: EnvelopeHeader | null = null;
  let opened: OpenedEnvelope | null = null;
  let source: 'online' | 'offline' | 'otpauth' | 'migration';
  let company = '';
  let policy: ActivationPolicy = OPEN_POLICY;
  let account: string | null = null;
  let accounts: { issuer: string; account: string }[] = [];
  let suggestedName = '';
  let name = '';
  let pending: Pending[] = [];
  let failedReason: ConfirmFailure = 'invalid';
  let doneIds: string[] = [];
  // The redemption request, kept so every retry (automatic or the user's) sends the same bytes:
  // the server answers an identical request with the stored response.
  let redemption: { request: RedemptionRequest; state: RedemptionState; handle: string; identityId: string } | null = null;
  let redeemed: { identity: RedeemedIdentity; push: StoredPush } | null = null;

  const secondsLeft = (expiresAt: number): number => Math.max(0, Math.ceil((expiresAt - core.now()) / 1000));

  if (routed.kind === 'activation') {
    header = routed.header;
    source = routed.header.mode;
    state = 'password';
  } else if (routed.kind === 'otpauth') {
    const uri = routed.uri;
    source = 'otpauth';
    company = uri.issuer ?? '';
    account = uri.account;
    suggestedName = uri.issuer || uri.account;
    pending = [{ source: 'otpauth', issuer: uri.issuer ?? '', account: uri.account, seed: uri.secret, otp: otpOf(uri), policy: OPEN_POLICY, push: null }];
    state = 'review';
  } else {
    source = 'migration';
    accounts = routed.accounts.map((a) => ({ issuer: a.issuer ?? '', account: a.account }));
    company = accounts.length === 1 ? (accounts[0] as { issuer: string }).issuer : '';
    suggestedName = company;
    pending = routed.accounts.map((a) => ({ source: 'migration', issuer: a.issuer ?? '', account: a.account, seed: a.secret, otp: otpOf(a), policy: OPEN_POLICY, push: null }));
    state = 'review';
  }
  name = suggestedName;

  function step(): FlowStep {
    switch (state) {
      case 'password':
        return Object.freeze({ step: 'password', expiresAt: (header as EnvelopeHeader).expiresAt, secondsLeft: secondsLeft((header as EnvelopeHeader).expiresAt) });
      case 'review':
        return Object.freeze({
          step: 'review',
          source,
          company,
          origin: opened?.payload.mode === 'online' ? opened.payload.origin : null,
          policy: Object.freeze({ ...policy }),
          suggestedName,
          name,
          account,
          accounts: Object.freeze(accounts.map((a) => Object.freeze({ ...a }))),
          expiresAt: header ? header.expiresAt : null,
          secondsLeft: header ? secondsLeft(header.expiresAt) : null,
        });
      case 'set-pin':
        return Object.freeze({ step: 'set-pin', minPinLength: policy.minPinLength });
      case 'account':
        return Object.freeze({
          step: 'account',
          company,
          name,
          accounts: Object.freeze(pending.map((p) => Object.freeze({ issuer: p.issuer, account: p.account }))),
        });
      case 'done':
        return Object.freeze({ step: 'done', identityIds: Object.freeze([...doneIds]) });
      case 'failed':
        return Object.freeze({ step: 'failed', reason: failedReason });
      default:
        return Object.freeze({ step: 'cancelled' });
    }
  }

  async function unlock(password: string): Promise<UnlockPasswordResult> {
    if (state !== 'password' || !header) throw clientError('ERR_CLIENT_STATE', 'unlock(password) is the password step of an activation envelope');
    if (typeof password !== 'string') throw clientError('ERR_INVALID_ARGUMENT', '"password" expected a string');
    const expired = (): boolean => core.now() > (header as EnvelopeHeader).expiresAt + ENVELOPE_SKEW_MS;
    // A phone that has never heard a server may have any clock: an online envelope is opened
    // whatever its clock says, then judged on the server's time (asked at its origin).
    const unsure = header.mode === 'online' && core.clockSource() === 'none';
    if (!unsure && expired()) return Object.freeze({ ok: false, reason: 'expired' });
    try {
      const text = routed.kind === 'activation' ? routed.text : '';
      opened = await openEnvelope({ text, password, now: () => Math.min(core.now(), (header as EnvelopeHeader).expiresAt), crypto: core.crypto });
    } catch (e) {
      if (isCloudMfaError(e, 'ERR_ENVELOPE_DECRYPT')) return Object.freeze({ ok: false, reason: 'wrong-password', secondsLeft: secondsLeft(header.expiresAt) });
      return Object.freeze({ ok: false, reason: 'damaged' });
    }
    if (unsure && opened.payload.mode === 'online') await core.syncClock(opened.payload.origin);
    if (expired()) {
      opened = null;
      return Object.freeze({ ok: false, reason: 'expired' });
    }
    const preview = opened.preview;
    company = preview.issuer;
    policy = { ...preview.policy };
    suggestedName = preview.issuer;
    name = suggestedName;
    if (opened.payload.mode === 'offline') {
      const p = opened.payload;
      account = p.account;
      accounts = [{ issuer: p.issuer, account: p.account }];
      pending = [{ source: 'offline', issuer: p.issuer, account: p.account, seed: decodeBase32(p.secret), otp: { ...p.otp }, policy: { ...p.policy }, push: null }];
    }
    state = 'review';
    return Object.freeze({ ok: true });
  }

  function rename(next: string) {
    if (state !== 'review' && state !== 'set-pin' && state !== 'account') return Object.freeze({ ok: false as const, reason: 'not-now' as const });
    const checked = checkName(next);
    if (!checked.ok) return Object.freeze({ ok: false as const, reason: checked.reason });
    name = checked.name;
    return Object.freeze({ ok: true as const });
  }

  async function setPin(options: { pin: string; confirmation: string }) {
    if (state !== 'set-pin' && state !== 'review') return Object.freeze({ ok: false as const, reason: 'not-now' as const });
    const checked = checkPinChoice(options, policy.minPinLength);
    if (!checked.ok) return Object.freeze({ ok: false as const, reason: checked.reason });
    await core.vault.setPin(checked.pin);
    state = 'review';
    return Object.freeze({ ok: true as const });
  }

  async function redeem(): Promise<ConfirmResult> {
    if (!opened || opened.payload.mode !== 'online') return failure('invalid');
    const payload = opened.payload;
    if (!redemption) {
      const identityId = core.newId();
      const handle = `device.${identityId}`;
      const deviceSigner = await core.deviceKeys.create(handle);
      const made = await createRedemption({
        payload,
        deviceSigner,
        pushToken: core.pushToken(),
        platform: core.platform,
        now: core.now,
        random: core.random,
        crypto: core.crypto,
      });
      redemption = { ...made, handle, identityId };
    }
    const url = routeOf(payload.origin, '/v1/activations/redeem');
    let outcome: HttpOutcome = await requestJson(core.http, url, { method: 'POST', body: redemption.request });
    // One automatic retry of the same request: safe, the server answers it with the stored response.
    if (!outcome.ok && (outcome.reason !== 'http' || outcome.status >= 500)) {
      outcome = await requestJson(core.http, url, { method: 'POST', body: redemption.request });
    }
    if (!outcome.ok) {
      if (outcome.reason !== 'http') return failure(outcome.reason);
      const reason = outcome.code ? (SERVER_REASONS[outcome.code] ?? 'server') : 'server';
      if (reason === 'clock' || TERMINAL.has(reason)) {
        // Refused and never redeemed: this request is dead; a later attempt makes a new one.
        await core.deviceKeys.remove(redemption.handle);
        redemption = null;
      }
      if (reason === 'clock') await core.syncClock(payload.origin);
      return failure(reason);
    }
    const serverTime = Number(outcome.headers.get('x-cloudmfa-server-time'));
    if (Number.isSafeInteger(serverTime) && serverTime > 0) core.learnClock(serverTime, outcome.sentAt, outcome.receivedAt, 'redemption');
    let identity: RedeemedIdentity;
    try {
      identity = await openRedemptionResponse({ response: outcome.body, state: redemption.state, crypto: core.crypto });
    } catch {
      return failure('invalid-response');
    }
    const push: StoredPush = {
      origin: identity.origin,
      enrolmentId: identity.enrolmentId,
      serverKey: { algorithm: identity.pushKey.algorithm, publicKey: encodeBase64Url(identity.pushKey.publicKey) },
      deviceKey: redemption.handle,
    };
    redeemed = { identity, push };
    account = identity.account;
    const policy: StoredPolicy = { ...identity.policy, ...(identity.seedExportAllowed ? { seedExportAllowed: true as const } : {}) };
    pending = [{ source: 'online', issuer: identity.issuer, account: identity.account, seed: identity.seed, otp: { ...identity.otp }, policy, push }];
    return Object.freeze({ ok: true });
  }

  async function confirm(options: { pin?: string } = {}): Promise<ConfirmResult> {
    if (state !== 'review' && state !== 'set-pin') throw clientError('ERR_CLIENT_STATE', 'confirm() follows the review step');
    const needsPin = policy.pinRequired || pending.some((p) => p.policy.pinRequired);
    let status = core.vault.status();
    if (needsPin && !status.hasPin) {
      state = 'set-pin';
      return failure('pin-required');
    }
    if (status.state === 'locked') {
      if (typeof options?.pin !== 'string') return failure('locked');
      const r = await core.unlock(options.pin);
      if (!r.ok) return failure(r.reason === 'too-soon' ? 'too-soon' : r.reason === 'wrong-pin' ? 'wrong-pin' : 'locked');
      status = core.vault.status();
    }
    if (header && core.now() > header.expiresAt + ENVELOPE_SKEW_MS && !redemption) {
      state = 'failed';
      failedReason = 'expired';
      return failure('expired');
    }
    if (source === 'online') {
      const r = await redeem();
      if (!r.ok) {
        if (TERMINAL.has(r.reason)) {
          state = 'failed';
          failedReason = r.reason;
        }
        return r;
      }
    }
    state = 'account';
    return Object.freeze({ ok: true });
  }

  async function save() {
    if (state !== 'account') return Object.freeze({ ok: false as const, reason: 'not-now' as const });
    if (core.vault.status().state === 'locked') return Object.freeze({ ok: false as const, reason: 'locked' as const });
    const at = core.phoneNow();
    const single = pending.length === 1;
    const stored: StoredIdentity[] = pending.map((p, i) => ({
      id: i === 0 && redemption ? redemption.identityId : core.newId(),
      name: single ? name || p.issuer || p.account : p.issuer || p.account,
      issuer: p.issuer,
      account: p.account,
      source: p.source,
      otp: { ...p.otp },
      policy: { ...p.policy },
      push: p.push,
      addedAt: at,
      seed: encodeBase64Url(p.seed),
    }));
    await core.addIdentities(stored);
    for (const p of pending) p.seed.fill(0);
    doneIds = stored.map((s) => s.id);
    pending = [];
    redemption = null;
    redeemed = null;
    state = 'done';
    return Object.freeze({ ok: true as const, identityIds: Object.freeze([...doneIds]) });
  }

  async function cancel(): Promise<void> {
    if (state === 'done' || state === 'cancelled') return;
    const wasRedeemed = redeemed;
    const handle = redemption?.handle;
    for (const p of pending) p.seed.fill(0);
    pending = [];
    state = 'cancelled';
    if (wasRedeemed) await core.unregisterRemote(wasRedeemed.push);
    if (handle) await core.deviceKeys.remove(handle);
    redemption = null;
    redeemed = null;
  }

  return { step, unlock, rename, setPin, confirm, save, cancel };
}
