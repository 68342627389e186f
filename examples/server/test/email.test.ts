// The activation email of the reference server (docs/guides/reference-server.md 4.4), both
// paths: with SMTP configured it is sent to a real SMTP server the test starts (aiosmtpd) and
// read back (mailparser for the content, Python's email package for the MIME tree, ZBar for
// the QR); without SMTP the enrolment page shows it in a sandboxed iframe and the JSON API
// returns it. No log line carries the password or any part of an email.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '@cloudmfa/core';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSmtpServer, mimeTree, startSmtpServer, zbarDecode } from '../../../packages/email/test/smtpServer.js';
import { startApp } from '../src/app.mjs';
import { ConfigError, readConfig } from '../src/config.mjs';
import { call, makePhone, redeemOverHttp, seededRandom, testServerEnv } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);
const TOKEN = 'email-admin-token-0123456789abcdef';

type App = Awaited<ReturnType<typeof startApp>>;

async function startWith(dir: string, env: Record<string, string>, logs: string[]): Promise<App> {
  const config = readConfig(
    testServerEnv(dir, TOKEN, {
      CLOUDMFA_DB: join(dir, `cloudmfa-${Object.keys(env).length}.db`),
      CLOUDMFA_ISSUER: 'Acme <Corporation>',
      ...env,
    }),
  );
  return startApp(config, { clock: fixedClock(T0), random: seededRandom(`email-test-${JSON.stringify(env)}`), log: (e) => logs.push(JSON.stringify(e)) });
}

/** Logs in through the HTML login form; returns a page client with the session and its CSRF token. */
async function htmlSession(app: App) {
  const login = await call(`${app.adminUrl}/login`, { body: new URLSearchParams({ token: TOKEN }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const cookie = (login.headers.get('set-cookie') as string).split(';')[0] as string;
  const home = await call(`${app.adminUrl}/`, { headers: { cookie } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(home.text)![1] as string;
  return {
    home,
    post: (path: string, form: Record<string, string>) =>
      call(`${app.adminUrl}${path}`, { body: new URLSearchParams({ ...form, csrf }).toString(), headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } }),
  };
}

const unescapeHtml = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cmfa-example-email-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('with SMTP configured: the email is sent', () => {
  let smtp: LocalSmtpServer;
  let refusing: LocalSmtpServer;
  let app: App;
  let separate: App;
  let broken: App;
  const logs: string[] = [];
  const secrets: string[] = [];

  beforeAll(async () => {
    [smtp, refusing] = await Promise.all([startSmtpServer(), startSmtpServer({ reject: true })]);
    const smtpEnv = { CLOUDMFA_SMTP_HOST: '127.0.0.1', CLOUDMFA_SMTP_PORT: String(smtp.port), CLOUDMFA_SMTP_FROM: 'Acme MFA <mfa@acme.example>' };
    app = await startWith(dir, smtpEnv, logs);
    separate = await startWith(dir, { ...smtpEnv, CLOUDMFA_PASSWORD_DELIVERY: 'separate-email', CLOUDMFA_DB: join(dir, 'separate.db') }, logs);
    broken = await startWith(dir, { ...smtpEnv, CLOUDMFA_SMTP_PORT: String(refusing.port), CLOUDMFA_DB: join(dir, 'broken.db') }, logs);
  });

  afterAll(async () => {
    await Promise.all([app?.close(1000), separate?.close(1000), broken?.close(1000)]);
    await Promise.all([smtp?.stop(), refusing?.stop()]);
    // No log line carries a password, an envelope or any text of an email.
    expect(secrets.length).toBeGreaterThan(0);
    for (const line of logs) {
      for (const secret of secrets) expect(line).not.toContain(secret);
      expect(line).not.toMatch(/Activate two-factor|CMFA:|Activation password/);
    }
  });

  it('POST /api/v1/admin/orgs/default/enrolments with "email": the message arrives, related[alternative[text, html], PNG], its QR redeems on a phone', async () => {
    const before = smtp.received().length;
    const res = await call(`${app.adminUrl}/api/v1/admin/orgs/default/enrolments`, { token: TOKEN, body: { userId: 'alice', email: 'Alice <alice@acme.example>' } });
    expect(res.status).toBe(201);
    expect(res.json.email).toEqual({ sent: true });
    secrets.push(res.json.password, res.json.text);
    const [message, ...more] = smtp.received().slice(before);
    expect(more).toEqual([]);
    expect(message!.envelope).toEqual({ mailFrom: 'mfa@acme.example', rcptTos: ['alice@acme.example'] });
    const tree = mimeTree(message!.raw);
    expect([tree.type, ...tree.children.map((c) => c.type)]).toEqual(['multipart/related', 'multipart/alternative', 'image/png']);
    expect(tree.children[0]!.children.map((c) => c.type)).toEqual(['text/plain', 'text/html']);
    const parsed = await simpleParser(message!.raw, { keepCidLinks: true });
    expect(parsed.subject).toBe('Activate two-factor sign-in for Acme <Corporation>');
    expect(parsed.html).toContain('the company name &quot;Acme &lt;Corporation&gt;&quot;');
    expect(parsed.html).toContain(`src="cid:${parsed.attachments[0]!.cid}"`);
    expect(tree.children[1]!.contentId).toBe(`<${parsed.attachments[0]!.cid}>`);
    expect(parsed.text).toContain(`Activation password: ${res.json.password}`);
    expect(parsed.text).toContain('valid for 5 minutes, until Jan 1, 2026, 08:05 AM UTC');
    const scanned = zbarDecode(parsed.attachments[0]!.content);
    expect(scanned).toBe(res.json.text);
    // The phone redeems what it scanned from the email, with the password from the email.
    const phone = makePhone('alice-phone');
    const { identity, status } = await redeemOverHttp(app.deviceUrl, { text: scanned, password: /Activation password: (\S+)/.exec(parsed.text as string)![1]! }, phone, () => T0);
    expect(status).toBe(200);
    expect(identity.enrolmentId).toBe(res.json.enrolmentId);
  });

  it('the enrolment page sends it and says so', async () => {
    const before = smtp.received().length;
    const { home, post } = await htmlSession(app);
    expect(home.text).toContain('name="email"');
    const res = await post('/enrol', { userId: 'bob', mode: 'online', email: 'bob@acme.example' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Sent to bob@acme.example.');
    expect(res.text).not.toContain('<iframe');
    const [message] = smtp.received().slice(before);
    expect(message!.envelope.rcptTos).toEqual(['bob@acme.example']);
    const password = /class="big mono">([0-9A-Z-]{14})</.exec(res.text)![1]!;
    secrets.push(password);
    expect((await simpleParser(message!.raw)).text).toContain(`Activation password: ${password}`);
  });

  it('CLOUDMFA_PASSWORD_DELIVERY=separate-email: two messages, the password only in the second', async () => {
    const before = smtp.received().length;
    const res = await call(`${separate.adminUrl}/api/v1/admin/orgs/default/enrolments`, { token: TOKEN, body: { userId: 'carol', email: 'carol@acme.example' } });
    expect(res.json.email).toEqual({ sent: true });
    secrets.push(res.json.password);
    const received = smtp.received().slice(before);
    expect(received).toHaveLength(2);
    expect(received[0]!.raw.toString('latin1')).not.toContain(res.json.password);
    expect((await simpleParser(received[1]!.raw)).text).toContain(`Activation password: ${res.json.password}`);
  });

  it('a refusing SMTP server: the activation is issued, the answer and the page say the email was not sent, the log line has codes only', async () => {
    const res = await call(`${broken.adminUrl}/api/v1/admin/orgs/default/enrolments`, { token: TOKEN, body: { userId: 'dave', email: 'dave@acme.example' } });
    expect(res.status).toBe(201);
    expect(res.json.email).toEqual({ sent: false, reason: 'send_failed', code: 'ERR_EMAIL_SEND' });
    secrets.push(res.json.password);
    const line = logs.find((l) => l.includes('"email_failed"') && l.includes(res.json.enrolmentId));
    expect(JSON.parse(line!)).toEqual({ level: 'warn', event: 'email_failed', enrolmentId: res.json.enrolmentId, code: 'ERR_EMAIL_SEND', transportCode: 'EMESSAGE', responseCode: 550 });
    const { post } = await htmlSession(broken);
    const page = await post('/enrol', { userId: 'erin', mode: 'online', email: 'erin@acme.example' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('The email to erin@acme.example could not be sent (ERR_EMAIL_SEND).');
    secrets.push(/class="big mono">([0-9A-Z-]{14})</.exec(page.text)![1]!);
  });

  it('an address that would inject a header is refused before an activation is issued', async () => {
    const bad = await call(`${app.adminUrl}/api/v1/admin/orgs/default/enrolments`, { token: TOKEN, body: { userId: 'mallory', email: 'm@acme.example\r\nBcc: eve@evil.example' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('ERR_HTTP_MALFORMED');
    expect((await call(`${app.adminUrl}/api/v1/admin/orgs/default/enrolments?userId=mallory`, { token: TOKEN })).json.enrolments).toEqual([]);
  });
});

describe('without SMTP: the email is shown', () => {
  let app: App;
  const logs: string[] = [];

  beforeAll(async () => {
    app = await startWith(dir, { CLOUDMFA_DB: join(dir, 'nosmtp.db') }, logs);
  });
  afterAll(async () => {
    await app?.close(1000);
  });

  it('the enrolment page shows the rendered email in a sandboxed iframe (QR inline as data: for the preview) and its text part', async () => {
    const { post } = await htmlSession(app);
    const res = await post('/enrol', { userId: 'frank', mode: 'online', email: 'frank@acme.example' });
    expect(res.status).toBe(200);
    // The admin pages' CSP is unchanged: images from data: only, no scripts anywhere.
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    expect(res.text).toContain('SMTP is not configured (CLOUDMFA_SMTP_HOST), so nothing was sent.');
    const iframe = /<iframe sandbox="" title="Activation email preview" srcdoc="([^"]*)"/.exec(res.text);
    expect(iframe).not.toBeNull();
    const srcdoc = unescapeHtml(iframe![1]!);
    expect(srcdoc).toContain('the company name &quot;Acme &lt;Corporation&gt;&quot;');
    expect(srcdoc).not.toContain('cid:');
    const png = /<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/.exec(srcdoc)![1]!;
    const password = /class="big mono">([0-9A-Z-]{14})</.exec(res.text)![1]!;
    expect(srcdoc).toContain(`>${password}</p>`);
    const text = unescapeHtml(/<pre class="mono"[^>]*>([^<]*)<\/pre>/.exec(res.text)![1]!);
    expect(text).toContain(`Activation password: ${password}`);
    // The preview's QR is the activation's.
    const scanned = zbarDecode(Buffer.from(png, 'base64'));
    expect(scanned.startsWith('CMFA:')).toBe(true);
    const enrolments = (await call(`${app.adminUrl}/api/v1/admin/orgs/default/enrolments?userId=frank`, { token: TOKEN })).json.enrolments;
    expect(enrolments).toHaveLength(1);
    for (const line of logs) expect(line).not.toContain(password);
  });

  it('the JSON API returns the email instead of sending it', async () => {
    const res = await call(`${app.adminUrl}/api/v1/admin/orgs/default/enrolments`, { token: TOKEN, body: { userId: 'grace', mode: 'otpauth', email: 'grace@acme.example' } });
    expect(res.status).toBe(201);
    expect(res.json.email.sent).toBe(false);
    expect(res.json.email.reason).toBe('not_configured');
    expect(res.json.email.preview.password).toBeNull();
    expect(res.json.email.preview.activation.subject).toBe('Activate two-factor sign-in for Acme <Corporation>');
    expect(res.json.email.preview.activation.text).toContain('With Google Authenticator, Authy or another authenticator app');
    // Without "email" the answer is what it always was.
    const plain = await call(`${app.adminUrl}/api/v1/admin/orgs/default/enrolments`, { token: TOKEN, body: { userId: 'heidi' } });
    expect(plain.json.email).toBeUndefined();
  });
});

describe('configuration', () => {
  it('refuses incomplete or malformed SMTP settings, naming the variable and never its value', () => {
    const cases: [Record<string, string>, string][] = [
      [{ CLOUDMFA_SMTP_HOST: 'smtp.acme.example' }, 'CLOUDMFA_SMTP_FROM is required with CLOUDMFA_SMTP_HOST'],
      [{ CLOUDMFA_SMTP_PASSWORD: 'smtp-secret-123' }, 'CLOUDMFA_SMTP_PASSWORD needs CLOUDMFA_SMTP_HOST'],
      [{ CLOUDMFA_SMTP_HOST: 'smtp.acme.example', CLOUDMFA_SMTP_FROM: 'mfa@acme.example', CLOUDMFA_SMTP_PASSWORD: 'smtp-secret-123' }, 'CLOUDMFA_SMTP_USER and CLOUDMFA_SMTP_PASSWORD must be given together'],
      [{ CLOUDMFA_SMTP_HOST: 'smtp.acme.example', CLOUDMFA_SMTP_FROM: 'mfa@acme.example\nBcc: x@y.z' }, 'CLOUDMFA_SMTP_FROM expected one mail address (address or Name <address>)'],
      [{ CLOUDMFA_SMTP_HOST: 'smtp.acme.example', CLOUDMFA_SMTP_FROM: 'mfa@acme.example', CLOUDMFA_SMTP_SECURE: 'yes' }, 'CLOUDMFA_SMTP_SECURE expected 1 or 0'],
      [{ CLOUDMFA_SMTP_HOST: 'smtp.acme.example', CLOUDMFA_SMTP_FROM: 'mfa@acme.example', CLOUDMFA_SMTP_PORT: '0' }, 'CLOUDMFA_SMTP_PORT expected a port number 1..65535'],
      [{ CLOUDMFA_PASSWORD_DELIVERY: 'pigeon' }, 'CLOUDMFA_PASSWORD_DELIVERY expected same-email, separate-email or out-of-band'],
    ];
    for (const [env, message] of cases) {
      let error: unknown;
      try {
        readConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(message);
      expect((error as Error).message).not.toContain('smtp-secret-123');
    }
  });
});
