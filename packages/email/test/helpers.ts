// Activations issued by a real server (the facade of @cloudmfa/server on the memory store, a
// pinned clock, seeded randomness) for the email tests, and small assertion helpers.
import { type CloudMfaError, createSoftwareSigner, fixedClock, isCloudMfaError } from '@cloudmfa/core';
import { createMfaServer, type StartedActivation } from '@cloudmfa/server';
import { createMemoryStore } from '@cloudmfa/storage';
import { expect } from 'vitest';
import { FAST_KDF, KEK1, ORIGIN, seededRandom, T0, testCrypto } from '../../server/test/helpers.js';

export { T0 };

export function emailServer(issuer = 'Acme Corporation', seed = 'email') {
  const clock = fixedClock(T0);
  const server = createMfaServer({
    store: createMemoryStore({ clock }),
    keys: { kek: { current: 'k1', keys: { k1: KEK1 } }, push: createSoftwareSigner({ algorithm: 'ES256', random: seededRandom('push-key') }) },
    issuer,
    origin: ORIGIN,
    policy: { activation: { kdf: FAST_KDF } },
    clock,
    random: seededRandom(seed),
    crypto: testCrypto,
  });
  return { server, clock };
}

export async function issue(mode: 'online' | 'offline' | 'otpauth', options: { issuer?: string; account?: string } = {}): Promise<{ activation: StartedActivation; clock: ReturnType<typeof fixedClock> }> {
  const { server, clock } = emailServer(options.issuer);
  const activation = await server.startActivation({ userId: 'alice', mode, ...(options.account ? { account: options.account } : {}) });
  return { activation, clock };
}

/** The typed error `fn` throws (or rejects with). */
export async function rejection(fn: () => unknown): Promise<CloudMfaError> {
  try {
    await fn();
  } catch (e) {
    if (isCloudMfaError(e)) return e;
    throw e;
  }
  return expect.unreachable('expected a CloudMfaError') as never;
}

/** The element names of an HTML document, in order. */
export const tagsOf = (html: string): string[] => [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase());
