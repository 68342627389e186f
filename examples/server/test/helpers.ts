// Shared by the reference server's tests: a seeded random source, a native-scrypt crypto
// provider for the app side, an HTTP client for the admin API and the device API, and the app
// side of the flows built from the SDK's own app functions (so every test runs the protocol).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, scryptSync } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { createRedemption, openEnvelope, openRedemptionResponse, type RedeemedIdentity } from '@cloudmfa/activation';
import { type Clock, createSoftwareSigner, type RandomSource, type SoftwareSigner } from '@cloudmfa/core';
import { createCryptoProvider } from '@cloudmfa/core/providers';
import { totp } from '@cloudmfa/otp';
import { createPushPollRequest, createPushResponse, type PushDecision, verifyPushChallenge } from '@cloudmfa/push';

export const SERVER_MJS = new URL('../server.mjs', import.meta.url).pathname;

/** Deterministic bytes: SHA-256(label || counter) blocks. Tests only. */
export function seededRandom(label: string): RandomSource {
  let counter = 0;
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let o = 0; o < n; o += 32) {
      const block = createHash('sha256').update(label).update(String(counter++)).digest();
      out.set(block.subarray(0, Math.min(32, n - o)), o);
    }
    return out;
  };
}

/** The app side's envelope KDF through Node's native scrypt (bit-identical to the pure-JS one). */
const appCrypto = createCryptoProvider({
  scrypt: async (password, salt, p) => new Uint8Array(scryptSync(password, salt, p.dkLen, { N: p.N, r: p.r, p: p.p, maxmem: 256 * 1024 * 1024 })),
});

/** The cheapest envelope KDF the sealing floor allows, as a CLOUDMFA_POLICY fragment. */
export const FAST_KDF_POLICY = { activation: { kdf: { algorithm: 'scrypt', log2N: 14, r: 8, p: 1 } } };

/**
 * The reference server's environment in a test (for `readConfig`): ephemeral device and admin
 * ports, the SQLite database and key file in `dir`, the admin `token`, the issuer "Acme
 * Corporation" and {@link FAST_KDF_POLICY}. `extra` adds variables or replaces these.
 */
export function testServerEnv(dir: string, token: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    CLOUDMFA_ADMIN_PORT: '0',
    CLOUDMFA_DB: join(dir, 'cloudmfa.db'),
    CLOUDMFA_KEY_FILE: join(dir, 'keys.json'),
    CLOUDMFA_ADMIN_TOKEN: token,
    CLOUDMFA_ISSUER: 'Acme Corporation',
    CLOUDMFA_POLICY: JSON.stringify(FAST_KDF_POLICY),
    ...extra,
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function call(url: string, init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A raw request with a Host header of our choosing (fetch does not let us set it). */
export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string> }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A phone: its device key and random source. */
export interface Phone {
  signer: SoftwareSigner;
  random: RandomSource;
}

export function makePhone(name: string): Phone {
  return { signer: createSoftwareSigner({ algorithm: 'ES256', random: seededRandom(`device-key-${name}`) }), random: seededRandom(`phone-${name}`) };
}

/** App side of an online activation: open the envelope, redeem through the device API. */
export async function redeemOverHttp(
  deviceUrl: string,
  activation: { text: string; password: string },
  phone: Phone,
  now: Clock,
): Promise<{ identity: RedeemedIdentity; status: number }> {
  const opened = await openEnvelope({ text: activation.text, password: activation.password, now, crypto: appCrypto });
  if (opened.payload.mode !== 'online') throw new Error('expected an online envelope');
  const { request, state } = await createRedemption({
    payload: opened.payload,
    deviceSigner: phone.signer,
    pushToken: null,
    platform: 'android',
    now,
    random: phone.random,
    crypto: appCrypto,
  });
  const res = await call(`${deviceUrl}/v1/activations/redeem`, { body: request });
  if (res.status !== 200) throw new Error(`redemption refused: ${res.status} ${res.text}`);
  return { identity: await openRedemptionResponse({ response: res.json, state, crypto: appCrypto }), status: res.status };
}

export function codeAt(identity: RedeemedIdentity, now: Clock, offsetSteps = 0): string {
  return totp({ secret: identity.seed, now: () => now() + offsetSteps * identity.otp.period * 1000, period: identity.otp.period, digits: identity.otp.digits, algorithm: identity.otp.algorithm });
}

/** A 6-digit code that none of the steps in [-2, 2] accepts. */
export function wrongCode(identity: RedeemedIdentity, now: Clock, salt = 0): string {
  const valid = new Set([-2, -1, 0, 1, 2].map((d) => codeAt(identity, now, d)));
  let n = (314159 + salt * 7919) % 1_000_000;
  while (valid.has(String(n).padStart(6, '0'))) n = (n + 1) % 1_000_000;
  return String(n).padStart(6, '0');
}

/** The phone polls the device API and answers its only pending challenge. */
export async function pollAndAnswer(
  deviceUrl: string,
  identity: RedeemedIdentity,
  phone: Phone,
  now: Clock,
  decision: PushDecision,
  number?: string,
): Promise<string> {
  const poll = await call(`${deviceUrl}/v1/push/poll`, {
    body: { request: await createPushPollRequest({ enrolmentId: identity.enrolmentId, signer: phone.signer, now, random: phone.random }) },
  });
  if (poll.status !== 200) throw new Error(`poll refused: ${poll.status} ${poll.text}`);
  const token = poll.json.challenges[0];
  const verified = await verifyPushChallenge({ challenge: token, serverKey: identity.pushKey, expectedEnrolmentId: identity.enrolmentId, now });
  if (!verified.ok) throw new Error(`challenge refused: ${verified.reason}`);
  return createPushResponse({ challenge: verified.challenge, decision, ...(number !== undefined ? { number } : {}), userVerified: true, signer: phone.signer, now });
}

/** A started `node server.mjs`: its output so far, its addresses and token, and a way to stop it. */
export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  deviceUrl: string;
  adminUrl: string;
  token: string | null;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop: (signal?: NodeJS.Signals) => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `node server.mjs` (built packages) and waits for its `listening` line, or its exit. */
export function startServerProcess(env: Record<string, string>, cwd: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, [SERVER_MJS], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time\n${out}\n${err}`));
    }, 30_000);
    child.stderr.on('data', (c: string) => {
      err += c;
    });
    child.stdout.on('data', (c: string) => {
      out += c;
      const m = /listening device=(\S+) admin=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const token = /admin token \(generated[^)]*\): (\S+)/.exec(out)?.[1] ?? null;
        resolve({
          child,
          stdout: () => out,
          stderr: () => err,
          deviceUrl: m[1] as string,
          adminUrl: m[2] as string,
          token,
          exited,
          stop: (signal = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then((r) => {
      clearTimeout(timer);
      if (!/listening device=/.test(out)) reject(Object.assign(new Error(`server exited before listening (${r.code})`), { exit: r, stdout: out, stderr: err }));
    });
  });
}
