import { type CryptoProvider, encodeBase64Url, pureJsCryptoProvider, type RandomSource, utf8Encode } from '@cloudmfa/core';
import { nodeCrypto } from './nodeAesGcm.js';

const STORAGE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** True for a syntactically valid store id (what every store accepts). */
export function isStorageId(value: unknown): value is string {
  return typeof value === 'string' && STORAGE_ID.test(value);
}

/** The shape of an internal guard id (`<tag>_` + 43 base64url characters); see {@link auxGuardId}. */
const AUX_GUARD_ID = /^[a-z]_[A-Za-z0-9_-]{43}$/;

/**
 * True for an id an enrolment-facing operation may look up: a store id that is not shaped like
 * an internal guard id (enrolment ids are 22 characters, so no enrolment is ever excluded).
 */
export function isEnrolmentId(value: unknown): value is string {
  return isStorageId(value) && !AUX_GUARD_ID.test(value);
}

/** A fresh 128-bit id, base64url (22 characters): enrolment ids. */
export function newId(random: RandomSource): string {
  return encodeBase64Url(random(16));
}

// node:crypto's one-shot SHA-256 where the runtime has it, for a provider whose `hash` is the
// SDK's own pure-JS SHA-256 (the server's default, `webCryptoProvider()`, `pureJsCryptoProvider`
// and any provider built over them without a `hash` of its own): the same bytes, several times
// cheaper, and no implementation the caller chose is bypassed. A provider with its own `hash`
// (a FIPS module, say) always hashes. Both paths give the same ids (outboxKey.test.ts).
const native = nodeCrypto()?.hash ?? null;

/** node:crypto's SHA-256 when `crypto` hashes with the SDK's pure-JS one (see above), else `null`. */
export function nativeSha256For(crypto: CryptoProvider): NonNullable<typeof native> | null {
  return crypto.hash === pureJsCryptoProvider.hash ? native : null;
}

/**
 * Ids of the auxiliary guards (redemption failure budget, per-IP redemption throttle, push
 * pause, rate-limit windows): `<tag>_` + base64url(SHA-256(label || 0x00 || value)), 45 characters, so they can
 * never equal a 22-character enrolment id and never reveal the user id or IP they count.
 * `nativeHash` chooses for tests (`null`: the provider).
 */
export function auxGuardId(crypto: CryptoProvider, tag: 'r' | 'i' | 'p' | 'l', value: string, nativeHash = nativeSha256For(crypto)): string {
  const input = `cloudmfa/server/guard/${tag}/v1\u0000${value}`;
  // A string hashes as its UTF-8, lone surrogates as U+FFFD, as utf8Encode writes them.
  if (nativeHash !== null) return `${tag}_${nativeHash('sha256', input, 'base64url')}`;
  return `${tag}_${encodeBase64Url(crypto.hash('SHA256', utf8Encode(input)))}`;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The outbox key of one acceptance (docs/server.md 4.1): base64url of the first 128 bits of
 * SHA-256(label, enrolment id, step, time). A step is accepted once per enrolment, so the key
 * is unique; the time keeps it unique even if a guard store lost its state and accepted the
 * step again (that acceptance is then recorded too, not merged). Derived, not drawn: the
 * server's random stream (pinned by tests) is left alone. node:crypto hashes only for a
 * provider whose `hash` is the SDK's pure-JS one (`nativeSha256For`); `nativeHash` chooses for
 * tests (`null`: the provider).
 */
export function outboxKey(ctx: { crypto: CryptoProvider }, enrolmentId: string, step: number, now: number, nativeHash = nativeSha256For(ctx.crypto)): string {
  // ASCII only (a storage id and two integers), so a string hashes as the bytes below do.
  const input = `cloudmfa/server/outbox/v1\u0000${enrolmentId}\u0000${step}\u0000${now}`;
  if (nativeHash !== null) {
    // base64url of all 32 bytes: its first 21 characters are the first 126 bits; the 22nd of
    // a 16-byte encoding holds bits 126..127 and four zero bits.
    const full = nativeHash('sha256', input, 'base64url');
    return full.slice(0, 21) + BASE64URL[BASE64URL.indexOf(full[21] as string) & 0x30];
  }
  return encodeBase64Url(ctx.crypto.hash('SHA256', utf8Encode(input)).subarray(0, 16));
}
