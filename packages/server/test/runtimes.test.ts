// The Fetch handler on Bun, Deno and workerd, from their npm packages (devDependencies here),
// on the memory store: per runtime, one verify round trip and one push round trip over
// loopback. The app (runtimes/app.ts) is bundled by esbuild against the BUILT packages (`pnpm
// test` builds first); this side plays the caller's code and the phone.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedemption, openEnvelope, openRedemptionResponse } from '@cloudmfa/activation';
import { createSoftwareSigner } from '@cloudmfa/core';
import { parseOtpauthUri, totp } from '@cloudmfa/otp';
import { createPushResponse, verifyPushChallenge } from '@cloudmfa/push';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveWorkspace } from '../../../scripts/hermes/harness.mjs';
import { seededRandom, testCrypto } from './helpers.js';
import { ORIGIN, T0 } from './runtimes/app.js';

const bin = (name: string) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));
const now = () => T0;

async function bundle(entry: string, dir: string): Promise<string> {
  const out = join(dir, `${entry}.js`);
  await build({
    entryPoints: [fileURLToPath(new URL(`./runtimes/${entry}.ts`, import.meta.url))],
    bundle: true,
    outfile: out,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: ['import', 'default'],
    logLevel: 'silent',
    plugins: [{ name: 'cloudmfa-workspace', setup: (b) => b.onResolve({ filter: /^@cloudmfa\// }, (args) => ({ path: resolveWorkspace(args.path)! })) }],
  });
  return out;
}

/** Resolves the port once the child says where it listens (a `PORT <n>` line, or workerd's control fd). */
function portOf(child: ChildProcess, stream: NodeJS.ReadableStream, pattern: RegExp): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = '';
    let err = '';
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => {
      seen += c;
      const m = pattern.exec(seen);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before listening: ${err.slice(0, 2000)}`)));
  });
}

interface Runtime {
  name: string;
  /** What the runtime says it is (`navigator.userAgent`). */
  userAgent: RegExp;
  start(dir: string): Promise<{ child: ChildProcess; port: number }>;
}

const RUNTIMES: Runtime[] = [
  {
    name: 'Bun',
    userAgent: /^Bun\/1\.4\.5$/,
    async start(dir) {
      const child = spawn(bin('bun'), ['run', await bundle('bun', dir)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      return { child, port: await portOf(child, child.stdout!, /PORT (\d+)/) };
    },
  },
  {
    name: 'Deno',
    userAgent: /^Deno\/2\.9\.6$/,
    async start(dir) {
      const child = spawn(bin('deno'), ['run', '--no-prompt', '--allow-net=127.0.0.1', await bundle('deno', dir)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' }, detached: true });
      return { child, port: await portOf(child, child.stdout!, /PORT (\d+)/) };
    },
  },
  {
    name: 'workerd',
    userAgent: /^Cloudflare-Workers$/,
    async start(dir) {
      await bundle('worker', dir);
      writeFileSync(
        join(dir, 'config.capnp'),
        [
          'using Workerd = import "/workerd/workerd.capnp";',
          'const config :Workerd.Config = (',
          '  services = [ (name = "main", worker = .app) ],',
          '  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],',
          ');',
          'const app :Workerd.Worker = (',
          '  modules = [ (name = "worker.js", esModule = embed "worker.js") ],',
          '  compatibilityDate = "2026-11-01",',
          ');',
        ].join('\n'),
      );
      // workerd reports the port it bound on the control fd (3): {"event":"listen","socket":"http","port":N}.
      const child = spawn(bin('workerd'), ['serve', join(dir, 'config.capnp'), '--control-fd=3'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], detached: true });
      return { child, port: await portOf(child, child.stdio[3] as NodeJS.ReadableStream, /"socket":"http","port":(\d+)/) };
    },
  },
];

const post = async (base: string, path: string, body: unknown) => {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe.each(RUNTIMES)('the Fetch handler on $name', (runtime) => {
  let dir = '';
  let child: ChildProcess | null = null;
  let base = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cmfa-runtime-'));
    const started = await runtime.start(dir);
    child = started.child;
    base = `http://127.0.0.1:${started.port}`;
  });
  afterAll(() => {
    // Each runtime's npm bin is a Node wrapper that runs the real binary as its own child, so
    // killing the wrapper alone left Deno running: each child leads its own process group
    // (`detached`), and the whole group is stopped.
    if (child?.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill();
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers from the runtime it names', async () => {
    expect(((await post(base, '/test/runtime', {})).body.userAgent as string) ?? '').toMatch(runtime.userAgent);
  });

  it('verify: an otpauth enrolment accepts its code once', async () => {
    const a = await post(base, '/test/start', { userId: 'bob', mode: 'otpauth' });
    expect(a.status).toBe(200);
    const { secret } = parseOtpauthUri({ uri: a.body.uri as string });
    const code = totp({ secret, now });
    expect((await post(base, '/test/verify', { enrolmentId: a.body.enrolmentId, code })).body).toMatchObject({ ok: true, activated: true });
    expect((await post(base, '/test/verify', { enrolmentId: a.body.enrolmentId, code })).body).toMatchObject({ ok: false, reason: 'replayed' });
  });

  it('push: redeem over the device route, answer a challenge, read it approved', async () => {
    const a = await post(base, '/test/start', { userId: 'alice' });
    const opened = await openEnvelope({ text: a.body.text as string, password: a.body.password as string, now, crypto: testCrypto });
    if (opened.payload.mode !== 'online') throw new Error('expected an online envelope');
    expect(opened.payload.origin).toBe(ORIGIN);
    const signer = createSoftwareSigner({ algorithm: 'ES256', random: seededRandom(`device-${runtime.name}`) });
    const { request, state } = await createRedemption({ payload: opened.payload, deviceSigner: signer, pushToken: 'apns-a', platform: 'ios', now, random: seededRandom('redeem'), crypto: testCrypto });
    const redeemed = await post(base, '/v1/activations/redeem', request);
    expect(redeemed.status).toBe(200);
    const identity = await openRedemptionResponse({ response: redeemed.body, state, crypto: testCrypto });

    const c = await post(base, '/test/push', { userId: 'alice', context: { service: 'Acme VPN' } });
    expect(c.body).toMatchObject({ ok: true, enrolmentId: identity.enrolmentId });
    const verified = await verifyPushChallenge({ challenge: c.body.token as string, serverKey: identity.pushKey, expectedEnrolmentId: identity.enrolmentId, now });
    if (!verified.ok) throw new Error(`challenge refused: ${verified.reason}`);
    const response = await createPushResponse({ challenge: verified.challenge, decision: 'confirm', number: c.body.number as string, userVerified: true, signer, now });
    const answered = await post(base, '/v1/push/respond', { response });
    expect(answered).toEqual({ status: 200, body: { challengeId: c.body.challengeId, status: 'approved', suspicious: false, detail: null } });
    const status = await fetch(`${base}/v1/push/challenges/${c.body.challengeId as string}`);
    expect(status.headers.get('cache-control')).toBe('no-store');
    expect(await status.json()).toMatchObject({ id: c.body.challengeId, status: 'approved' });
    expect((await post(base, '/v1/push/respond', { response })).status).toBe(409);
  });
});
