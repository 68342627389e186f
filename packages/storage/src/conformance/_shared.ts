// Shared by the conformance groups (./<group>.ts): the per-test context and small helpers.
import { type fixedClock, isCloudMfaError } from '@cloudmfa/core';
import { expect } from 'vitest';
import type { StorageErrorCode } from '../errors.js';
import type { JsonObject, MfaStore } from '../types.js';

/**
 * The time every conformance test starts at: 2026-01-01T00:00:00Z.
 *
 * @example
 * ```ts
 * const { events: [first] } = await store.audit.query({ enrolmentId });
 * expect(first?.at).toBe(CONFORMANCE_T0);
 * ```
 */
export const CONFORMANCE_T0 = Date.UTC(2026, 0, 1);

/**
 * The per-test context: a fresh store set, the clock the suite moves, and `open`, which makes
 * another store set of the same adapter on the same clock (the test closes and cleans it up).
 */
export type Ctx = {
  store: MfaStore;
  clock: ReturnType<typeof fixedClock>;
  open: () => Promise<{ store: MfaStore; cleanup?: () => Promise<void> | void }>;
};

export const SECRET = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
export const MIN = 60_000;

/** Awaits `run()` and asserts it rejected (not threw synchronously) with CloudMfaError `code`. */
export async function expectCode(run: () => Promise<unknown>, code: StorageErrorCode | 'ERR_INVALID_ARGUMENT'): Promise<Error> {
  let p: Promise<unknown>;
  try {
    p = run();
  } catch (e) {
    throw new Error(`expected a rejected promise with ${code}, but the call threw synchronously: ${String((e as { code?: string }).code ?? e)}`);
  }
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a rejection with ${code}`).toBeDefined();
  expect(isCloudMfaError(err, code), `expected ${code}, got ${String((err as { code?: string }).code ?? err)}`).toBe(true);
  return err as Error;
}

export const enrol = (c: Ctx, id: string, extra: Partial<{ userId: string; meta: JsonObject; ttl: number; secret: Uint8Array }> = {}) =>
  c.store.enrolments.create({
    id,
    userId: extra.userId ?? 'alice',
    secret: extra.secret ?? SECRET,
    meta: extra.meta ?? { label: 'Alice', mode: 'online' },
    expiresAt: c.clock() + (extra.ttl ?? 5 * MIN),
  });

/** Creates a challenge that must be accepted (no pause, no cap) and returns its record. */
export const challenge = async (c: Ctx, id: string, extra: Partial<{ enrolmentId: string; userId: string; ttl: number; meta: JsonObject }> = {}) => {
  const r = await c.store.challenges.create({
    id,
    enrolmentId: extra.enrolmentId ?? 'enr1',
    userId: extra.userId ?? 'alice',
    expiresAt: c.clock() + (extra.ttl ?? 2 * MIN),
    meta: extra.meta ?? { jws: 'eyJhbGciOiJFUzI1NiJ9.e30.sig', number: '42' },
  });
  if (!r.ok) throw new Error(`challenges.create refused ${id}: ${r.reason}`);
  return r.challenge;
};

/** A string whose JSON object `{ k: s }` serializes to exactly `bytes` UTF-8 bytes. */
export function jsonOfBytes(bytes: number, filler = 'x'): JsonObject {
  const overhead = '{"k":""}'.length;
  const unit = new TextEncoderless(filler).bytes;
  const count = Math.floor((bytes - overhead) / unit);
  const rest = bytes - overhead - count * unit;
  return { k: filler.repeat(count) + 'y'.repeat(rest) };
}

// UTF-8 length without TextEncoder (the suite may be bundled for Hermes one day).
class TextEncoderless {
  readonly bytes: number;
  constructor(s: string) {
    let n = 0;
    for (const ch of s) {
      const cp = ch.codePointAt(0)!;
      n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }
    this.bytes = n;
  }
}

// A small seeded PRNG (mulberry32) for shuffles: tests never use unseeded randomness.
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
