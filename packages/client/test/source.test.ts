// Source hygiene of the engine's own files (the vault and backup directories have their own
// tests): every export of index.ts that the engine owns has TSDoc with an @example, and the
// phone-side code uses nothing Hermes lacks or that hides time or randomness.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as client from '../src/index.js';

const src = fileURLToPath(new URL('../src', import.meta.url));
const sources = readdirSync(src, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ path: f, text: readFileSync(join(src, f), 'utf8') }));
const engineSources = sources.filter((s) => !s.path.includes('/'));
const index = readFileSync(join(src, 'index.ts'), 'utf8');
const stripComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
const engineNames = [...index.matchAll(/export\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'\.\/([^/']+)\.js'/g)].flatMap((m) =>
  (m[1] as string)
    .split(',')
    .map((s) => s.trim().replace(/^type\s+/, ''))
    .filter(Boolean),
);

describe('@cloudmfa/client source', () => {
  it('index.ts only re-exports', () => {
    expect(index.replace(/export\s*(?:type\s*)?(?:\{[^}]*\}|\*)\s*from\s*'[^']+';/g, '').trim()).toBe('');
  });

  it('the engine exports createAuthenticator and createSoftwareDeviceKeys at runtime', () => {
    expect(typeof client.createAuthenticator).toBe('function');
    expect(typeof client.createSoftwareDeviceKeys).toBe('function');
  });

  it.each(engineNames)('%s has TSDoc with an @example', (name) => {
    const documented = engineSources.some(({ text }) => {
      const re = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*export\\s+(?:declare\\s+)?(?:async\\s+)?(?:function|const|class|type|interface)\\s+${name}\\b`);
      const m = re.exec(text);
      return m !== null && (m[1] as string).includes('@example');
    });
    expect(documented).toBe(true);
  });

  it.each(sources.map((s) => [s.path, s.text]))('%s uses no Node built-ins, TextEncoder, Buffer, Math.random or Date.now', (_, text) => {
    const code = stripComments(text);
    expect(code).not.toMatch(/from\s+'node:|require\(/);
    expect(code).not.toMatch(/\bText(En|De)coder\b/);
    expect(code).not.toMatch(/\bBuffer\b|Math\.random|Date\.now\(\)|\batob\b|\bbtoa\b/);
  });
});
