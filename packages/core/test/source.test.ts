// Source hygiene, checked on the code itself: every public export is documented with an
// example, index.ts only re-exports, and the phone-facing code uses none of the APIs that
// Hermes lacks or that would hide time and randomness.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as coreRoot from '@cloudmfa/core';
import * as providers from '@cloudmfa/core/providers';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src', import.meta.url));
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
const sources = files(src).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
// The root entry and the `providers` subpath (host wiring, apart so phone bundles skip it).
const index = ['index.ts', 'providers.ts'].map((f) => readFileSync(join(src, f), 'utf8')).join('\n');
const core = { ...coreRoot, ...providers };
const stripComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');

const exportedNames = [...index.matchAll(/export\s*\{([^}]*)\}/g)].flatMap((m) =>
  (m[1] as string)
    .split(',')
    .map((s) => s.trim().replace(/^type\s+/, ''))
    .filter(Boolean),
);

describe('public surface', () => {
  it('index.ts and providers.ts only re-export', () => {
    const statements = stripComments(index).replace(/export\s*\{[^}]*\}\s*from\s*'[^']+';/g, '').trim();
    expect(statements).toBe('');
  });

  it.each(exportedNames)('%s has TSDoc with an @example', (name) => {
    const documented = sources.some(({ text }) => {
      const re = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*export\\s+(?:declare\\s+)?(?:async\\s+)?(?:function|const|class|type|interface)\\s+${name}\\b`);
      const m = re.exec(text);
      return m !== null && (m[1] as string).includes('@example');
    });
    expect(documented).toBe(true);
  });

  it('every runtime export in index.ts and providers.ts exists', () => {
    const runtime = Object.keys(core).sort();
    for (const name of runtime) expect(exportedNames).toContain(name);
    expect(runtime).toEqual(
      [
        'BASE45_ALPHABET', 'CloudMfaError', 'bytesToHex', 'checkedRandom',
        'concatBytes', 'constantTimeEqual', 'constantTimeEqualString', 'createCryptoProvider', 'createSoftwareSigner',
        'decodeBase32', 'decodeBase45', 'decodeBase64Url', 'derToRawSignature', 'encodeBase32', 'encodeBase45',
        'encodeBase64Url', 'fixedClock', 'hexToBytes', 'isCloudMfaError', 'isLowS', 'nobleHash', 'normalizeP256Signature',
        'pureJsCryptoProvider', 'rawToDerSignature', 'signerFromHost', 'systemClock', 'systemRandom', 'utf8Decode',
        'utf8Encode', 'webCryptoProvider',
      ].sort(),
    );
  });
});

describe('phone-safe source', () => {
  it.each(sources.map((s) => [s.path.slice(src.length + 1), s.text]))('%s uses no Node built-ins, TextEncoder/TextDecoder, Math.random or hidden Date.now', (path, text) => {
    const code = stripComments(text);
    expect(code).not.toMatch(/from\s+'node:|require\(/);
    expect(code).not.toMatch(/\bText(En|De)coder\b/);
    expect(code).not.toMatch(/Math\.random/);
    expect(code).not.toMatch(/\bBuffer\b/);
    // Date.now() only as the documented default clock.
    const dateNow = code.match(/Date\.now\(\)/g) ?? [];
    expect(dateNow.length).toBe(path === 'runtime.ts' ? 1 : 0);
  });
});
