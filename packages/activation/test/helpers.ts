// Test-only helpers: deterministic randomness and fixed inputs. Nothing here ships.
import { CloudMfaError, concatBytes, utf8Encode } from '@cloudmfa/core';
import { sha256 } from '@noble/hashes/sha2.js';
import { expect } from 'vitest';

/**
 * A deterministic byte stream: SHA-256(seed || 0x00 || counter32) blocks, concatenated.
 * The frozen vectors were generated with it (seed = the vector's name).
 */
export function seededRandom(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  let pool: Uint8Array = new Uint8Array(0);
  return (n: number) => {
    while (pool.length < n) {
      const c = new Uint8Array([0, counter >>> 24, (counter >>> 16) & 255, (counter >>> 8) & 255, counter & 255]);
      counter++;
      pool = concatBytes(pool, sha256(concatBytes(utf8Encode(seed), c)));
    }
    const out = pool.slice(0, n);
    pool = pool.slice(n);
    return out;
  };
}

/** 2026-01-01T00:00:00Z, the clock of every test unless it says otherwise. */
export const T0 = 1_767_225_600_000;

/** Awaits `p` and returns the CloudMfaError it rejects with (fails the test otherwise). */
export async function rejection(p: Promise<unknown>): Promise<CloudMfaError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CloudMfaError);
    return err as CloudMfaError;
  }
  throw new Error('expected a rejection');
}

/** Runs `fn` and returns the CloudMfaError it throws (fails the test otherwise). */
export function thrown(fn: () => unknown): CloudMfaError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CloudMfaError);
    return err as CloudMfaError;
  }
  throw new Error('expected a throw');
}

/** Everything an error could leak through: message, stack, cause, own properties. */
export function errorSurface(err: unknown): string {
  const e = err as { message?: unknown; stack?: unknown; cause?: unknown };
  return [String(e.message), String(e.stack), String(e.cause), JSON.stringify(err)].join('\n');
}
