import type { SignatureAlgorithm } from '@cloudmfa/core';
import type { PushChallengeState } from './nextChallengeState.js';

/**
 * A public key as the protocol pins it: the server push key (`ES256` or `EdDSA`) or a device
 * key (`ES256`). P-256 keys are uncompressed SEC1 (65 bytes), Ed25519 keys 32 bytes. A core
 * `Signer` has this shape, so `serverSigner` can be passed where its public key is wanted.
 *
 * @example
 * ```ts
 * const pinned: PushPublicKey = { algorithm: 'ES256', publicKey: redemption.serverPushPublicKey };
 * ```
 */
export interface PushPublicKey {
  readonly algorithm: SignatureAlgorithm;
  readonly publicKey: Uint8Array;
}

/**
 * What the user is shown before deciding. Every string is display text: within its cap (see
 * `PUSH_LIMITS`), free of control, bidi and line-separator characters. `time` is the sign-in
 * attempt's time in ms since the epoch (carried with one-second precision).
 *
 * @example
 * ```ts
 * const context: PushContext = { service: 'Acme VPN', ip: '203.0.113.9', location: 'Berlin, DE', time: Date.now() };
 * ```
 */
export interface PushContext {
  /** Service or application name, 1-64 characters. */
  readonly service: string;
  /** A message, e.g. "Sign in to the VPN", at most 200 characters. */
  readonly message?: string;
  /** The client's IP address, at most 45 characters of `0-9 a-f A-F . :`. */
  readonly ip?: string;
  /** Approximate location, at most 100 characters. */
  readonly location?: string;
  /** Browser or device description, at most 100 characters. */
  readonly device?: string;
  /** Time of the sign-in attempt, ms since the epoch. */
  readonly time?: number;
}

/**
 * The user's answer: Confirm (approve), Suspicious (deny, audited, risk event), Cancel (close, not audited).
 *
 * @example
 * ```ts
 * const decision: PushDecision = userTapped === 'not me' ? 'suspicious' : 'confirm';
 * ```
 */
export type PushDecision = 'confirm' | 'suspicious' | 'cancel';

/**
 * What the server stores per challenge: `createPushChallenge` returns it (state `pending`),
 * storage keeps it, and `verifyPushResponse` checks a response against it. Plain JSON values
 * only, so any store can hold it. `number` is the number-matching number shown on the login
 * page: keep it server side, never put it in a push payload or a log.
 *
 * @example
 * ```ts
 * const { record } = await createPushChallenge(options);
 * await db.insert('push_challenges', record); // plain JSON values
 * ```
 */
export interface PushChallengeRecord {
  /** The challenge id (`jti`): 128 random bits, base64url. */
  readonly id: string;
  /** The enrolment the challenge was sent to (`sub`). */
  readonly enrolmentId: string;
  /** base64url SHA-256 of the exact challenge token, as the response's `chash` must be. */
  readonly hash: string;
  /** Issue time, ms (whole seconds). */
  readonly issuedAt: number;
  /** Expiry, ms (whole seconds). */
  readonly expiresAt: number;
  /** Number matching is on for this challenge. */
  readonly numberMatch: boolean;
  /** The number to match, or `null` without number matching. */
  readonly number: string | null;
  /** The state in the server's store. */
  readonly state: PushChallengeState;
}
