// `node server.mjs` as a real child process (the BUILT packages, as `pnpm start` runs it) on its
// default SQLite file: startup output, the key file (created 0600, reused, refused when others
// can read it), configuration errors, enrol/redeem/verify across a restart, and a graceful
// SIGTERM with a request in flight.
//
// The child runs on the system clock (a process cannot be handed a test clock without a test
// hook in production code), so the app side here uses the same clock and every assertion holds
// at any moment: codes are taken inside the server's window, never at its edge.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { type Clock, systemClock } from '@cloudmfa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startPrivateRedis } from '../../../packages/storage-redis/test/privateRedis.js';
import { redisPersists } from '../src/stores.mjs';
import { call, codeAt, FAST_KDF_POLICY, makePhone, redeemOverHttp, SERVER_MJS, type ServerProcess, startServerProcess } from './helpers.js';

const now: Clock = systemClock;
let dir: string;
const base = { PORT: '0', CLOUDMFA_ADMIN_PORT: '0', CLOUDMFA_POLICY: JSON.stringify(FAST_KDF_POLICY) };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cmfa-example-proc-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function runToExit(env: Record<string, string>, cwd = dir) {
  return spawnSync(process.execPath, [SERVER_MJS], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
}

describe('node server.mjs on SQLite', () => {
  let first: ServerProcess;
  let identity: Awaited<ReturnType<typeof redeemOverHttp>>['identity'];
  let acceptedCode: string;
  let thumbprint: string;

  beforeAll(async () => {
    first = await startServerProcess(base, dir);
  });
  afterAll(async () => {
    await first?.stop('SIGKILL');
  });

  it('prints where it listens, the store, the keys and a generated admin token', () => {
    const out = first.stdout();
    expect(out).toContain('  store:      sqlite ./cloudmfa.db\n');
    expect(out).toMatch(/ {2}keys: {7}key file \.\/cloudmfa-keys\.json \(created, mode 0600\); KEK k1 \(1 configured\); push key ES256 [A-Za-z0-9_-]{43}\n/);
    expect(first.deviceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    thumbprint = /push key ES256 (\S+)/.exec(out)?.[1] as string;
  });

  it('creates the key file with mode 0600, and never prints its content', () => {
    const file = join(dir, 'cloudmfa-keys.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const keys = JSON.parse(readFileSync(file, 'utf8'));
    expect(keys).toMatchObject({ version: 1, kek: { current: 'k1' }, push: { algorithm: 'ES256' } });
    expect(keys.kek.keys.k1).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(keys.push.privateKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.stdout() + first.stderr()).not.toContain(keys.kek.keys.k1);
    expect(first.stdout() + first.stderr()).not.toContain(keys.push.privateKey);
  });

  it('enrols through the admin API, redeems through the device API, verifies a code', async () => {
    const started = await call(`${first.adminUrl}/api/v1/admin/orgs/default/enrolments`, { token: first.token as string, body: { userId: 'alice' } });
    expect(started.status).toBe(201);
    ({ identity } = await redeemOverHttp(first.deviceUrl, started.json, makePhone('proc-alice'), now));
    expect(identity.origin).toBe(first.deviceUrl);
    acceptedCode = codeAt(identity, now);
    const ok = await call(`${first.adminUrl}/api/v1/admin/orgs/default/verify`, { token: first.token as string, body: { userId: 'alice', code: acceptedCode } });
    expect(ok.json).toMatchObject({ ok: true, method: 'totp' });
    const out = first.stdout();
    expect(out).not.toContain(started.json.password);
    expect(out).not.toContain(acceptedCode);
    // The token is printed once, at start, and never again (not in the request log).
    expect(out.split(first.token as string).length).toBe(2);
  });

  it('shuts down gracefully on SIGTERM: a request in flight is answered, then exit 0', async () => {
    // A device poll whose body arrives in two parts, the second after SIGTERM. No timer
    // decides the order: `Expect: 100-continue` makes the server say when its handler has the
    // request (Node answers 100 Continue as it hands the request over), then SIGTERM, then,
    // once the server says it is shutting down, the rest of the body.
    const body = JSON.stringify({ request: 'not-a-jws' });
    const answered = new Promise<{ status: number; body: string; connection: string | undefined; socketClosed: Promise<void> }>((resolve, reject) => {
      const req = httpRequest(
        `${first.deviceUrl}/v1/push/poll`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length), expect: '100-continue' } },
        (res) => {
          const socketClosed = new Promise<void>((done) => res.socket.once('close', () => done()));
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, connection: res.headers.connection, socketClosed }));
        },
      );
      req.on('error', reject);
      req.flushHeaders();
      req.once('continue', () => {
        req.write(body.slice(0, 10));
        first.child.kill('SIGTERM');
        const wait = setInterval(() => {
          if (first.stdout().includes('shutting down (SIGTERM)')) {
            clearInterval(wait);
            req.end(body.slice(10));
          }
        }, 20);
      });
    });
    const res = await answered;
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('ERR_PUSH_MALFORMED');
    // Answered connections close at once, without waiting for the keep-alive timeout (5 s):
    // the answer says so and the server ends the connection itself.
    expect(res.connection).toBe('close');
    await res.socketClosed;
    const exit = await first.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // The request's log line comes after "shutting down": it was answered during the shutdown.
    expect(first.stdout()).toMatch(/shutting down \(SIGTERM\)\n\{[^\n]*"route":"\/v1\/push\/poll","status":400[^\n]*\}\nstopped\n$/);
    expect(first.stderr()).toBe('');
    // The WAL was checkpointed into the database file by the clean close.
    expect(() => statSync(join(dir, 'cloudmfa.db-wal'))).toThrow();
  });

  it('restarts on the same file and keys: the same push key, the enrolment, its replay state', async () => {
    const second = await startServerProcess(base, dir);
    try {
      expect(second.stdout()).toMatch(/keys: {7}key file \.\/cloudmfa-keys\.json; KEK k1/);
      expect(second.stdout()).toContain(`push key ES256 ${thumbprint}`);
      expect(second.token).not.toBe(first.token);
      const token = second.token as string;
      const replay = await call(`${second.adminUrl}/api/v1/admin/orgs/default/verify`, { token, body: { userId: 'alice', code: acceptedCode } });
      expect(replay.json).toMatchObject({ ok: false, reason: 'replayed' });
      const next = await call(`${second.adminUrl}/api/v1/admin/orgs/default/verify`, { token, body: { userId: 'alice', code: codeAt(identity, now, 1) } });
      expect(next.json).toMatchObject({ ok: true, enrolmentId: identity.enrolmentId });
      // The old admin token is gone with the old process.
      expect((await call(`${second.adminUrl}/api/health`, { token: first.token as string })).status).toBe(401);
    } finally {
      await second.stop();
    }
    expect((await second.exited).code).toBe(0);
  });
});

describe('refusals at start', () => {
  it('refuses a key file that group or others can read', () => {
    const d = mkdtempSync(join(tmpdir(), 'cmfa-example-keys-'));
    try {
      const file = join(d, 'keys.json');
      writeFileSync(file, JSON.stringify({ version: 1, kek: { current: 'k1', keys: { k1: 'A'.repeat(43) } }, push: { algorithm: 'ES256', privateKey: 'B'.repeat(43) } }), { mode: 0o600 });
      chmodSync(file, 0o640);
      const r = runToExit({ ...base, CLOUDMFA_KEY_FILE: file, CLOUDMFA_DB: join(d, 'db') }, d);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('is accessible by group or others (mode 640); chmod 600 it');
      expect(r.stderr + r.stdout).not.toContain('AAAAAAAAAA');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('refuses bad configuration with exit code 2, naming the variable, never the value', () => {
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ PORT: '99999' }, 'PORT expected a port number', '99999'],
      [{ CLOUDMFA_ADMIN_TOKEN: 'short-secret-value' }, 'CLOUDMFA_ADMIN_TOKEN expected 24..512', 'short-secret-value'],
      [{ CLOUDMFA_ADMIN_TOKEN: '31415926535897932384626433832795028' }, 'CLOUDMFA_ADMIN_TOKEN expected at least 128 bits of entropy', '3141592653'],
      [{ CLOUDMFA_KEKS: 'k1:super-secret-kek-material', CLOUDMFA_PUSH_KEY: 'C'.repeat(43) }, 'CLOUDMFA_KEKS expected', 'super-secret-kek-material'],
      [{ CLOUDMFA_PUSH_KEY: 'D'.repeat(43) }, 'CLOUDMFA_KEKS and CLOUDMFA_PUSH_KEY must be given together', 'DDDDDDDD'],
      [{ DATABASE_URL: 'mysql://user:hunter2@db/x' }, 'DATABASE_URL expected a postgres', 'hunter2'],
      [{ CLOUDMFA_POLICY: '{"otp":{"digits":5}}' }, 'ERR_SERVER_POLICY', '{"otp"'],
      [{ CLOUDMFA_ORIGIN: 'http://mfa.example.com' }, 'ERR_SERVER_CONFIG', 'mfa.example.com'],
      // Behind a TLS proxy: no start without a decision on the client-address header (issue 11 §3).
      [{ CLOUDMFA_ORIGIN: 'https://mfa.example.com' }, 'CLOUDMFA_TRUST_PROXY_HEADER is required', 'mfa.example.com'],
      [{ CLOUDMFA_TRUST_PROXY_HEADER: 'x real ip' }, 'CLOUDMFA_TRUST_PROXY_HEADER expected a header name or none', 'x real ip'],
    ];
    for (const [env, message, secret] of cases) {
      const r = runToExit({ ...base, CLOUDMFA_DB: join(dir, 'refusals.db'), CLOUDMFA_KEY_FILE: join(dir, 'refusals-keys.json'), ...env });
      expect(r.status, message).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr + r.stdout).not.toContain(secret);
    }
  });

  it('exits 1 on a Redis without persistence (used codes would be valid again after a restart)', async () => {
    const redis = await startPrivateRedis(); // --save '' --appendonly no
    try {
      const r = runToExit({ ...base, REDIS_URL: `redis://127.0.0.1:${redis.port}`, CLOUDMFA_REDIS_PREFIX: 'cmfa-persist:' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('Redis has no persistence');
      const client = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
      await client.connect();
      expect(await redisPersists(client)).toBe(false);
      await client.config('SET', 'appendonly', 'yes'); // our own private server
      expect(await redisPersists(client)).toBe(true);
      client.disconnect();
    } finally {
      await redis.stop();
    }
  });

  it('exits 1 when PostgreSQL cannot be reached, without printing the URL', () => {
    const r = runToExit({ ...base, DATABASE_URL: 'postgres://mfa:pg-password-123@127.0.0.1:1/mfa' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot open PostgreSQL schema cloudmfa \(/);
    expect(r.stderr + r.stdout).not.toContain('pg-password-123');
  });

  it('takes its keys from the environment', async () => {
    const d = mkdtempSync(join(tmpdir(), 'cmfa-example-envkeys-'));
    try {
      const env = { ...base, CLOUDMFA_KEKS: `old:${'E'.repeat(43)},new:${'F'.repeat(42)}A`, CLOUDMFA_KEK_CURRENT: 'new', CLOUDMFA_PUSH_KEY: `${'G'.repeat(42)}A` };
      const p = await startServerProcess(env, d);
      try {
        expect(p.stdout()).toMatch(/keys: {7}environment; KEK new \(2 configured\); push key ES256 [A-Za-z0-9_-]{43}/);
        expect(() => statSync(join(d, 'cloudmfa-keys.json'))).toThrow();
      } finally {
        await p.stop();
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
