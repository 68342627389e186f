// The seed's end-user story, in the app's web build, in a real browser: Chromium (Debian's
// `chromium`, driven by playwright-core) against the reference server (examples/server,
// in-process, on SQLite, with a pinned clock and seeded randomness).
//
// An administrator enrols alice through the admin API; the app adds the token with "Enter
// text", a wrong password then the right one, a changed token name, a PIN set and confirmed;
// the server accepts the code the app shows; then three pushes, each answered after the PIN:
// Confirm (approved, audited), Suspicious (denied, audited, a risk event), Cancel (nothing sent,
// not audited, still pending on the server). Every step is photographed; with
// CLOUDMFA_UPDATE_SCREENSHOTS=1 the pictures go to docs/guides/images/ for the guide.
//
// The browser's clock is pinned to the server's (Playwright's clock: Date.now is fixed, timers
// run), so codes, countdowns and pictures are the same on every run. Nothing waits on time:
// each step waits for what the next screen shows.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '@cloudmfa/core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../../server/src/app.mjs';
import { readConfig } from '../../server/src/config.mjs';
import { call, FAST_KDF_POLICY, seededRandom, testServerEnv } from '../../server/test/helpers.js';
import { APP_DIR, exportApp } from './exportApp.js';
import { serveWebBuild, type WebServer } from './webServer.js';

const T0 = Date.UTC(2026, 0, 1, 8, 0, 12);
const TOKEN = 'app-story-admin-token-0123456789abcdef';
const PIN = '482913';
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const GUIDE_IMAGES = join(APP_DIR, '..', '..', 'docs', 'guides', 'images');

let dir: string;
let web: WebServer;
let app: Awaited<ReturnType<typeof startApp>>;
let browser: Browser;
let page: Page;
const clock = fixedClock(T0);
const serverLog: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cmfa-app-web-'));
  exportApp('web', join(dir, 'web'));
  web = await serveWebBuild(join(dir, 'web'));
  const config = readConfig(
    testServerEnv(dir, TOKEN, {
      // The app's page and the device API share one origin (test/webServer.ts).
      CLOUDMFA_ORIGIN: web.url,
      CLOUDMFA_TRUST_PROXY_HEADER: 'none',
      CLOUDMFA_POLICY: JSON.stringify({ ...FAST_KDF_POLICY, app: { pinRequired: true, minPinLength: 6, biometricsAllowed: true } }),
      CLOUDMFA_LOG: 'off',
    }),
  );
  app = await startApp(config, { clock, random: seededRandom('app-web-story'), log: (e: object) => void serverLog.push(e as Record<string, unknown>) });
  web.setDeviceUrl(app.deviceUrl);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: 'en-GB', timezoneId: 'UTC', colorScheme: 'light' });
  page = await context.newPage();
  await page.clock.setFixedTime(T0);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close(1000);
  await web?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function shot(name: string): Promise<void> {
  const file = join(dir, `app-${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  if (process.env.CLOUDMFA_UPDATE_SCREENSHOTS === '1') copyFileSync(file, join(GUIDE_IMAGES, `app-${name}.png`));
}

const admin = (path: string, body?: unknown) => call(`${app.adminUrl}${path}`, { method: body === undefined ? 'GET' : 'POST', token: TOKEN, body });
const heading = (name: string) => page.getByRole('heading', { name, exact: true });
const button = (name: string) => page.getByRole('button', { name, exact: true });
const field = (name: string) => page.getByLabel(name, { exact: true });

/** Both clocks move together: the server's and the page's. */
async function advance(ms: number): Promise<void> {
  clock.advance(ms);
  await page.clock.setFixedTime(clock());
}

async function auditKinds(): Promise<string[]> {
  const r = await admin('/api/v1/admin/orgs/default/audit?userId=alice&limit=100');
  return (r.json.events as Array<{ kind: string }>).map((e) => e.kind);
}

/** Locks the app, has the server send a push, and opens it from the lock screen: the PIN comes first. */
async function pushAndOpen(context: Record<string, string>, numberMatch: boolean): Promise<{ challengeId: string; number: string | null }> {
  await button('Lock').click();
  await heading('Locked').waitFor();
  await advance(30_000);
  const r = await admin('/api/v1/admin/orgs/default/push', { userId: 'alice', context, numberMatch });
  expect(r.status).toBe(200);
  expect(r.json.ok).toBe(true);
  await button('Check for sign-in requests').click();
  await page.getByText('asks for your PIN before you answer a sign-in request').waitFor();
  return { challengeId: r.json.challengeId, number: r.json.number };
}

async function unlockForPush(): Promise<void> {
  await field('PIN').fill(PIN);
  await button('Unlock').click();
  await button('Suspicious').waitFor();
}

async function backToTokens(): Promise<void> {
  await button('Back to tokens').click();
  await heading('Tokens').waitFor();
}

describe('the authenticator app (web build) in Chromium against the reference server', () => {
  let text: string;
  let password: string;

  it('starts empty and explains how to add a token', async () => {
    const enrolled = await admin('/api/v1/admin/orgs/default/enrolments', { userId: 'alice', account: 'alice@acme.example', mode: 'online' });
    expect(enrolled.status).toBe(201);
    ({ text, password } = enrolled.json);
    await page.goto(`${web.url}/`);
    await heading('Tokens').waitFor();
    await page.getByText('No tokens yet.').waitFor();
    await shot('empty');
  });

  it('adds the token with "Enter text"; a wrong password is refused with the time left', async () => {
    await button('Add token').click();
    await heading('Add token').waitFor();
    await field('QR code text').fill(text);
    await shot('add');
    await button('Continue').click();
    await heading('Password').waitFor();
    await page.getByText('This QR code can be used for 5:00 more.').waitFor();
    await field('Password').fill('not-the-password');
    await button('Unlock').click();
    await page.getByRole('alert').filter({ hasText: 'Wrong password.' }).waitFor();
    await shot('password-wrong');
    await field('Password').fill(password);
    await button('Unlock').click();
    await heading('Review').waitFor();
  });

  it('reviews the company, server and policy, and renames the token', async () => {
    await page.getByText('Acme Corporation', { exact: true }).waitFor();
    await page.getByText(`Server: ${web.url.replace('http://', '')}`).waitFor();
    await page.getByText('Your organisation requires a PIN (at least 6 digits).').waitFor();
    await field('Token name (optional)').fill('Acme work');
    await shot('review');
    await button('Next').click();
  });

  it('sets the PIN, confirms it, and the server adds the account', async () => {
    await heading('Set a PIN').waitFor();
    await field('New PIN').fill('1234');
    await button('Next').click();
    await page.getByRole('alert').filter({ hasText: 'At least 6 digits.' }).waitFor();
    await field('New PIN').fill(PIN);
    await shot('pin-set');
    await button('Next').click();
    await heading('Confirm the PIN').waitFor();
    await field('Confirm PIN').fill(PIN);
    await shot('pin-confirm');
    await button('Set PIN').click();
    await heading('Token added').waitFor();
    await page.getByText('alice@acme.example at Acme Corporation added').waitFor();
    await shot('added');
    await button('Done').click();
    await heading('Tokens').waitFor();
  });

  it('shows a code that the server accepts', async () => {
    const code = page.getByTestId(/^code-/);
    await expect.poll(async () => (await code.textContent())?.replace(/\s/g, '')).toMatch(/^[0-9]{6}$/);
    await page.getByText('Acme work').waitFor();
    await shot('codes');
    const shown = ((await code.textContent()) as string).replace(/\s/g, '');
    const verified = await admin('/api/v1/admin/orgs/default/verify', { userId: 'alice', code: shown });
    expect(verified.json).toMatchObject({ ok: true, method: 'totp', delta: 0 });
  });

  it('locks, and unlocks with the PIN to the first code (timed)', async () => {
    await button('Lock').click();
    await heading('Locked').waitFor();
    await shot('locked');
    await field('PIN').fill(PIN);
    const started = performance.now();
    await button('Unlock').click();
    await page.getByTestId(/^code-/).filter({ hasText: /[0-9]{3} [0-9]{3}/ }).waitFor();
    const ms = performance.now() - started;
    // A record for docs/benchmarks.md (`pnpm bench app` sets the file), not a bound.
    const timingFile = process.env.CLOUDMFA_APP_TIMING_FILE;
    if (timingFile) writeFileSync(timingFile, JSON.stringify({ ms }));
    console.log(`authenticator app (web, Chromium): first code ${ms.toFixed(0)} ms after Unlock`);
  });

  it('Confirm: the PIN first, then the request with its number; approved and audited', async () => {
    const { challengeId, number } = await pushAndOpen({ service: 'Acme VPN', message: 'Sign in to the VPN', ip: '203.0.113.9', location: 'Berlin, DE', device: 'Firefox on Linux' }, true);
    await shot('push-pin');
    await unlockForPush();
    await page.getByText('Location: Berlin, DE').waitFor();
    await page.getByText('IP address: 203.0.113.9').waitFor();
    await page.getByText('2:00 left to answer').waitFor();
    await shot('push');
    await field('Type the number shown on the sign-in page').fill(number as string);
    await button('Confirm').click();
    await page.getByText('Approved.', { exact: false }).waitFor();
    await shot('push-approved');
    expect((await admin(`/api/v1/admin/orgs/default/push/${challengeId}`)).json.status).toBe('approved');
    expect(await auditKinds()).toContain('push.approved');
    await backToTokens();
  });

  it('Suspicious: denied, audited and raised as a risk event', async () => {
    const { challengeId } = await pushAndOpen({ service: 'Acme Mail', message: 'Sign in to webmail', ip: '198.51.100.23', location: 'Lagos, NG', device: 'Chrome on Windows' }, false);
    await unlockForPush();
    await button('Suspicious').click();
    await page.getByText('Denied and reported to your organisation.').waitFor();
    await shot('push-suspicious');
    expect((await admin(`/api/v1/admin/orgs/default/push/${challengeId}`)).json.status).toBe('denied');
    expect(await auditKinds()).toContain('push.suspicious');
    expect(serverLog.filter((e) => e.event === 'risk').map((e) => e.kind)).toContain('push.suspicious');
    // The server pauses pushes to alice until an administrator has looked (push fatigue).
    const paused = await admin('/api/v1/admin/orgs/default/push', { userId: 'alice', context: { service: 'Acme Mail' } });
    expect(paused.json).toMatchObject({ ok: false, reason: 'paused' });
    expect((await admin('/api/v1/admin/orgs/default/push/resume', { userId: 'alice' })).json).toEqual({ ok: true });
    await backToTokens();
  });

  it('Cancel: nothing sent, nothing audited, the challenge still pending on the server', async () => {
    const before = await auditKinds();
    const { challengeId } = await pushAndOpen({ service: 'Acme Wiki', message: 'Sign in to the wiki' }, false);
    await unlockForPush();
    await button('Cancel').click();
    await page.getByText('Cancelled. Nothing was sent.').waitFor();
    await shot('push-cancelled');
    expect((await admin(`/api/v1/admin/orgs/default/push/${challengeId}`)).json.status).toBe('pending');
    expect(await auditKinds()).toEqual(before);
    await backToTokens();
  });

  it('Settings: PIN, biometrics (none in a browser), auto-lock, backup, the clock the client measured', async () => {
    await button('Settings').click();
    await heading('Settings').waitFor();
    await page.getByText('Offset to the server: 0.0 s', { exact: false }).waitFor();
    await page.getByText('This device has no biometrics set up.').waitFor();
    await shot('settings');
    await page.getByText('Offset to the server: 0.0 s', { exact: false }).scrollIntoViewIfNeeded();
    await shot('settings-clock');
    await field('Backup password').fill('correct horse battery');
    await button('Export backup').click();
    // The online token is bound to this device: it is listed as not included, never exported.
    await page.getByText('Backup of 0 tokens copied (1 bound to this phone not included)', { exact: false }).waitFor();
  });
});
