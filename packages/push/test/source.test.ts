// Source hygiene on the code itself: index.ts only re-exports, every public export has TSDoc with
// an @example, and the phone-facing code uses nothing Hermes lacks or that hides time/randomness.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as push from '@cloudmfa/push';
import * as pushServer from '@cloudmfa/push/server';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src', import.meta.url));
const sources = readdirSync(src)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ path: f, text: readFileSync(join(src, f), 'utf8') }));
// Two entry points: the device's half and the shared parts (index.ts) and the server's half
// (server.ts, `@cloudmfa/push/server`, kept off phone bundles).
const entries = ['index.ts', 'server.ts'].map((f) => readFileSync(join(src, f), 'utf8'));
const index = entries.join('\n');
const stripComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
const exportedNames = [...index.matchAll(/export\s*(?:type\s*)?\{([^}]*)\}/g)].flatMap((m) =>
  (m[1] as string)
    .split(',')
    .map((s) => s.trim().replace(/^type\s+/, ''))
    .filter(Boolean),
);

describe('@cloudmfa/push public surface', () => {
  it('index.ts only re-exports; server.ts only re-exports under its header comment', () => {
    const [main, server] = entries as [string, string];
    expect(main.replace(/export\s*(?:type\s*)?\{[^}]*\}\s*from\s*'[^']+';/g, '').trim()).toBe('');
    expect(stripComments(server).replace(/export\s*(?:type\s*)?\{[^}]*\}\s*from\s*'[^']+';/g, '').trim()).toBe('');
  });

  it.each(exportedNames)('%s has TSDoc with an @example', (name) => {
    const documented = sources.some(({ text }) => {
      const re = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*export\\s+(?:declare\\s+)?(?:async\\s+)?(?:function|const|class|type|interface)\\s+${name}\\b`);
      const m = re.exec(text);
      return m !== null && (m[1] as string).includes('@example');
    });
    expect(documented).toBe(true);
  });

  it('the runtime exports are exactly these', () => {
    expect(Object.keys(push).sort()).toEqual(
      [
        'PUSH_LIMITS', 'PUSH_NOTIFICATION', 'PUSH_TYP', 'createDeviceRequest', 'createPushPollRequest', 'createPushResponse', 'peekPushMessage', 'publicKeyThumbprint',
        'publicKeyToJwk', 'verifyPushChallenge',
      ].sort(),
    );
    expect(Object.keys(pushServer).sort()).toEqual(
      [
        'PUSH_CHALLENGE_STATES', 'PUSH_CHALLENGE_TRANSITIONS', 'buildApnsPayload', 'buildFcmPayload', 'createPushChallenge', 'isFinalChallengeState',
        'nextChallengeState', 'peekDeviceRequest', 'verifyDeviceRequest', 'verifyPushPollRequest', 'verifyPushResponse',
      ].sort(),
    );
  });

  it.each(sources.map((s) => [s.path, s.text]))('%s uses no Node built-ins, TextEncoder, Buffer, Math.random or Date.now', (_, text) => {
    const code = stripComments(text);
    expect(code).not.toMatch(/from\s+'node:|require\(/);
    expect(code).not.toMatch(/\bText(En|De)coder\b/);
    expect(code).not.toMatch(/\bBuffer\b|Math\.random|Date\.now\(\)|\batob\b|\bbtoa\b/);
  });
});
