// The admin login (docs/guides/reference-server.md 1.2 and 4.3): an operator token below 128
// bits of estimated entropy stops the server before it listens, and wrong admin tokens (login
// form and bearer token) are throttled per client address and globally. Driven over real HTTP
// from several loopback source addresses (127.0.0.2, 127.0.0.3, ...), with a pinned clock.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '@cloudmfa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApp } from '../src/app.mjs';
import { readConfig } from '../src/config.mjs';
import { estimateTokenBits, tokenAlphabetSize } from '../src/tokenEntropy.mjs';
import { seededRandom, testServerEnv } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);
const TOKEN = 'login-throttle-admin-token-0123456789';

/** `n` characters drawn (deterministically) from `alphabet`. */
function tokenOf(alphabet: string, n: number, label = alphabet): string {
  let out = '';
  for (let i = 0; out.length < n; i++) {
    for (const b of createHash('sha256').update(`${label}:${i}`).digest()) if (out.length < n) out += alphabet[b % alphabet.length];
  }
  return out;
}
const HEX = '0123456789abcdef';
const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

describe('the operator token needs at least 128 bits (length × log2 of its alphabet)', () => {
  const env = (token: string) => ({ CLOUDMFA_ADMIN_TOKEN: token });

  it('sizes the alphabet from the characters that occur', () => {
    expect(tokenAlphabetSize('0123456789')).toBe(10);
    expect(tokenAlphabetSize('00ff00aa')).toBe(16);
    expect(tokenAlphabetSize('00FF00AA')).toBe(16);
    expect(tokenAlphabetSize('00ff00AA')).toBe(26 + 26 + 10);
    expect(tokenAlphabetSize('abcxyz')).toBe(26);
    expect(tokenAlphabetSize('abc-XYZ_09')).toBe(64);
    expect(tokenAlphabetSize('abc!XYZ~09')).toBe(26 + 26 + 10 + 30);
    expect(tokenAlphabetSize('a-!')).toBe(26 + 2 + 30);
    expect(estimateTokenBits(tokenOf(HEX, 32))).toBe(128);
  });

  // Both sides of the boundary for three alphabets: 32 hex digits = 128 bits exactly, 31 = 124;
  // 39 decimal digits = 129.6, 38 = 126.2; 28 lowercase letters = 131.6, 27 = 126.9.
  it.each([
    ['hex', HEX, 32, 31],
    ['decimal', DIGITS, 39, 38],
    ['lowercase', LOWER, 28, 27],
  ])('%s: accepts the shortest token that reaches 128 bits, refuses one character less', (_name, alphabet, enough, tooFew) => {
    const strong = tokenOf(alphabet, enough);
    const weak = tokenOf(alphabet, tooFew);
    expect(estimateTokenBits(strong)).toBeGreaterThanOrEqual(128);
    expect(estimateTokenBits(weak)).toBeLessThan(128);
    expect(readConfig(env(strong)).adminToken).toBe(strong);
    let message = '';
    try {
      readConfig(env(weak));
    } catch (e) {
      expect((e as Error).name).toBe('ConfigError');
      message = (e as Error).message;
    }
    expect(message).toContain('CLOUDMFA_ADMIN_TOKEN expected at least 128 bits of entropy');
    expect(message).not.toContain(weak);
  });

  it('keeps accepting what the server generates and the test tokens (base64url, 43 characters = 258 bits)', () => {
    expect(estimateTokenBits(tokenOf('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 43))).toBe(258);
    expect(readConfig(env(TOKEN)).adminToken).toBe(TOKEN);
  });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request to the admin listener from a chosen loopback source address. */
function from(address: string, url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers, localAddress: address }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('wrong admin tokens are throttled per address and globally', () => {
  let dir: string;
  let app: Awaited<ReturnType<typeof startApp>>;
  let clock: ReturnType<typeof fixedClock>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cmfa-example-login-'));
    clock = fixedClock(T0);
    const config = readConfig(testServerEnv(dir, TOKEN, { CLOUDMFA_LOG: 'off' }));
    app = await startApp(config, { clock, random: seededRandom('login-test') });
  });

  afterEach(async () => {
    await app?.close(1000);
    rmSync(dir, { recursive: true, force: true });
  });

  const login = (address: string, token: string) =>
    from(address, `${app.adminUrl}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString() });
  const bearer = (address: string, token: string) => from(address, `${app.adminUrl}/api/health`, { headers: { authorization: `Bearer ${token}` } });
  const codeOf = (a: Answer) => JSON.parse(a.body).error.code as string;

  it('after 5 wrong tokens from an address, that address is refused (429, the right token too) until the minute is over; others are not', async () => {
    for (let i = 0; i < 5; i++) {
      const wrong = i % 2 ? await bearer('127.0.0.2', `${TOKEN}x`) : await login('127.0.0.2', `wrong-${i}`);
      expect(wrong.status).toBe(401);
    }
    const page = await login('127.0.0.2', TOKEN);
    expect([page.status, page.headers['retry-after'], page.headers['set-cookie']]).toEqual([429, '60', undefined]);
    expect(page.body).toContain('Too many wrong tokens: try again in 60 s.');
    const json = await bearer('127.0.0.2', TOKEN);
    expect([json.status, codeOf(json), json.headers['retry-after']]).toEqual([429, 'ERR_ADMIN_THROTTLED', '60']);

    const other = await login('127.0.0.3', TOKEN);
    expect([other.status, other.headers.location]).toEqual([303, '/']);
    expect((await bearer('127.0.0.3', TOKEN)).status).toBe(200);

    clock.advance(59_000);
    expect((await bearer('127.0.0.2', TOKEN)).headers['retry-after']).toBe('1');
    clock.advance(1_000);
    expect((await login('127.0.0.2', TOKEN)).status).toBe(303);
    expect((await bearer('127.0.0.2', TOKEN)).status).toBe(200);
  });

  it('after 20 wrong tokens from any addresses, every address is refused until the minute is over', async () => {
    for (let i = 0; i < 20; i++) {
      const address = `127.0.0.${2 + (i % 5)}`; // 4 per address: no address reaches its own limit
      const wrong = i % 2 ? await bearer(address, `${TOKEN}${i}`) : await login(address, `wrong-${i}`);
      expect(wrong.status).toBe(401);
    }
    const fresh = await login('127.0.0.9', TOKEN);
    expect([fresh.status, fresh.headers['set-cookie']]).toEqual([429, undefined]);
    const json = await bearer('127.0.0.9', TOKEN);
    expect([json.status, codeOf(json)]).toEqual([429, 'ERR_ADMIN_THROTTLED']);
    clock.advance(60_000);
    expect((await login('127.0.0.9', TOKEN)).status).toBe(303);
    expect((await bearer('127.0.0.2', TOKEN)).status).toBe(200);
  });

  it('counts only wrong tokens: a request without a token is refused (401) but uses no attempt', async () => {
    for (let i = 0; i < 30; i++) expect((await from('127.0.0.2', `${app.adminUrl}/api/health`)).status).toBe(401);
    for (let i = 0; i < 4; i++) expect((await bearer('127.0.0.2', `${TOKEN}x`)).status).toBe(401);
    expect((await bearer('127.0.0.2', TOKEN)).status).toBe(200);
  });
});
