import { CloudMfaError, type RandomSource } from '@cloudmfa/core';
import { firstIssuePath } from './schemas.js';

/** Runs a schema on developer input; failure throws `ERR_INVALID_ARGUMENT` naming the field, never its value. */
export function parseArgument<T>(
  schema: { safeParse(v: unknown): { success: true; data: unknown } | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> }> } } },
  value: unknown,
  title: string,
): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const path = firstIssuePath(result.error);
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${path === '(root)' ? title : `${title}.${path}`}" is invalid`);
  }
  return result.data as T;
}

/** Calls a random source and checks what it returned. */
export function randomBytes(random: RandomSource, n: number): Uint8Array {
  const out = random(n);
  if (!(out instanceof Uint8Array) || out.length !== n) {
    throw new CloudMfaError('ERR_NO_RANDOM_SOURCE', `random source returned the wrong number of bytes for ${n}`);
  }
  return out;
}

/** Reads an injected clock: a finite, non-negative number of milliseconds. */
export function readClock(now: () => number): number {
  const t = now();
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"now" returned an invalid time');
  }
  return t;
}
