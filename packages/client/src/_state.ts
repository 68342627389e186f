// What the engine keeps: the vault contents (authoritative, with seeds) and the public index
// beside it (no secret: enough to verify and show a push while the vault is locked).
// JSON, checked by hand on the way in: a vault or index this engine did not write is refused.
import type { ActivationPolicy } from '@cloudmfa/activation';
import { CloudMfaError, utf8Decode, utf8Encode } from '@cloudmfa/core';
import type { ClockStatus, Identity, IdentityOtp } from './types.js';

export interface StoredPush {
  origin: string;
  enrolmentId: string;
  /** The server's push-signing key pinned at activation, base64url. */
  serverKey: { algorithm: 'ES256' | 'EdDSA'; publicKey: string };
  /** The device key's handle in the `DeviceKeySeam`. */
  deviceKey: string;
}

/** The envelope's policy, and `seedExportAllowed` (stored only when `true`: absent is `false`). */
export type StoredPolicy = ActivationPolicy & { seedExportAllowed?: true };

export interface StoredIdentity {
  id: string;
  name: string;
  issuer: string;
  account: string;
  source: Identity['source'];
  otp: IdentityOtp;
  policy: StoredPolicy;
  push: StoredPush | null;
  addedAt: number;
  /** base64url seed: only in the vault contents, never in the index. */
  seed?: string;
  /** The last HOTP code shown (vault only). */
  lastCode?: string;
}

export interface StoredClock {
  offsetMs: number;
  source: ClockStatus['source'];
  learnedAt: number | null;
}

export interface EngineState {
  v: 1;
  identities: StoredIdentity[];
  clock: StoredClock;
}

const EMPTY_CLOCK: StoredClock = { offsetMs: 0, source: 'none', learnedAt: null };

const corrupt = (what: string): never => {
  throw new CloudMfaError('ERR_CLIENT_CONTENTS', `the stored engine state is not what this engine writes (${what})`);
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const SOURCES = ['online', 'offline', 'otpauth', 'migration', 'backup', 'aegis'];
const ALGORITHMS = ['SHA1', 'SHA256', 'SHA512'];

function checkIdentity(v: unknown, withSeeds: boolean): StoredIdentity {
  if (!isObject(v)) return corrupt('identity');
  if (!isString(v.id, 64) || !isString(v.name, 256) || !isString(v.issuer, 256) || !isString(v.account, 512)) corrupt('identity fields');
  if (!SOURCES.includes(v.source as string) || !isInt(v.addedAt, 0, Number.MAX_SAFE_INTEGER)) corrupt('identity source');
  const otp = v.otp as Record<string, unknown>;
  if (!isObject(otp) || !ALGORITHMS.includes(otp.algorithm as string) || !isInt(otp.digits, 6, 10)) corrupt('otp');
  if (!(otp.type === 'totp' ? isInt(otp.period, 1, 3600) : otp.type === 'hotp' && isInt(otp.counter, 0, Number.MAX_SAFE_INTEGER))) corrupt('otp');
  const policy = v.policy as Record<string, unknown>;
  if (!isObject(policy) || typeof policy.pinRequired !== 'boolean' || !isInt(policy.minPinLength, 0, 64) || typeof policy.biometricsAllowed !== 'boolean') {
    corrupt('policy');
  }
  if (policy.seedExportAllowed !== undefined && policy.seedExportAllowed !== true) corrupt('policy');
  if (v.push !== null) {
    const p = v.push as Record<string, unknown>;
    const key = isObject(p) ? (p.serverKey as Record<string, unknown>) : null;
    if (!isObject(p) || !isString(p.origin, 256) || !isString(p.enrolmentId, 128) || !isString(p.deviceKey, 128) || !isObject(key)) corrupt('push');
    if (!isObject(key) || (key.algorithm !== 'ES256' && key.algorithm !== 'EdDSA') || !isString(key.publicKey, 128)) corrupt('push key');
  }
  if (withSeeds ? !isString(v.seed, 256) : v.seed !== undefined) corrupt('seed');
  if (v.lastCode !== undefined && !(withSeeds && isString(v.lastCode, 10))) corrupt('lastCode');
  return v as unknown as StoredIdentity;
}

/** Decodes vault contents (`withSeeds`) or the public index. Empty bytes: a fresh state. */
export function decodeState(bytes: Uint8Array | null, withSeeds: boolean): EngineState {
  if (!bytes || bytes.length === 0) return { v: 1, identities: [], clock: { ...EMPTY_CLOCK } };
  let value: unknown;
  try {
    value = JSON.parse(utf8Decode(bytes));
  } catch {
    // No cause: the text may hold seeds.
    return corrupt('not JSON');
  }
  if (!isObject(value) || value.v !== 1 || !Array.isArray(value.identities) || !isObject(value.clock)) return corrupt('shape');
  const clock = value.clock;
  if (typeof clock.offsetMs !== 'number' || !Number.isFinite(clock.offsetMs) || !['none', 'server-time', 'redemption', 'push'].includes(clock.source as string)) corrupt('clock');
  if (clock.learnedAt !== null && !isInt(clock.learnedAt, 0, Number.MAX_SAFE_INTEGER)) corrupt('clock');
  const identities = value.identities.map((i) => checkIdentity(i, withSeeds));
  if (new Set(identities.map((i) => i.id)).size !== identities.length) corrupt('duplicate id');
  return { v: 1, identities, clock: { offsetMs: clock.offsetMs as number, source: clock.source as StoredClock['source'], learnedAt: clock.learnedAt as number | null } };
}

export function encodeState(state: EngineState, withSeeds: boolean): Uint8Array {
  const identities = withSeeds ? state.identities : state.identities.map(({ seed: _s, lastCode: _c, ...rest }) => rest);
  return utf8Encode(JSON.stringify({ v: 1, identities, clock: state.clock }));
}

/** The public view of a stored identity (fresh objects: callers cannot edit the state). */
export function publicIdentity(s: StoredIdentity): Identity {
  return Object.freeze({
    id: s.id,
    name: s.name,
    issuer: s.issuer,
    account: s.account,
    source: s.source,
    otp: Object.freeze({ ...s.otp }),
    policy: Object.freeze({ pinRequired: s.policy.pinRequired, minPinLength: s.policy.minPinLength, biometricsAllowed: s.policy.biometricsAllowed, seedExportAllowed: s.policy.seedExportAllowed === true }),
    push: s.push ? Object.freeze({ origin: s.push.origin, enrolmentId: s.push.enrolmentId }) : null,
    addedAt: s.addedAt,
  });
}
