// The end-user story of issue 10, as one function that any runtime can run: Node against a
// live server (story.test.ts), and Hermes / Chromium against the replies recorded from that run
// (test/fixtures/story-replies.json, replayed by replayStory.ts). No vitest, no Node built-ins:
// checks throw plain Errors with the step's name.
//
// KDF costs: the story runs at the smallest scrypt costs the protocol accepts, in every runtime
// (Node records the replies with the same settings): the PIN slot at VAULT_KDF_LIMITS' floor
// (STORY_PIN_KDF below) and the envelope at the activation floor (N·r = 2^17, set by
// liveServer.ts's policy). Pure-JS scrypt at the default PIN cost made the Hermes run take
// minutes on a loaded machine (four PIN derivations); what the story checks is the flow, not
// the KDF's cost. The default PIN cost inside Hermes stays covered by test/vault/hermes.test.ts,
// and the caps and floors by the vault's own tests.
import type { Authenticator, AuthenticatorOptions, FetchLike } from '../../src/index.js';

/** The server's admin side as the story needs it: live, or replayed from the fixture. */
export interface StoryServer {
  /** Issues an online activation for alice (policy: PIN required, 6 digits). */
  startActivation(): Promise<{ text: string; password: string }>;
  /** Sends a push to alice; the payloads as the server built them (APNs and FCM). */
  push(options: { service: string; numberMatch: boolean }): Promise<{ apns: unknown; fcm: unknown; number: string | null }>;
  /** Whether the server accepts this code for alice now. */
  verifyCode(code: string): Promise<boolean>;
  /** The security team clears the push pause a Suspicious answer set (admin `resumePush`). */
  resumePush(): Promise<void>;
  /** Audit kinds so far, oldest first. */
  auditKinds(): Promise<string[]>;
}

/** The server's clock; the phone's clock is this plus the story's skew. */
export interface StoryTime {
  now(): number;
  advance(ms: number): void;
}

export interface StoryOptions {
  /** `createAuthenticator`, or the same over another vault. */
  makeAuthenticator(options: AuthenticatorOptions): Promise<Authenticator>;
  /** The host seams (store, device keys, crypto, random): everything but fetch and the clock. */
  seams: Pick<AuthenticatorOptions, 'store' | 'deviceKeys' | 'crypto' | 'random' | 'vault'>;
  fetch: FetchLike;
  server: StoryServer;
  time: StoryTime;
  /** Called with each step's name as it starts (progress for harnesses). */
  onStep?: (name: string) => void;
}

const STORY_PIN = '246810';
const STORY_SKEW_MS = 95_000;

function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(`story: ${what}`);
}

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`story: ${what}: expected ${e}, got ${a}`);
}

/** What the story observed, for the caller's own assertions. */
export interface StoryLog {
  steps: string[];
  identityId: string;
  approved: number;
  denied: number;
  cancelled: number;
  skewReported: number;
}

/** The cheapest PIN slot the vault accepts (VAULT_KDF_LIMITS: 2^10 <= N, r >= 1, p >= 1). */
const STORY_PIN_KDF = Object.freeze({ N: 1024, r: 1, p: 1, dkLen: 32 });

export async function runStory(o: StoryOptions): Promise<StoryLog> {
  const log: StoryLog = { steps: [], identityId: '', approved: 0, denied: 0, cancelled: 0, skewReported: 0 };
  const step = (name: string) => {
    log.steps.push(name);
    o.onStep?.(name);
  };
  let skew = 0;
  const phoneNow = () => o.time.now() + skew;
  const auth = await o.makeAuthenticator({ ...o.seams, vault: { pinKdf: STORY_PIN_KDF, ...o.seams.vault }, fetch: o.fetch, now: phoneNow, platform: 'ios', pushToken: 'apns-alice-phone' });
  const events: string[] = [];
  auth.subscribe((e) => events.push(e.type));

  step('scan');
  const { text, password } = await o.server.startActivation();
  const scanned = auth.scan(`  ${text}\r\n`);
  check(scanned.ok && scanned.kind === 'activation' && scanned.mode === 'online', 'the emailed QR scans as an online activation');
  const begun = auth.begin(text);
  check(begun.ok, 'begin(text)');
  const flow = begun.flow;
  const first = flow.step();
  check(first.step === 'password' && first.secondsLeft === 300, `password step with a 5-minute countdown (${JSON.stringify(first)})`);

  step('password: a wrong one first');
  o.time.advance(20_000);
  const wrong = await flow.unlock('WRONG-PASSWORD-123');
  same(wrong, { ok: false, reason: 'wrong-password', secondsLeft: 280 }, 'wrong password');
  // As users type it: lower case, spaces instead of dashes.
  const right = await flow.unlock(` ${password.toLowerCase().replace(/-/g, ' ')} `);
  same(right, { ok: true }, 'right password');

  step('review the company');
  const review = flow.step();
  check(review.step === 'review', 'review step');
  same(
    { company: review.company, origin: review.origin, policy: review.policy, suggestedName: review.suggestedName, account: review.account },
    {
      company: 'Acme Corporation',
      origin: 'https://mfa.acme.example',
      policy: { pinRequired: true, minPinLength: 6, biometricsAllowed: true },
      suggestedName: 'Acme Corporation',
      account: null,
    },
    'review shows the company, the server, the policy',
  );

  step('rename');
  same(flow.rename('   '), { ok: false, reason: 'empty' }, 'an empty name');
  same(flow.rename('Work \u202eVPN'), { ok: false, reason: 'invalid-characters' }, 'a bidi override in the name');
  same(flow.rename('  Work VPN '), { ok: true }, 'rename');

  step('PIN required by policy: set and confirmed');
  const needsPin = await flow.confirm();
  same(needsPin, { ok: false, reason: 'pin-required', messageKey: 'activation.error.pin-required' }, 'confirm without a PIN');
  same(flow.step(), { step: 'set-pin', minPinLength: 6 }, 'set-pin step');
  same(await flow.setPin({ pin: '12345', confirmation: '12345' }), { ok: false, reason: 'too-short' }, 'a 5-digit PIN');
  same(await flow.setPin({ pin: STORY_PIN, confirmation: '246811' }), { ok: false, reason: 'mismatch' }, 'the confirmation differs');
  same(await flow.setPin({ pin: STORY_PIN, confirmation: STORY_PIN }), { ok: true }, 'PIN set and confirmed');
  check(auth.status().hasPin, 'the vault has a PIN');

  step('redeem');
  o.time.advance(5_000);
  same(await flow.confirm(), { ok: true }, 'redeemed online');
  const shown = flow.step();
  same(shown, { step: 'account', company: 'Acme Corporation', name: 'Work VPN', accounts: [{ issuer: 'Acme Corporation', account: 'alice@acme.example' }] }, 'the account from the server, before saving');
  same(auth.list().length, 0, 'nothing saved before the user accepts');
  const saved = await flow.save();
  check(saved.ok && saved.identityIds.length === 1, 'saved');
  log.identityId = saved.identityIds[0] as string;
  const identity = auth.get(log.identityId);
  check(identity && identity.name === 'Work VPN' && identity.account === 'alice@acme.example' && identity.push?.origin === 'https://mfa.acme.example', 'the identity');
  same(identity.policy, { pinRequired: true, minPinLength: 6, biometricsAllowed: true, seedExportAllowed: false }, 'the identity keeps the policy');
  check(events.includes('identities'), 'subscribers heard of the new identity');

  step('the server accepts the code');
  o.time.advance(30_000);
  let codes = auth.codes();
  check(codes.ok && codes.codes.length === 1, 'codes()');
  let code = codes.codes[0];
  check(code?.type === 'totp' && /^[0-9]{6}$/.test(code.code) && code.next !== code.code && code.secondsLeft >= 1 && code.secondsLeft <= 30, 'a TOTP code');
  check(await o.server.verifyCode(code.code), 'the server accepts the code');

  const pushAndReceive = async (service: string, numberMatch: boolean, shape: 'apns' | 'fcm') => {
    const sent = await o.server.push({ service, numberMatch });
    const r = await auth.receiveNotification(shape === 'apns' ? sent.apns : sent.fcm);
    check(r.ok, `${service}: received (${JSON.stringify(r)})`);
    return { ...sent, requestId: r.requestId };
  };
  const pushKinds = async () => (await o.server.auditKinds()).filter((k) => k.startsWith('push.'));

  step('push Confirm (approved, audited)');
  o.time.advance(10_000);
  const p1 = await pushAndReceive('Acme VPN', true, 'apns');
  const item = auth.inbox()[0];
  check(item && item.id === p1.requestId && item.service === 'Acme VPN' && item.numberMatch && item.requiresPin && item.secondsLeft === 120, 'the inbox item');
  same(await auth.respond({ requestId: p1.requestId, decision: 'confirm' }), { ok: false, reason: 'number-required' }, 'Confirm without the number');
  same(await auth.respond({ requestId: p1.requestId, decision: 'confirm', number: p1.number as string }), { ok: true, status: 'approved' }, 'Confirm');
  log.approved++;
  same(await pushKinds(), ['push.approved'], 'approved and audited');

  step('push Suspicious (denied, risk event)');
  o.time.advance(10_000);
  const p2 = await pushAndReceive('Acme Mail', false, 'fcm');
  same(await auth.respond({ requestId: p2.requestId, decision: 'suspicious' }), { ok: true, status: 'denied' }, 'Suspicious');
  log.denied++;
  same(await pushKinds(), ['push.approved', 'push.suspicious'], 'Suspicious is audited as a risk');
  await o.server.resumePush();

  step('push Cancel (not audited)');
  o.time.advance(10_000);
  const p3 = await pushAndReceive('Acme Wiki', false, 'apns');
  same(await auth.receiveNotification(p3.apns), { ok: false, reason: 'duplicate' }, 'the same notification twice');
  same(await auth.respond({ requestId: p3.requestId, decision: 'cancel' }), { ok: true, status: 'cancelled' }, 'Cancel');
  log.cancelled++;
  same(auth.inbox().length, 0, 'Cancel discards the request');
  same(await pushKinds(), ['push.approved', 'push.suspicious', 'push.resumed'], 'Cancel is not audited');

  step('a push while the vault is locked needs the PIN');
  auth.lock();
  check(auth.status().state === 'locked', 'locked');
  same(auth.codes(), { ok: false, reason: 'locked' }, 'no codes while locked');
  o.time.advance(10_000);
  const p4 = await pushAndReceive('Acme VPN', false, 'apns');
  same(auth.inbox().length, 1, 'the push is shown while locked');
  same(await auth.respond({ requestId: p4.requestId, decision: 'confirm' }), { ok: false, reason: 'locked' }, 'Confirm while locked');
  check(!(await auth.unlock('000000')).ok, 'a wrong PIN');
  same(await auth.unlock(STORY_PIN), { ok: true }, 'the PIN');
  same(await auth.respond({ requestId: p4.requestId, decision: 'confirm' }), { ok: true, status: 'approved' }, 'Confirm after the PIN');
  log.approved++;

  step('notifications lost: refresh() finds the request');
  o.time.advance(10_000);
  const lost = await o.server.push({ service: 'Acme VPN', numberMatch: false });
  check(lost.apns, 'a push was built');
  same(auth.inbox().length, 0, 'nothing arrived');
  const refreshed = await auth.refresh();
  same(refreshed, { ok: true, added: 1, failed: 0 }, 'refresh()');
  const found = auth.inbox()[0];
  check(found && found.service === 'Acme VPN', 'the lost request');
  same(await auth.respond({ requestId: found.id, decision: 'confirm' }), { ok: true, status: 'approved' }, 'Confirm the found request');
  log.approved++;
  same(await pushKinds(), ['push.approved', 'push.suspicious', 'push.resumed', 'push.approved', 'push.approved'], 'audit after the locked and the lost push');

  step("the phone's clock 95 s fast: codes still accepted, the skew reported");
  o.time.advance(30_000);
  skew = STORY_SKEW_MS;
  await auth.refresh();
  const clock = auth.clock();
  check(clock.skewed && clock.source === 'server-time' && Math.abs(clock.offsetMs + STORY_SKEW_MS) < 1000, `the skew is learned (${JSON.stringify(clock)})`);
  // Over a minute idle on the phone's clock: the vault auto-locked; the user types the PIN.
  same(auth.codes(), { ok: false, reason: 'locked' }, 'auto-locked after a minute idle');
  same(await auth.unlock(STORY_PIN), { ok: true }, 'the PIN again');
  codes = auth.codes();
  check(codes.ok && codes.clock.skewed, 'codes() reports the skew');
  log.skewReported = Math.round(-codes.clock.offsetMs / 1000);
  code = codes.codes[0];
  check(code?.type === 'totp', 'a code');
  check(await o.server.verifyCode(code.code), 'the server accepts the corrected code');
  return log;
}
