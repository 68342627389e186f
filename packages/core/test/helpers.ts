// Test helpers: pinned randomness and error capture. Not part of the package.
import { sha256 } from '@noble/hashes/sha2.js';
import type { RandomSource } from '@cloudmfa/core';
import { expect } from 'vitest';

/** Deterministic bytes: SHA-256 in counter mode over a label. Same label, same stream. */
export function seededRandom(label: string): RandomSource {
  let counter = 0;
  const seed = Uint8Array.from(label, (c) => c.charCodeAt(0) & 0xff);
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let o = 0; o < n; o += 32) {
      const block = new Uint8Array(seed.length + 4);
      block.set(seed);
      new DataView(block.buffer).setUint32(seed.length, counter++);
      out.set(sha256(block).subarray(0, Math.min(32, n - o)), o);
    }
    return out;
  };
}

export const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

/** Runs `fn` and returns what it threw (sync or async); fails the test if it did not throw. */
export async function caught(fn: () => unknown): Promise<Error & { code?: string; cause?: unknown }> {
  try {
    await fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

/** Synchronous variant of {@link caught}. */
export function caughtSync(fn: () => unknown): Error & { code?: string; cause?: unknown } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

/** Asserts a CloudMfaError with `code` whose message quotes no 4-character run of `secret`. */
export function expectCodeWithoutLeak(err: Error & { code?: string }, code: string, secret: string): void {
  expect(err.name).toBe('CloudMfaError');
  expect(err.code).toBe(code);
  const compact = secret.replace(/\s+/g, '');
  for (let i = 0; i + 4 <= compact.length; i++) {
    const run = compact.slice(i, i + 4);
    expect(err.message.includes(run) || err.message.toUpperCase().includes(run.toUpperCase()) ? run : null).toBeNull();
  }
}

/** TypeScript 5.9 types WebCrypto inputs as ArrayBuffer-backed views; ours are. */
export const bs = (b: Uint8Array): Uint8Array<ArrayBuffer> => b as Uint8Array<ArrayBuffer>;
