// Enrolment's envelope KDF on Node is node:crypto's scrypt by default (issue 12 §7), through the
// package's `#native-kdf` import and its `node` condition; a bundle built for a worker (no
// `node` condition) resolves the other variant and carries no Node built-in.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { builtinModules, syncBuiltinESMExports } from 'node:module';
import { fileURLToPath } from 'node:url';
import { openEnvelope } from '@cloudmfa/activation';
import { createSoftwareSigner } from '@cloudmfa/core';
import { createMemoryStore } from '@cloudmfa/storage';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { createMfaServer } from '../src/index.js';
import { ISSUER, KEK1, ORIGIN, seededRandom, T0, TEST_STORE_DEADLINE_MS } from './helpers.js';

const original = { scrypt: crypto.scrypt, pbkdf2: crypto.pbkdf2 };
afterEach(() => {
  Object.assign(crypto, original);
  syncBuiltinESMExports();
});

/** Counts calls of node:crypto's `name`, for ESM importers too (their bindings are synced). */
function count(name: 'scrypt' | 'pbkdf2'): { calls: number } {
  const seen = { calls: 0 };
  const real = original[name] as (...args: unknown[]) => unknown;
  (crypto as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
    seen.calls++;
    return real(...args);
  };
  syncBuiltinESMExports();
  return seen;
}

function defaultServer(kdf: { algorithm: 'scrypt'; log2N: number; r: number; p: number } | { algorithm: 'pbkdf2-sha256'; iterations: number }) {
  const clock = () => T0;
  // No `crypto` option: the default under test.
  return createMfaServer({
    store: createMemoryStore({ clock }),
    keys: { kek: { current: 'k1', keys: { k1: KEK1 } }, push: createSoftwareSigner({ algorithm: 'ES256', random: seededRandom('push') }) },
    issuer: ISSUER,
    origin: ORIGIN,
    policy: { activation: { kdf } },
    clock,
    random: seededRandom('server'),
    storeDeadlineMs: TEST_STORE_DEADLINE_MS,
  });
}

describe('the default KDF on Node', () => {
  it('seals the activation envelope with node:crypto scrypt, and the app opens it', async () => {
    const scrypt = count('scrypt');
    const a = await defaultServer({ algorithm: 'scrypt', log2N: 15, r: 8, p: 1 }).startActivation({ userId: 'alice' });
    expect(scrypt.calls).toBe(1);
    // The app side (pure JS, as on a phone) derives the same key.
    Object.assign(crypto, original);
    syncBuiltinESMExports();
    const opened = await openEnvelope({ text: a.text, password: a.password as string, now: () => T0 });
    expect(opened.mode).toBe('online');
  });

  it('derives PBKDF2-SHA256 envelopes with node:crypto pbkdf2', async () => {
    const pbkdf2 = count('pbkdf2');
    const a = await defaultServer({ algorithm: 'pbkdf2-sha256', iterations: 600_000 }).startActivation({ userId: 'alice' });
    expect(pbkdf2.calls).toBe(1);
    expect((await openEnvelope({ text: a.text, password: a.password as string, now: () => T0 })).mode).toBe('online');
  });
});

describe('a bundle for a worker (no `node` condition)', () => {
  it('resolves #native-kdf to the variant without Node built-ins', async () => {
    // The BUILT package, as a worker's bundler sees it (`pnpm test` builds first).
    const out = await build({
      entryPoints: [fileURLToPath(new URL('../dist/index.js', import.meta.url))],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['workerd', 'worker', 'browser', 'import', 'default'],
      external: ['@cloudmfa/*', 'zod'],
      logLevel: 'silent',
    });
    const code = out.outputFiles[0]!.text;
    const builtin = new RegExp(`(?:from\\s*|require\\(|import\\()["'](?:node:)?(?:${builtinModules.join('|')})["']`);
    expect(code).not.toMatch(builtin);
    expect(code).not.toContain('node-native-kdf');
    expect(code).toMatch(/function nativeKdf\(\)\s*\{\s*return null;/);
  });
});

describe('Node, Bun and Deno resolve the native variant themselves', () => {
  const bin = (name: string) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));
  const probe = fileURLToPath(new URL('./runtimes/kdfProbe.mjs', import.meta.url));
  // RFC 7914 section 12, scrypt("password", "NaCl", N = 1024, r = 8, p = 16, dkLen = 64).
  const RFC7914 = 'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640';
  const runs: [string, string, string[]][] = [
    ['Node', process.execPath, [probe]],
    ['Bun', bin('bun'), ['run', probe]],
    ['Deno', bin('deno'), ['run', '--no-prompt', probe]],
  ];
  it.each(runs)('%s', (_name, command, args) => {
    const out = execFileSync(command, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(JSON.parse(out.trim())).toEqual({ name: 'node-native-kdf', key: RFC7914 });
  });
});
