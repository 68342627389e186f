// Checks for the options a calling developer passes: misuse throws ERR_INVALID_ARGUMENT.
import {
  type Clock,
  CloudMfaError,
  type CryptoProvider,
  type RandomSource,
  type Signer,
  type SignatureAlgorithm,
} from '@cloudmfa/core';
import { assertPublicKeyBytes } from './_keys.js';

export function misuse(message: string): never {
  throw new CloudMfaError('ERR_INVALID_ARGUMENT', message);
}

export function assertOptionsObject(value: unknown, title: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) misuse(`"${title}" expected an options object`);
}

export function assertClock(now: unknown): asserts now is Clock {
  if (typeof now !== 'function') misuse('"now" expected a clock function returning ms');
}

/** Reads the clock once and checks it returned a usable time. */
export function readClock(now: Clock): number {
  const t = now();
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) misuse('"now" returned something other than a time in ms');
  return t;
}

export function assertRandom(random: unknown): asserts random is RandomSource {
  if (typeof random !== 'function') misuse('"random" expected a function (n) => Uint8Array');
}

export function assertCrypto(crypto: unknown): asserts crypto is CryptoProvider {
  const c = crypto as Partial<CryptoProvider> | null;
  if (typeof c !== 'object' || c === null || typeof c.p256Verify !== 'function' || typeof c.ed25519Verify !== 'function') {
    misuse('"crypto" expected a CryptoProvider');
  }
}

export function assertSigner(signer: unknown, title: string, allowed: readonly SignatureAlgorithm[]): asserts signer is Signer {
  const s = signer as Partial<Signer> | null;
  if (typeof s !== 'object' || s === null || typeof s.sign !== 'function') misuse(`"${title}" expected a Signer`);
  if (!allowed.includes(s.algorithm as SignatureAlgorithm)) misuse(`"${title}.algorithm" expected ${allowed.join(' or ')}`);
  assertPublicKeyBytes(s.publicKey, `${title}.publicKey`, s.algorithm as SignatureAlgorithm);
}

export function assertSkew(value: unknown, title: string, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    misuse(`"${title}" expected an integer in [0, ${max}]`);
  }
}
