// Source hygiene on the code itself: index.ts only re-exports, every public export has TSDoc with
// an @example, and the phone-facing code uses nothing Hermes lacks or that hides time/randomness.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as push from '@cloudmfa/push';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src', import.meta.url));
const sources = readdirSync(src)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ path: f, text: readFileSync(join(src, f), 'utf8') }));
const index = readFileSync(join(src, 'index.ts'), 'utf8');
const stripComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
const exportedNames = [...index.matchAll(/export\s*(?:type\s*)?\{([^}]*)\}/g)].flatMap((m) =>
  (m[1] as string)
    .split(',')
    .map((s) => s.trim().replace(/^type\s+/, ''))
    .filter(Boolean),
);

describe('@cloudmfa/push public surface', () => {
  it('index.ts only re-exports', () => {
    expect(index.replace(/export\s*(?:type\s*)?\{[^}]*\}\s*from\s*'[^']+';/g, '').trim()).toBe('');
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
        'PUSH_CHALLENGE_STATES', 'PUSH_CHALLENGE_TRANSITIONS', 'PUSH_LIMITS', 'PUSH_TYP', 'buildApnsPayload', 'buildFcmPayload',
        'createDeviceRequest', 'createPushChallenge', 'createPushPollRequest', 'createPushResponse', 'isFinalChallengeState', 'nextChallengeState',
        'peekDeviceRequest', 'peekPushMessage', 'publicKeyThumbprint', 'publicKeyToJwk', 'verifyDeviceRequest', 'verifyPushChallenge', 'verifyPushPollRequest',
        'verifyPushResponse',
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
