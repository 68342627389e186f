/**
 * The bounds every adapter enforces before any I/O (see docs/storage.md, "Bounds"). They cap
 * what an attacker-influenced value can cost the store.
 *
 * @example
 * ```ts
 * if (bytes.length > STORAGE_LIMITS.secretBytes) throw new Error('too big for the store');
 * ```
 */
export const STORAGE_LIMITS = Object.freeze({
  /** Enrolment and challenge ids: `[A-Za-z0-9_-]`, 1..128 characters. */
  idLength: 128,
  /** User ids: UTF-16 code units. */
  userIdLength: 256,
  /** Enrolment secret bytes. */
  secretBytes: 4096,
  /** Serialized enrolment / challenge `meta` (UTF-8 bytes). */
  metaBytes: 16384,
  /** Serialized challenge `outcome` (UTF-8 bytes). */
  outcomeBytes: 4096,
  /** Serialized audit `detail` (UTF-8 bytes). */
  detailBytes: 4096,
  /** Serialized webhook endpoint `state` (UTF-8 bytes). */
  webhookStateBytes: 16384,
  /** Nesting depth of any JSON value. */
  jsonDepth: 16,
  /** Audit kind length. */
  kindLength: 64,
  /** Largest time in ms (the ECMAScript Date range). */
  maxTime: 8.64e15,
  /** Largest OTP step / HOTP counter. */
  maxStep: Number.MAX_SAFE_INTEGER,
  /** Largest |drift| in steps. */
  maxDrift: 100_000,
  /** Largest page / list size. */
  maxLimit: 1000,
  /** Default page / list size. */
  defaultLimit: 100,
  /** Largest audit cursor (characters). */
  cursorLength: 256,
  /** Client secure store key: `[A-Za-z0-9._-]`, 1..128 characters. */
  clientKeyLength: 128,
  /** Client secure store value bytes. */
  clientValueBytes: 65536,
});
