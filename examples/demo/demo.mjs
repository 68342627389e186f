#!/usr/bin/env node
// `pnpm demo`: the whole CloudMFA story in a terminal (docs/guides/reference-server.md section 7).
//
// One process plays three parts: the administrator (the @cloudmfa/server facade), the device API
// (the Fetch handler, called with real Request objects: the same bytes a phone would send), and
// the phone (the SDK's app functions and a software P-256 device key). The store is the embedded
// SQLite default on a temporary file, removed at the end. Time is an injected clock that jumps
// instead of sleeping, so the run takes seconds and needs no input.
//
// Options: --now=<ms> pins the start time, --seed=<text> makes every random draw deterministic
// (demonstration only: never seed a real server), --no-qr leaves out the terminal QR.
import { createHash, pbkdf2, scrypt } from 'node:crypto';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRedemption,
  openEnvelope,
  openRedemptionResponse,
  readEnvelopeHeader,
} from '@cloudmfa/activation';
import { qrVersion, renderQrTerminal } from '@cloudmfa/activation/qr';
import { createSoftwareSigner, fixedClock, systemRandom } from '@cloudmfa/core';
import { createCryptoProvider, webCryptoProvider } from '@cloudmfa/core/providers';
import { totp, totpStep } from '@cloudmfa/otp';
import { createPushPollRequest, createPushResponse, publicKeyThumbprint, verifyPushChallenge } from '@cloudmfa/push';
import { createHttpHandler, createMfaServer } from '@cloudmfa/server';
import { openSqliteStore } from '@cloudmfa/storage-sqlite';

// ---- options ----------------------------------------------------------------------------------
const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
for (const a of args) {
  if (!/^--(now=[0-9]{1,16}|seed=.{1,200}|no-qr)$/.test(a)) {
    process.stderr.write('usage: node examples/demo/demo.mjs [--now=<ms>] [--seed=<text>] [--no-qr]\n');
    process.exit(2);
  }
}
const startAt = option('now') !== undefined ? Number(option('now')) : Date.now();
const seed = option('seed');
const showQr = !args.includes('--no-qr');

/** Deterministic bytes for a reproducible run: SHA-256(seed || counter) blocks. Demo only. */
function seededRandom(label) {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let o = 0; o < n; o += 32) {
      const block = createHash('sha256').update(label).update(String(counter++)).digest();
      out.set(block.subarray(0, Math.min(32, n - o)), o);
    }
    return out;
  };
}
const random = seed === undefined ? systemRandom : seededRandom(`server:${seed}`);
const phoneRandom = seed === undefined ? systemRandom : seededRandom(`phone:${seed}`);

// Node's native scrypt/PBKDF2 under the envelope KDF (the phone would use its platform's), and
// WebCrypto's P-256 verify on the server; both through the core CryptoProvider seam.
const kdfBase = createCryptoProvider({
  name: 'node-native-kdf',
  scrypt: (password, salt, { N, r, p, dkLen }) =>
    new Promise((ok, fail) => scrypt(password, salt, dkLen, { N, r, p, maxmem: 128 * N * r + 128 * r * p + (1 << 20) }, (e, k) => (e ? fail(e) : ok(new Uint8Array(k))))),
  pbkdf2Sha256: (password, salt, { iterations, dkLen }) =>
    new Promise((ok, fail) => pbkdf2(password, salt, iterations, dkLen, 'sha256', (e, k) => (e ? fail(e) : ok(new Uint8Array(k))))),
});
const crypto = webCryptoProvider({ base: kdfBase });

// ---- output -------------------------------------------------------------------------------------
const tty = process.stdout.isTTY === true;
const bold = (s) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
const say = (line = '') => process.stdout.write(`${line}\n`);
const clock = fixedClock(startAt);
const elapsed = () => {
  const s = Math.round((clock() - startAt) / 1000);
  return `+${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
const section = (n, title) => {
  say();
  say(bold(`== ${n}. ${title}  ${dim(`[clock ${elapsed()}]`)}`));
};
const travel = (ms, why) => {
  clock.advance(ms);
  say(dim(`   (clock jumps ${ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1000} s`}${why ? `: ${why}` : ''})`));
};
const mmss = (ms) => {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
const spaced = (code) => `${code.slice(0, 3)} ${code.slice(3)}`;

// ---- the server ---------------------------------------------------------------------------------
const ORIGIN = 'https://mfa.acme.example';
const dir = mkdtempSync(join(tmpdir(), 'cloudmfa-demo-'));
const dbPath = join(dir, 'cloudmfa.db');
const store = openSqliteStore({ path: dbPath, clock });
const riskEvents = [];
const server = createMfaServer({
  store,
  keys: { kek: { current: 'k1', keys: { k1: random(32) } }, push: createSoftwareSigner({ algorithm: 'ES256', random }) },
  issuer: 'Acme Corporation',
  origin: ORIGIN,
  events: (e) => {
    if (e.risk) {
      riskEvents.push(e);
      say(`   ${bold('! risk event')} ${e.kind} for ${e.userId} (sent to the SIEM through the events sink)`);
    }
  },
  clock,
  random,
  crypto,
});
const handler = createHttpHandler({ server });

/** The phone's HTTP client: real Request objects into the device API handler. */
async function deviceApi(method, path, body) {
  const init = body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const res = await handler(new Request(`${ORIGIN}${path}`, init));
  return { status: res.status, body: await res.json() };
}

async function main() {
  say(bold('CloudMFA demo: enrol, codes, replay and lockout, push (Confirm / Suspicious / Cancel), audit'));
  say(dim(`store: SQLite ${dbPath} (temporary); clock starts ${new Date(startAt).toISOString()}`));

  // 1. Enrolment -------------------------------------------------------------------------------
  section(1, 'The administrator enrols alice (online activation: the QR carries no seed)');
  const activation = await server.startActivation({ userId: 'alice', account: 'alice@acme.example' });
  const version = qrVersion({ text: activation.text });
  if (showQr) say(renderQrTerminal({ text: activation.text, small: true }));
  say(`   QR: ${activation.text.length} characters, version ${version} at level M, alphanumeric mode`);
  say(`   Password (sent on another channel than the QR): ${bold(activation.password)}`);
  say(`   Valid for ${mmss(activation.expiresAt - clock())}, until ${new Date(activation.expiresAt).toISOString()}`);

  // 2. The phone --------------------------------------------------------------------------------
  section(2, 'The phone scans the QR, the user types the password and reviews the company');
  const header = readEnvelopeHeader({ text: activation.text });
  say(`   Scanned a CloudMFA ${header.mode} activation; it expires in ${mmss(header.expiresAt - clock())}`);
  travel(40_000, 'the user types the password');
  const typed = activation.password.toLowerCase().replace(/-/g, ' ');
  try {
    await openEnvelope({ text: activation.text, password: typed.replace(/^./, (c) => (c === '7' ? '8' : '7')), now: clock, crypto });
    throw new Error('a wrong password opened the envelope');
  } catch (e) {
    if (e?.code !== 'ERR_ENVELOPE_DECRYPT') throw e;
    say(`   A mistyped password: ${e.code} ("${e.message}")`);
  }
  const opened = await openEnvelope({ text: activation.text, password: typed, now: clock, crypto });
  if (opened.payload.mode !== 'online') throw new Error('expected an online envelope');
  const { preview } = opened;
  say(`   Typed as "${typed}" (case, spaces and dashes do not matter): opened`);
  say(`   ${bold('Review')}  company: ${bold(preview.issuer)}`);
  say(`           server:  ${preview.origin}`);
  say(`           policy:  ${preview.policy.pinRequired ? `PIN required (at least ${preview.policy.minPinLength} digits)` : 'no PIN'}, biometrics ${preview.policy.biometricsAllowed ? 'allowed' : 'not allowed'}`);
  say(`           codes:   TOTP ${preview.otp.algorithm}, ${preview.otp.digits} digits, every ${preview.otp.period} s`);
  say('   The user recognises Acme Corporation and taps Add.');

  const deviceKey = createSoftwareSigner({ algorithm: 'ES256', random: phoneRandom });
  const { request, state } = await createRedemption({
    payload: opened.payload,
    deviceSigner: deviceKey,
    pushToken: 'demo-apns-device-token',
    platform: 'ios',
    now: clock,
    random: phoneRandom,
    crypto,
  });
  say(`   Device key: software P-256 (a phone uses the Secure Enclave / Android Keystore through signerFromHost), ${publicKeyThumbprint({ algorithm: 'ES256', publicKey: deviceKey.publicKey }).slice(0, 16)}...`);
  const redeemed = await deviceApi('POST', '/v1/activations/redeem', request);
  say(`   POST /v1/activations/redeem -> ${redeemed.status}`);
  if (redeemed.status !== 200) throw new Error(`redemption refused: ${JSON.stringify(redeemed.body)}`);
  const identity = await openRedemptionResponse({ response: redeemed.body, state, crypto });
  say(`   The server answered, encrypted to this phone: account ${bold(identity.account)} at ${identity.issuer}`);
  say(`   The user confirms; the app stores the seed (${identity.seed.length} bytes, in its vault) and pins the push key ${publicKeyThumbprint(identity.pushKey).slice(0, 16)}...`);

  // 3. Codes ------------------------------------------------------------------------------------
  section(3, 'The app shows codes with the seconds left');
  const code = () => totp({ secret: identity.seed, now: clock, period: identity.otp.period, digits: identity.otp.digits, algorithm: identity.otp.algorithm });
  const left = () => Math.ceil(totpStep({ now: clock, period: identity.otp.period }).remainingMs / 1000);
  for (let i = 0; i < 3; i++) {
    if (i > 0) travel(12_000);
    say(`   ${bold(spaced(code()))}   ${String(left()).padStart(2)} s left`);
  }

  // 4. Verification -------------------------------------------------------------------------------
  section(4, 'The server verifies codes: accept, replay, throttling, lockout');
  const shown = code();
  const ok = await server.verifyOtp({ userId: 'alice', code: shown });
  say(`   ${spaced(shown)} -> ${ok.ok ? bold(`accepted`) + ` (${ok.method}, delta ${ok.delta})` : `refused: ${ok.reason}`}`);
  const replay = await server.verifyOtp({ userId: 'alice', code: shown });
  say(`   ${spaced(shown)} again -> ${replay.ok ? 'accepted (!)' : bold(`refused: ${replay.reason}`)} (one use per time step, RFC 6238 5.2)`);

  say(dim('   (the replay counts as a failed attempt, like any refused code)'));
  travel(30_000, 'a new code, then an attacker guesses');
  let lockedFor = 0;
  for (let attempt = 1; attempt <= 12; attempt++) {
    // A guess that is none of the codes the server's window accepts right now.
    const valid = new Set([-1, 0, 1].map((d) => totp({ secret: identity.seed, now: () => clock() + d * 30_000 })));
    let guess = String((123456 + attempt * 111111) % 1_000_000).padStart(6, '0');
    while (valid.has(guess)) guess = String((Number(guess) + 1) % 1_000_000).padStart(6, '0');
    const r = await server.verifyOtp({ userId: 'alice', code: guess });
    if (r.ok) throw new Error('a wrong code was accepted');
    const wait = r.retryAfterMs ?? 0;
    say(`   wrong code #${String(attempt).padEnd(2)} ${spaced(guess)} -> refused: ${r.reason}${r.reason === 'invalid' ? `, ${r.failures} failure(s)` : ''}${wait ? `, next attempt in ${mmss(wait)}` : ''}`);
    if (r.reason === 'invalid' && r.failures >= server.policy.throttle.lockoutFailures) {
      lockedFor = wait;
      break;
    }
    if (wait) clock.advance(wait);
  }
  say(dim(`   (the clock jumped over each delay: 3 free failures, then 1, 2, 4, ... s; lockout at ${server.policy.throttle.lockoutFailures})`));
  const whileLocked = await server.verifyOtp({ userId: 'alice', code: code() });
  say(`   the right code ${spaced(code())} while locked -> ${whileLocked.ok ? 'accepted (!)' : bold(`refused: ${whileLocked.reason}`)}${whileLocked.retryAfterMs ? `, retry in ${mmss(whileLocked.retryAfterMs)}` : ''}`);
  travel(lockedFor, 'the lockout runs out');
  const after = await server.verifyOtp({ userId: 'alice', code: code() });
  say(`   ${spaced(code())} -> ${after.ok ? bold('accepted') : `refused: ${after.reason}`}; the failure count is reset`);

  // 5. Push ---------------------------------------------------------------------------------------
  section(5, 'Push sign-in requests: Confirm, Suspicious, Cancel');
  const context = { service: 'Acme VPN', message: 'Sign in to the VPN', ip: '203.0.113.9', location: 'Berlin, DE', device: 'Firefox on Linux' };

  async function pushRound(label, decision) {
    say(`   ${bold(label)}`);
    const created = await server.createPushChallenge({ userId: 'alice', context: { ...context, time: clock() }, numberMatch: true });
    if (!created.ok) throw new Error(`push not created: ${created.reason}`);
    say(`   login page: "Open CloudMFA on your phone and type ${bold(created.number)}"`);
    say(dim(`   APNs payload ${created.apns.bytes} bytes for ${created.platform} (not sent: no APNs credentials in a demo); the phone polls`));
    travel(5_000);
    const poll = await deviceApi('POST', '/v1/push/poll', {
      request: await createPushPollRequest({ enrolmentId: identity.enrolmentId, signer: deviceKey, now: clock, random: phoneRandom }),
    });
    if (poll.status !== 200 || poll.body.challenges.length !== 1) throw new Error(`poll failed: ${poll.status}`);
    const verified = await verifyPushChallenge({ challenge: poll.body.challenges[0], serverKey: identity.pushKey, expectedEnrolmentId: identity.enrolmentId, now: clock });
    if (!verified.ok) throw new Error(`challenge refused: ${verified.reason}`);
    const c = verified.challenge.context;
    say(`   phone (signature checked against the pinned key): "${c.service}: ${c.message}" from ${c.ip}, ${c.location}, ${c.device}; ${mmss(verified.challenge.expiresAt - clock())} left`);
    travel(4_000);
    const response = await createPushResponse({
      challenge: verified.challenge,
      decision,
      ...(decision === 'confirm' ? { number: created.number } : {}),
      userVerified: true,
      signer: deviceKey,
      now: clock,
    });
    const what = { confirm: `the user types ${created.number}, unlocks with the PIN and taps Confirm`, suspicious: 'the user did not try to sign in: taps Suspicious', cancel: 'the user taps Cancel (not now)' }[decision];
    say(`   ${what}`);
    const answered = await deviceApi('POST', '/v1/push/respond', { response });
    say(`   POST /v1/push/respond -> ${answered.status} ${JSON.stringify(answered.body)}`);
    const status = await deviceApi('GET', `/v1/push/challenges/${created.challengeId}`);
    say(`   login page polls GET /v1/push/challenges/{id} -> ${bold(status.body.status)}`);
    return created;
  }

  await pushRound('Push 1: Confirm', 'confirm');
  travel(60_000);
  await pushRound('Push 2: Suspicious', 'suspicious');
  const paused = await server.createPushChallenge({ userId: 'alice', context, numberMatch: true });
  say(`   another push to alice now -> ${paused.ok ? 'sent (!)' : bold(`refused: ${paused.reason}`)}${paused.ok ? '' : `, for ${mmss(paused.retryAfterMs)}`}`);
  await server.resumePush('alice');
  say('   the help desk calls alice, who changes her password; the administrator resumes pushes');
  travel(60_000);
  await pushRound('Push 3: Cancel', 'cancel');

  // 6. Audit ------------------------------------------------------------------------------------
  section(6, 'The audit log (oldest first)');
  const events = [];
  let page = await server.queryAudit({ limit: 1000 });
  events.push(...page.events);
  while (page.cursor) {
    page = await server.queryAudit({ limit: 1000, cursor: page.cursor });
    events.push(...page.events);
  }
  events.reverse();
  for (const e of events) {
    const risky = e.kind === 'otp.locked' || e.kind === 'push.suspicious' || e.kind.endsWith('double_redemption');
    const t = Math.round((e.at - startAt) / 1000);
    const when = `+${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
    say(`   ${when}  ${(risky ? '!' : ' ')} ${e.kind.padEnd(28)} ${e.userId ?? ''}  ${dim(JSON.stringify(e.detail))}`);
  }
  const cancels = events.filter((e) => e.kind.includes('cancel')).length;
  say(`   ${events.length} entries, ${riskEvents.length} risk events; the cancelled push has ${cancels === 0 ? 'no entry (Cancel is never audited)' : 'an entry (!)'}`);
}

let failed = false;
try {
  await main();
} catch (e) {
  failed = true;
  process.stderr.write(`demo failed: ${e?.code ? `${e.code}: ` : ''}${e?.message ?? e}\n`);
} finally {
  await store.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  say();
  say(dim(`removed ${dir}${existsSync(dir) ? ' (failed!)' : ''}`));
}
say(failed ? 'demo FAILED' : bold('demo complete'));
process.exit(failed ? 1 : 0);
