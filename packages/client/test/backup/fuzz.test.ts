import { CloudMfaError, utf8Encode } from '@cloudmfa/core';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importAegis } from '../../src/aegis.js';
import { exportBackup, importBackup } from '../../src/backup/index.js';
import { FAST_KDF, seededRandom } from '../vault/helpers.js';

// Whatever the import functions are fed, they fail with a typed CloudMfaError only.
const CODES = new Set([
  'ERR_BACKUP_FORMAT',
  'ERR_BACKUP_VERSION',
  'ERR_BACKUP_DAMAGED',
  'ERR_BACKUP_PASSWORD',
  'ERR_BACKUP_PASSWORD_REQUIRED',
  'ERR_BACKUP_KDF_COST',
  'ERR_BACKUP_TOO_LARGE',
]);
const params = (numRuns: number) => ({ seed: 4242, numRuns });

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OPENED';
  } catch (err) {
    if (!(err instanceof CloudMfaError) || !CODES.has(err.code)) throw new Error(`untyped or unexpected failure: ${String(err)}`);
    return err.code;
  }
}

const PASSWORD = 'correct horse battery';
const plain = readFileSync(new URL('../vectors/aegis-format/plain.json', import.meta.url), 'utf8');
const encrypted = readFileSync(new URL('../vectors/aegis-format/encrypted.json', import.meta.url), 'utf8');

/** Replaces the value at a random path of a JSON tree by an arbitrary JSON value. */
function mutateJson(root: unknown, path: number[], value: unknown): unknown {
  if (path.length === 0 || typeof root !== 'object' || root === null) return value;
  const keys = Object.keys(root);
  if (keys.length === 0) return value;
  const key = keys[(path[0] as number) % keys.length] as string;
  const copy: Record<string, unknown> = Array.isArray(root) ? ([...root] as never) : { ...(root as Record<string, unknown>) };
  copy[key] = mutateJson((root as Record<string, unknown>)[key], path.slice(1), value);
  return copy;
}

describe('backup import fuzzing (fast-check, seeded)', () => {
  it('importBackup: arbitrary bytes and mutated backups give typed errors only', async () => {
    const file = await exportBackup({ contents: utf8Encode('contents'), password: PASSWORD, kdf: FAST_KDF, random: seededRandom('fuzz') });
    const mutated = fc
      .tuple(fc.nat(file.length - 1), fc.integer({ min: 1, max: 255 }), fc.nat(file.length))
      .map(([at, xor, cut]) => {
        const m = file.slice();
        m[at] = (m[at] as number) ^ xor;
        return m.subarray(0, Math.max(cut, at + 1));
      });
    const arbitrary = fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ maxLength: 400 }).map((b) => Uint8Array.from([0x43, 0x4d, 0x46, 0x56, 1, 2, ...b])), mutated);
    await fc.assert(
      fc.asyncProperty(arbitrary, async (bytes) => {
        expect(await outcome(importBackup({ file: bytes, password: PASSWORD }))).not.toBe('OPENED');
      }),
      params(1500),
    );
  });

  it('importAegis: arbitrary strings and JSON give typed errors only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ version: 1, header: { slots: null, params: null }, db: v }))), async (json) => {
        await outcome(importAegis({ json, password: 'test' }));
      }),
      params(1500),
    );
  });

  it('importAegis: mutated exports give typed errors or a result, never anything else', async () => {
    const trees = [JSON.parse(plain), JSON.parse(encrypted)];
    // Tight KDF budget: a mutated slot must not cost seconds; the caps are tested elsewhere.
    const crypto = { scrypt: async () => new Uint8Array(32) } as never;
    await fc.assert(
      fc.asyncProperty(fc.nat(1), fc.array(fc.nat(40), { minLength: 1, maxLength: 6 }), fc.oneof(fc.jsonValue(), fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF=+/') }), fc.integer()), async (which, path, value) => {
        const json = JSON.stringify(mutateJson(trees[which], path, value));
        // Either a result or a typed error: `outcome` fails the property on anything else.
        await outcome(importAegis({ json, password: 'test', crypto }));
      }),
      params(1500),
    );
  });
});
