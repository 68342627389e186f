// @cloudmfa/otp against otplib, otpauth and speakeasy, in one run (issue 2, Performance).
// Goals: TOTP generate and TOTP verify (window +-1) each >= 4x the fastest peer; bundle
// (esbuild minify + gzip) of the whole entry <= 8 KB and of TOTP generate+verify <= 4 KB.
//
// Every library is first checked to produce the same codes (RFC 6238 seed) so the loops time
// equal work. The libraries are measured in several rounds, alternating within each round, and
// each ratio is the median over the rounds of (ours / fastest peer in that round): other
// processes on a shared machine slow whole rounds, and a ratio within one round cancels that.
// The load average is printed with the results.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOtpKey, hotp, totp } from '@cloudmfa/otp';
import { resyncHotp, verifyTotp } from '@cloudmfa/otp/server';
import * as OTPAuth from 'otpauth';
import { generateSync, verifySync } from 'otplib';
import speakeasy from 'speakeasy';
import { bundleSize, fmt, median, opsPerSecond, table } from './_measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = 5;
const SEED = new TextEncoder().encode('12345678901234567890'); // RFC 6238 Appendix B, SHA-1
const B32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const T = 1_700_000_000; // seconds
const T_MS = T * 1000;

export default async function run(ctx) {
  const key = createOtpKey({ secret: SEED });
  const otpauthTotp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(B32) });
  const otpauthHotp = new OTPAuth.HOTP({ secret: OTPAuth.Secret.fromBase32(B32) });
  const speakeasySecret = Buffer.from(SEED);

  // --- same answers first ---------------------------------------------------------------
  const expected = totp({ secret: key, now: () => T_MS });
  const answers = {
    otplib: generateSync({ secret: B32, epoch: T }),
    otpauth: otpauthTotp.generate({ timestamp: T_MS }),
    speakeasy: speakeasy.totp({ secret: speakeasySecret, time: T }),
  };
  for (const [lib, code] of Object.entries(answers)) {
    if (code !== expected) throw new Error(`${lib} generated ${code}, @cloudmfa/otp ${expected}`);
  }
  const wrong = String((Number(expected) + 500000) % 1000000).padStart(6, '0');
  for (let d = -1; d <= 1; d++) {
    if (totp({ secret: key, now: () => T_MS + d * 30000 }) === wrong) throw new Error('the wrong code matches a window step');
  }
  const checks = [
    verifyTotp({ secret: key, code: expected, now: () => T_MS }).ok === true,
    verifyTotp({ secret: key, code: wrong, now: () => T_MS }).ok === false,
    verifySync({ secret: B32, token: expected, epoch: T, epochTolerance: 30 }).valid === true,
    verifySync({ secret: B32, token: wrong, epoch: T, epochTolerance: 30 }).valid === false,
    otpauthTotp.validate({ token: expected, timestamp: T_MS, window: 1 }) === 0,
    otpauthTotp.validate({ token: wrong, timestamp: T_MS, window: 1 }) === null,
    speakeasy.totp.verifyDelta({ secret: speakeasySecret, token: expected, time: T, window: 1 })?.delta === 0,
    speakeasy.totp.verifyDelta({ secret: speakeasySecret, token: wrong, time: T, window: 1 }) === undefined,
  ];
  if (checks.includes(false)) throw new Error(`verification disagrees: ${checks}`);

  // HOTP resync: two consecutive codes at the far end of a 1,000-counter look-ahead, so every
  // implementation scans the whole range. Peers have no resync: the loop a developer would
  // write around their generate function (look-ahead only, as RFC 4226 7.4 asks).
  const LOOK = 1000;
  const c1 = hotp({ secret: key, counter: LOOK - 1 });
  const c2 = hotp({ secret: key, counter: LOOK });
  const peerResync = (gen) => {
    for (let c = 0; c <= LOOK - 1; c++) if (gen(c) === c1 && gen(c + 1) === c2) return c + 1;
    return -1;
  };
  const resyncs = {
    '@cloudmfa/otp': () => resyncHotp({ secret: key, codes: [c1, c2], counter: 0, lookAhead: LOOK - 1 }).counter,
    otplib: () => peerResync((c) => generateSync({ secret: B32, strategy: 'hotp', counter: c })),
    otpauth: () => peerResync((c) => otpauthHotp.generate({ counter: c })),
    speakeasy: () => peerResync((c) => speakeasy.hotp({ secret: speakeasySecret, counter: c })),
  };
  for (const [lib, fn] of Object.entries(resyncs)) {
    if (fn() !== LOOK) throw new Error(`${lib} resync disagrees`);
  }

  // --- the rows ---------------------------------------------------------------------------
  let ms = T_MS;
  let s = T;
  const tick = () => (ms += 30000);
  const clock = () => ms;
  // The path real callers take leads: a secret's bytes given per call, as the server's
  // verifyOtp does with each seed it decrypts (goal: >= 4x the fastest peer, peers in their
  // fastest form, otpauth with its TOTP object made once). Then the createOtpKey-once rows.
  const groups = [
    {
      name: 'TOTP generate, secret bytes per call',
      ours: { '@cloudmfa/otp (raw secret bytes per call)': () => (tick(), totp({ secret: SEED, now: clock })) },
      peers: {
        otplib: () => generateSync({ secret: B32, epoch: (s += 30) }),
        otpauth: () => otpauthTotp.generate({ timestamp: tick() }),
        speakeasy: () => speakeasy.totp({ secret: speakeasySecret, time: (s += 30) }),
      },
    },
    {
      name: 'TOTP verify +-1, current code, secret bytes per call',
      ours: { '@cloudmfa/otp (raw secret bytes per call)': () => verifyTotp({ secret: SEED, code: expected, now: () => T_MS }) },
      peers: {
        otplib: () => verifySync({ secret: B32, token: expected, epoch: T, epochTolerance: 30 }),
        otpauth: () => otpauthTotp.validate({ token: expected, timestamp: T_MS, window: 1 }),
        speakeasy: () => speakeasy.totp.verifyDelta({ secret: speakeasySecret, token: expected, time: T, window: 1 }),
      },
    },
    {
      name: 'TOTP verify +-1, wrong code (whole window), secret bytes per call',
      ours: { '@cloudmfa/otp (raw secret bytes per call)': () => verifyTotp({ secret: SEED, code: wrong, now: () => T_MS }) },
      peers: {
        otplib: () => verifySync({ secret: B32, token: wrong, epoch: T, epochTolerance: 30 }),
        otpauth: () => otpauthTotp.validate({ token: wrong, timestamp: T_MS, window: 1 }),
        speakeasy: () => speakeasy.totp.verifyDelta({ secret: speakeasySecret, token: wrong, time: T, window: 1 }),
      },
    },
    {
      name: 'TOTP generate, createOtpKey once',
      ours: { '@cloudmfa/otp (createOtpKey once)': () => (tick(), totp({ secret: key, now: clock })) },
      peers: {
        otplib: () => generateSync({ secret: B32, epoch: (s += 30) }),
        otpauth: () => otpauthTotp.generate({ timestamp: tick() }),
        speakeasy: () => speakeasy.totp({ secret: speakeasySecret, time: (s += 30) }),
      },
    },
    {
      name: 'TOTP verify +-1, wrong code (whole window), createOtpKey once',
      ours: { '@cloudmfa/otp': () => verifyTotp({ secret: key, code: wrong, now: () => T_MS }) },
      peers: {
        otplib: () => verifySync({ secret: B32, token: wrong, epoch: T, epochTolerance: 30 }),
        otpauth: () => otpauthTotp.validate({ token: wrong, timestamp: T_MS, window: 1 }),
        speakeasy: () => speakeasy.totp.verifyDelta({ secret: speakeasySecret, token: wrong, time: T, window: 1 }),
      },
    },
    {
      name: 'TOTP verify +-1, current code, createOtpKey once',
      ours: { '@cloudmfa/otp': () => verifyTotp({ secret: key, code: expected, now: () => T_MS }) },
      peers: {
        otplib: () => verifySync({ secret: B32, token: expected, epoch: T, epochTolerance: 30 }),
        otpauth: () => otpauthTotp.validate({ token: expected, timestamp: T_MS, window: 1 }),
        speakeasy: () => speakeasy.totp.verifyDelta({ secret: speakeasySecret, token: expected, time: T, window: 1 }),
      },
    },
    {
      name: 'HOTP resync, 1,000-counter look-ahead',
      ours: { '@cloudmfa/otp': resyncs['@cloudmfa/otp'] },
      peers: { otplib: resyncs.otplib, otpauth: resyncs.otpauth, speakeasy: resyncs.speakeasy },
    },
  ];

  const load = () => loadavg().map((x) => x.toFixed(2)).join(', ');
  const loadAtStart = load();
  const sections = [];
  const summary = [];
  for (const g of groups) {
    const all = { ...g.ours, ...(g.extra ?? {}), ...g.peers };
    const runs = Object.fromEntries(Object.keys(all).map((k) => [k, []]));
    const ratios = Object.fromEntries(Object.keys(all).map((k) => [k, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, fn] of Object.entries(all)) runs[name].push(await opsPerSecond(fn, { ms: 700, warmupMs: 200 }));
      const fastest = Math.max(...Object.keys(g.peers).map((k) => runs[k][round]));
      for (const k of Object.keys(all)) ratios[k].push(runs[k][round] / fastest);
    }
    const ops = Object.fromEntries(Object.keys(all).map((k) => [k, median(runs[k])]));
    const ratio = Object.fromEntries(Object.keys(all).map((k) => [k, median(ratios[k])]));
    const rows = Object.keys(all)
      .sort((a, b) => ops[b] - ops[a])
      .map((k) => [k, fmt(ops[k]), `${ratio[k].toFixed(2)}x`, `${Math.min(...ratios[k]).toFixed(2)}x .. ${Math.max(...ratios[k]).toFixed(2)}x`]);
    sections.push(
      `**${g.name}** (ops/s: median of ${ROUNDS} rounds; ratio: median of the per-round ratios, and their range)\n\n${table(['library', 'ops/s', 'vs fastest peer', 'range over rounds'], rows)}`,
    );
    const ours = Object.keys(g.ours)[0];
    const fastestPeer = Object.keys(g.peers).sort((a, b) => ops[b] - ops[a])[0];
    summary.push([g.name, fmt(ops[ours]), `${fmt(ops[fastestPeer])} (${fastestPeer})`, `${ratio[ours].toFixed(2)}x`]);
    ctx.log(`${g.name}: ${ratio[ours].toFixed(2)}x the fastest peer (rounds: ${ratios[ours].map((r) => r.toFixed(2)).join(', ')})`);
  }
  const loadAtEnd = load();

  // --- bundle sizes -----------------------------------------------------------------------
  const size = (code) => bundleSize(code, here);
  const kb = (n) => `${n.toLocaleString('en-US')} B (${(n / 1024).toFixed(2)} KB)`;
  const sizes = [
    ['@cloudmfa/otp, whole main entry (the phone side: codes, URI parsing)', await size(`export * from '@cloudmfa/otp';`), '<= 8 KB (8,192 B)'],
    ['@cloudmfa/otp, main entry + /server (with the migration exporter)', await size(`export * from '@cloudmfa/otp'; export * from '@cloudmfa/otp/server';`), ''],
    ['@cloudmfa/otp, totp + verifyTotp', await size(`export { totp } from '@cloudmfa/otp'; export { verifyTotp } from '@cloudmfa/otp/server';`), '<= 4 KB (4,096 B)'],
    ['@cloudmfa/otp, createOtpKey + totp + verifyTotp (base32 secrets)', await size(`export { createOtpKey, totp } from '@cloudmfa/otp'; export { verifyTotp } from '@cloudmfa/otp/server';`), ''],
    ['@cloudmfa/otp/migration (import)', await size(`export * from '@cloudmfa/otp/migration';`), ''],
    ['@cloudmfa/otp, every entry (main, /server, /migration)', await size(`export * from '@cloudmfa/otp'; export * from '@cloudmfa/otp/server'; export * from '@cloudmfa/otp/migration';`), ''],
    ['otpauth, whole entry', await size(`export * from 'otpauth';`), ''],
    ['otpauth, TOTP + Secret', await size(`export { TOTP, Secret } from 'otpauth';`), ''],
    ['otplib, generateSync + verifySync', await size(`export { generateSync, verifySync } from 'otplib';`), ''],
  ].map(([what, n, goal]) => [what, kb(n), goal]);

  return [
    `Goals: generate and verify >= 4x the fastest peer, first on the path real callers take (a secret's bytes given per call, as \`verifyOtp\` does), then with a key made once; whole entry <= 8 KB, TOTP generate+verify <= 4 KB (minified + gzip).`,
    `Load average (1, 5, 15 min) at the start of the speed rows: ${loadAtStart}; at their end: ${loadAtEnd} (${cpus().length} cores). Absolute ops/s move with the load; the ratios are taken within each round.`,
    `Peers: otplib ${pkgVersion('otplib')} (generateSync/verifySync, noble), otpauth ${pkgVersion('otpauth')} (TOTP object, noble), speakeasy ${pkgVersion('speakeasy')} (Node crypto HMAC). Ours: the secret's bytes on every call (the first rows), or \`createOtpKey\` once per secret, then \`totp\`/\`verifyTotp\`/\`resyncHotp\`. Verification in @cloudmfa/otp stops at the first acceptable step, like the peers; a wrong code costs the whole window everywhere.`,
    table(['operation', '@cloudmfa/otp ops/s', 'fastest peer ops/s', 'ratio (median of rounds)'], summary),
    ...sections,
    `**Bundle size** (esbuild, minify, gzip -9; KB = 1024 bytes)\n\n${table(['bundle', 'size', 'goal'], sizes)}`,
  ].join('\n\n');
}

function pkgVersion(name) {
  return JSON.parse(readFileSync(join(here, '..', 'node_modules', name, 'package.json'), 'utf8')).version;
}
