// The admin pages the way an administrator uses them: Chromium (Debian's `chromium`, driven by
// playwright-core) logs in, enrols a user (QR and password shown), lets a phone redeem the QR
// it shows, verifies the phone's code, sends a push and watches the phone approve it, looks the
// user up, revokes the enrolment and reads the audit log, by clicking and typing.
//
// The reference server runs in-process (`startApp`, the same app `node server.mjs` starts) on
// real loopback listeners, with a pinned clock and a seeded random source, so every page and
// every screenshot is the same on each run. Nothing waits on time: each step waits for the
// element the next page shows (Playwright's auto-waiting).
//
// Screenshots go to a temporary directory; `pnpm --filter @cloudmfa/example-server screenshots`
// (CLOUDMFA_UPDATE_SCREENSHOTS=1) copies them to docs/guides/images/ for the guide.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '@cloudmfa/core';
import jsQR from 'jsqr';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../src/app.mjs';
import { readConfig } from '../src/config.mjs';
import { call, codeAt, makePhone, pollAndAnswer, redeemOverHttp, seededRandom, testServerEnv } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);
const TOKEN = 'browser-admin-token-0123456789abcdef';
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const GUIDE_IMAGES = new URL('../../../docs/guides/images/', import.meta.url).pathname;

let dir: string;
let shots: string;
let app: Awaited<ReturnType<typeof startApp>>;
let browser: Browser;
let page: Page;
const clock = fixedClock(T0);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cmfa-example-browser-'));
  shots = join(dir, 'screenshots');
  const config = readConfig(
    testServerEnv(dir, TOKEN, {
      // Fixed (the device port is ephemeral): the origin is written into the QR, which the
      // screenshots show. The test's phone posts to the listener directly.
      CLOUDMFA_ORIGIN: 'https://mfa.acme.example',
      // No proxy in front of the test's listener: the socket address counts.
      CLOUDMFA_TRUST_PROXY_HEADER: 'none',
      CLOUDMFA_LOG: 'off',
    }),
  );
  app = await startApp(config, { clock, random: seededRandom('browser-test') });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 }, deviceScaleFactor: 1, locale: 'en-GB', timezoneId: 'UTC', colorScheme: 'light' });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await app?.close(1000);
  rmSync(dir, { recursive: true, force: true });
});

async function shot(name: string): Promise<void> {
  const file = join(shots, `admin-${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  if (process.env.CLOUDMFA_UPDATE_SCREENSHOTS === '1') copyFileSync(file, join(GUIDE_IMAGES, `admin-${name}.png`));
}

/** The dashboard card whose heading is `title`. */
const card = (title: string): Locator => page.locator('section', { has: page.getByRole('heading', { name: title, exact: true }) });

async function type(field: Locator, text: string): Promise<void> {
  await field.click();
  await field.pressSequentially(text);
}

async function toDashboard(): Promise<void> {
  await page.getByRole('link', { name: 'Dashboard' }).click();
  await page.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor();
}

/** The text in the page's QR image, read the way a phone's camera would read it. */
async function scanQr(img: Locator): Promise<string> {
  const src = (await img.getAttribute('src')) as string;
  expect(src).toMatch(/^data:image\/png;base64,/);
  const png = PNG.sync.read(Buffer.from(src.slice('data:image/png;base64,'.length), 'base64'));
  const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(decoded).not.toBeNull();
  return decoded?.data as string;
}

describe('the admin pages in Chromium', () => {
  const phone = makePhone('browser-alice');
  let identity: Awaited<ReturnType<typeof redeemOverHttp>>['identity'];

  it('logs in with the admin token', async () => {
    await page.goto(`${app.adminUrl}/`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await shot('login');
    await type(page.getByLabel('Admin token'), TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor();
    expect(page.url()).toBe(`${app.adminUrl}/`);
  });

  it('shows the dashboard with every control inside its card', async () => {
    const enrol = card('Enrol a user');
    const select = enrol.getByLabel('Mode');
    const [box, inner] = [await enrol.boundingBox(), await select.boundingBox()];
    expect(box && inner).toBeTruthy();
    if (!box || !inner) return;
    expect(inner.x + inner.width).toBeLessThanOrEqual(box.x + box.width);
    for (const title of ['Enrol a user', 'Verify a code', 'Send a push', 'Look up a user']) {
      const c = card(title);
      // No control is wider than its card: nothing scrolls or spills sideways.
      expect(await c.evaluate((el) => el.scrollWidth <= el.clientWidth), title).toBe(true);
    }
    await shot('dashboard');
  });

  it('enrols a user: the QR code and the password; a phone redeems the QR', async () => {
    const enrol = card('Enrol a user');
    await type(enrol.getByLabel('User id'), 'alice');
    await type(enrol.getByLabel('Account shown in the app'), 'alice@acme.example');
    await enrol.getByLabel('Mode').selectOption('online');
    await enrol.getByRole('button', { name: 'Enrol' }).click();
    await page.getByRole('heading', { name: 'Activation for alice' }).waitFor();
    const qr = page.getByAltText('activation QR code');
    await qr.waitFor();
    const password = (await page.locator('p.big.mono').textContent())?.trim() as string;
    expect(password.length).toBeGreaterThan(8);
    await shot('enrol');

    const text = await scanQr(qr);
    // No SMTP here: the page shows the activation email in a sandboxed iframe, which Chromium
    // renders under the admin CSP (its QR inline as data:, its scripts, were there any, off).
    const preview = page.frameLocator('iframe[title="Activation email preview"]');
    await preview.getByText(password, { exact: true }).waitFor();
    const emailQr = preview.getByAltText('Activation QR code');
    expect(await emailQr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await scanQr(emailQr)).toBe(text);
    await page.getByRole('heading', { name: 'Activation email', exact: true }).evaluate((h) => h.scrollIntoView({ block: 'start' }));
    await shot('enrol-email');
    ({ identity } = await redeemOverHttp(app.deviceUrl, { text, password }, phone, clock));
    expect([identity.account, identity.issuer]).toEqual(['alice@acme.example', 'Acme Corporation']);
  });

  it('verifies the code the phone shows', async () => {
    clock.advance(30_000);
    await toDashboard();
    const verify = card('Verify a code');
    await type(verify.getByLabel('User id'), 'alice');
    await type(verify.getByLabel('Code'), codeAt(identity, clock));
    await verify.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Verify a code for alice' }).waitFor();
    expect(await page.locator('p.ok').textContent()).toBe('Accepted');
    await shot('verify');
  });

  it('sends a push; the phone types the number shown and approves', async () => {
    clock.advance(30_000);
    await toDashboard();
    const push = card('Send a push');
    await type(push.getByLabel('User id'), 'alice');
    await push.getByLabel('Service').fill('');
    await type(push.getByLabel('Service'), 'Acme VPN');
    await type(push.getByLabel('Message'), 'Sign in from Berlin');
    expect(await push.getByLabel('number matching').isChecked()).toBe(true);
    await push.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('heading', { name: 'Push challenge' }).waitFor();
    const number = (await page.locator('p.big').textContent())?.trim() as string;
    expect(number).toMatch(/^[0-9]{2}$/);
    // The path and query, not the whole URL: the test server's random port may contain the digits.
    const { pathname, search } = new URL(page.url());
    expect(`${pathname}${search}`).not.toContain(number);
    // The pending page reloads itself every 2 s (meta refresh): only auto-waiting locators here.
    await page.locator('b', { hasText: 'pending' }).waitFor();
    await shot('push');

    const response = await pollAndAnswer(app.deviceUrl, identity, phone, clock, 'confirm', number);
    const answer = await call(`${app.deviceUrl}/v1/push/respond`, { body: { response } });
    expect(answer.json.status).toBe('approved');
    // No reload of our own (it could cross the page's refresh): the page's next refresh shows it.
    await page.locator('b.ok', { hasText: 'approved' }).waitFor();
    expect(await page.locator('p.big').count()).toBe(0); // the number is gone once final
  });

  it('looks the user up and revokes the enrolment', async () => {
    await toDashboard();
    const lookUp = card('Look up a user');
    await type(lookUp.getByLabel('User id'), 'alice');
    await lookUp.getByRole('button', { name: 'Show enrolments' }).click();
    await page.getByRole('heading', { name: 'Enrolments of alice' }).waitFor();
    const row = page.getByRole('row', { name: new RegExp(identity.enrolmentId) });
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('active');
    await shot('user');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('cell', { name: 'revoked', exact: true }).waitFor();
    expect(await row.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
  });

  it('reads the audit log', async () => {
    await page.getByRole('link', { name: 'Audit log', exact: true }).click();
    await page.getByRole('heading', { name: 'Audit log', exact: true }).waitFor();
    const kinds = await page.locator('tbody tr td:nth-child(2)').allTextContents();
    for (const kind of ['enrolment.issued', 'otp.accepted', 'push.approved', 'enrolment.revoked']) expect(kinds, kind).toContain(kind);
    await shot('audit');
  });

  it('renders the API reference: every operation of the OpenAPI document, with its schemas', async () => {
    const doc = (await call(`${app.adminUrl}/openapi.json`)).json as { paths: Record<string, Record<string, { operationId: string }>> };
    const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, id: op.operationId })));
    expect(operations.length).toBeGreaterThan(15);
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${app.adminUrl}/api-reference`);
    await page.getByRole('heading', { name: /OpenAPI 3\.1\.0/ }).waitFor();
    expect(await page.locator('section.operation').count()).toBe(operations.length);
    for (const { path, method, id } of operations) {
      const section = page.locator(`#op-${id}`);
      expect(await section.getByRole('heading', { level: 2 }).textContent(), id).toBe(`${method.toUpperCase()} ${path}`);
      // The table of contents links to it.
      expect(await page.locator(`a[href="#op-${id}"]`).count(), id).toBe(1);
    }
    const verify = page.locator('#op-verifyOtp');
    await verify.locator('details').first().locator('summary').click();
    await verify.locator('details[open] pre.schema').first().waitFor();
    expect(await verify.locator('details[open] pre.schema').first().textContent()).toContain('"enrolmentId"');
    await shot('api-reference');
    expect(errors).toEqual([]);
  });
});

