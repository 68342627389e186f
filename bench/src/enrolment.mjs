// Online enrolment on the server, CPU per enrolment (issue 12 §7): `startActivation` (seal the
// envelope: scrypt N=2^15, r=8, p=1 by default) plus `completeActivation` (verify the device's
// proof, encrypt the seed to it), with the server's default CryptoProvider (on Node: node:crypto
// scrypt through `#native-kdf`) beside the previous default (WebCrypto over the pure-JS scrypt),
// alternating, medians. CPU is process.cpuUsage (user + system, every thread: node:crypto's
// scrypt runs on libuv's pool), so moving the work off the main thread does not hide it.
// The app side (open the envelope, build the redemption) runs outside the measured span.
import { createRedemption, openEnvelope } from '@cloudmfa/activation';
import { createSoftwareSigner } from '@cloudmfa/core';
import { createCryptoProvider, webCryptoProvider } from '@cloudmfa/core/providers';
import { createMfaServer } from '@cloudmfa/server';
import { createMemoryStore } from '@cloudmfa/storage';
import { fmt, median, nodeScryptAsync, table } from './_measure.mjs';

const T0 = Date.UTC(2026, 0, 1);
const ROUNDS = 9;
const appCrypto = createCryptoProvider({ name: 'bench-app', scrypt: nodeScryptAsync, base: webCryptoProvider() });

function makeServer(crypto) {
  const clock = () => T0;
  return createMfaServer({
    store: createMemoryStore({ clock }),
    keys: { kek: { current: 'k1', keys: { k1: new Uint8Array(32).fill(0x11) } }, push: createSoftwareSigner({ algorithm: 'ES256' }) },
    issuer: 'Acme Corporation',
    origin: 'https://mfa.acme.example',
    clock,
    ...(crypto ? { crypto } : {}),
  });
}

const cpuMs = (u) => (u.user + u.system) / 1000;

async function enrol(server, i) {
  const wall0 = performance.now();
  let cpu0 = process.cpuUsage();
  const activation = await server.startActivation({ userId: `user-${i}` });
  let cpu = cpuMs(process.cpuUsage(cpu0));
  let wall = performance.now() - wall0;
  const opened = await openEnvelope({ text: activation.text, password: activation.password, now: () => T0, crypto: appCrypto });
  const { request } = await createRedemption({ payload: opened.payload, deviceSigner: createSoftwareSigner({ algorithm: 'ES256' }), pushToken: null, platform: 'ios', now: () => T0, crypto: appCrypto });
  const wall1 = performance.now();
  cpu0 = process.cpuUsage();
  const r = await server.completeActivation({ request });
  cpu += cpuMs(process.cpuUsage(cpu0));
  wall += performance.now() - wall1;
  if (!r.ok) throw new Error(`redemption refused: ${r.reason}`);
  return { cpu, wall };
}

export default async function enrolment({ log }) {
  const variants = [
    ['server default on Node (node:crypto scrypt via `#native-kdf`)', makeServer(null)],
    ['previous default: `webCryptoProvider()` (pure-JS scrypt)', makeServer(webCryptoProvider())],
  ];
  const runs = variants.map(() => ({ cpu: [], wall: [] }));
  for (const [, server] of variants) await enrol(server, -1); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    log(`round ${round + 1}/${ROUNDS}`);
    for (let v = 0; v < variants.length; v++) {
      const { cpu, wall } = await enrol(variants[v][1], round);
      runs[v].cpu.push(cpu);
      runs[v].wall.push(wall);
    }
  }
  const ms = (x) => `${fmt(x)} ms`;
  return [
    `One online enrolment on the server (\`startActivation\` with the default envelope KDF, scrypt N=2^15, r=8, p=1, + \`completeActivation\`), memory store, ${ROUNDS} rounds alternating the two providers. CPU is \`process.cpuUsage()\` (user + system, all threads). Goal (issue 12): native scrypt by default on Node.`,
    '',
    table(
      ['Server CryptoProvider', 'CPU median', 'Wall median', 'Runs'],
      variants.map(([name], v) => [name, ms(median(runs[v].cpu)), ms(median(runs[v].wall)), String(ROUNDS)]),
    ),
    '',
    `CPU ratio previous / default: ${fmt(median(runs[1].cpu) / median(runs[0].cpu))}x.`,
  ].join('\n');
}
