// @cloudmfa/client (issue 10, Performance): `codes()` for 50 identities per UI tick (goal
// <= 1 ms in Node), and receive-and-verify of a push payload on the noble path (pure-JS P-256,
// what Hermes runs). Medians of several rounds; every measured call is checked first.
import { createHash, scryptSync } from 'node:crypto';
import { createAuthenticator, createSoftwareDeviceKeys } from '@cloudmfa/client';
import { createSoftwareSigner, fixedClock, pureJsCryptoProvider } from '@cloudmfa/core';
import { createCryptoProvider, webCryptoProvider } from '@cloudmfa/core/providers';
import { formatOtpauthUri } from '@cloudmfa/otp/server';
import { buildApnsPayload, createPushChallenge } from '@cloudmfa/push/server';
import { createHttpHandler, createMfaServer } from '@cloudmfa/server';
import { createMemorySecureStore, createMemoryStore } from '@cloudmfa/storage';
import { fmt, median, table } from './_measure.mjs';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const ROUNDS = 7;
const IDENTITIES = 50;
const TICKS = 300;
const PUSHES = 150;

let counter = 0;
const random = (n) => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 32) out.set(createHash('sha256').update(`bench client ${counter++}`).digest().subarray(0, Math.min(32, n - i)), i);
  return out;
};
const nodeScrypt = createCryptoProvider({
  scrypt: async (pw, salt, p) => new Uint8Array(scryptSync(pw, salt, p.dkLen, { N: p.N, r: p.r, p: p.p, maxmem: 256 * 1024 * 1024 })),
  base: webCryptoProvider(),
});

/** ms per call of `fn` over `n` calls, median of ROUNDS rounds. */
async function msPerCall(fn, n) {
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) await fn(i + r * n);
    rounds.push((performance.now() - start) / n);
  }
  return { median: median(rounds), min: Math.min(...rounds), max: Math.max(...rounds) };
}

async function codesBench() {
  let t = T0;
  const store = createMemorySecureStore();
  const auth = await createAuthenticator({ store, deviceKeys: createSoftwareDeviceKeys({ store, random }), now: () => t, random, fetch: async () => { throw new Error('offline'); } });
  for (let i = 0; i < IDENTITIES; i++) {
    const secret = random(20);
    const flow = auth.begin(formatOtpauthUri({ type: 'totp', secret, issuer: `Issuer ${i}`, account: `user${i}`, algorithm: i % 3 === 0 ? 'SHA256' : 'SHA1' }).uri);
    if (!flow.ok) throw new Error(flow.reason);
    await flow.flow.confirm();
    if (!(await flow.flow.save()).ok) throw new Error('save');
  }
  const first = auth.codes();
  if (!first.ok || first.codes.length !== IDENTITIES || first.codes.some((c) => !/^[0-9]{6}$/.test(c.code))) throw new Error('codes() is wrong');
  // A 1 s UI tick: the step changes every 30 ticks (codes are cached per step).
  const tick = await msPerCall(() => {
    t += 1000;
    auth.codes();
  }, TICKS);
  // Worst case: every tick in a new step (two HMACs per identity).
  const cold = await msPerCall(() => {
    t += 30_000;
    auth.codes();
  }, TICKS);
  return { tick, cold };
}

async function pushBench() {
  const clock = fixedClock(T0);
  const pushSigner = createSoftwareSigner({ algorithm: 'ES256', random });
  const server = createMfaServer({
    store: createMemoryStore({ clock }),
    keys: { kek: { current: 'k', keys: { k: new Uint8Array(32).fill(7) } }, push: pushSigner },
    issuer: 'Acme Corporation',
    origin: 'https://mfa.acme.example',
    policy: { app: { pinRequired: false }, activation: { kdf: { algorithm: 'scrypt', log2N: 14, r: 8, p: 1 } } },
    clock,
    random,
    crypto: nodeScrypt,
  });
  const handler = createHttpHandler({ server });
  const store = createMemorySecureStore();
  const auth = await createAuthenticator({
    store,
    deviceKeys: createSoftwareDeviceKeys({ store, random }),
    now: clock,
    random,
    crypto: pureJsCryptoProvider, // the noble path: what Hermes runs
    fetch: (url, init = {}) => handler(new Request(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body })),
  });
  const a = await server.startActivation({ userId: 'alice' });
  const begun = auth.begin(a.text);
  if (!begun.ok) throw new Error(begun.reason);
  await begun.flow.unlock(a.password);
  if (!(await begun.flow.confirm()).ok) throw new Error('confirm');
  await begun.flow.save();
  const enrolmentId = auth.list()[0].push.enrolmentId;
  const payloads = [];
  for (let i = 0; i < PUSHES * ROUNDS; i++) {
    const challenge = await createPushChallenge({
      enrolmentId,
      context: { service: 'Acme VPN', message: 'Sign in to the VPN', ip: '203.0.113.9', location: 'Berlin, DE', device: 'Firefox on Linux' },
      signer: pushSigner,
      now: clock,
      random,
    });
    payloads.push(buildApnsPayload({ challenge }).payload);
  }
  const check = await auth.receiveNotification(payloads[0]);
  if (!check.ok) throw new Error(`receive: ${check.reason}`);
  const bytes = JSON.stringify(payloads[0]).length;
  const receive = await msPerCall(async (i) => {
    const r = await auth.receiveNotification(payloads[(i % (payloads.length - 1)) + 1]);
    if (!r.ok && r.reason !== 'duplicate') throw new Error(r.reason);
  }, PUSHES);
  return { receive, bytes };
}

export default async function run({ log }) {
  log('codes() for 50 identities...');
  const { tick, cold } = await codesBench();
  log('receive-and-verify on the noble path...');
  const { receive, bytes } = await pushBench();
  const row = (name, m, goal) => [name, `${m.median.toFixed(3)} ms`, `${m.min.toFixed(3)} - ${m.max.toFixed(3)} ms`, fmt(1000 / m.median), goal];
  return [
    `Median of ${ROUNDS} rounds (min - max of the round medians); each round ${TICKS} ticks or ${PUSHES} notifications.`,
    '',
    table(
      ['Operation', 'Median per call', 'Rounds', 'Calls/s', 'Goal'],
      [
        row(`\`codes()\`, ${IDENTITIES} TOTP identities, 1 s tick (cached per step)`, tick, '<= 1 ms'),
        row(`\`codes()\`, ${IDENTITIES} TOTP identities, a new step every tick (worst case)`, cold, '<= 1 ms'),
        row(`\`receiveNotification\` (APNs payload, ${bytes} B, ES256 verify on @noble/curves)`, receive, '-'),
      ],
    ),
  ].join('\n');
}
