// The SMTP transport against a real SMTP server the test starts (aiosmtpd), the received
// message read back by two parsers independent of nodemailer: mailparser for the content and
// Python's `email` package for the MIME tree; the QR read back by ZBar.
import { isCloudMfaError } from '@cloudmfa/core';
import { type ParsedMail, simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type EmailTransport, englishMessages, renderActivationEmail, sendActivationEmail } from '../src/index.js';
import { createSmtpTransport, type SmtpTransport } from '../src/smtp.js';
import { issue, rejection } from './helpers.js';
import { type LocalSmtpServer, mimeTree, startSmtpServer, zbarDecode } from './smtpServer.js';

const FROM = 'Acme MFA <mfa@acme.example>';
const TO = 'Alice Example <alice@acme.example>';

let smtp: LocalSmtpServer;
let refusing: LocalSmtpServer;
let transport: SmtpTransport;
let refusingTransport: SmtpTransport;

beforeAll(async () => {
  [smtp, refusing] = await Promise.all([startSmtpServer(), startSmtpServer({ reject: true })]);
  transport = createSmtpTransport({ host: '127.0.0.1', port: smtp.port });
  refusingTransport = createSmtpTransport({ host: '127.0.0.1', port: refusing.port });
});

afterAll(async () => {
  transport?.close();
  refusingTransport?.close();
  await Promise.all([smtp?.stop(), refusing?.stop()]);
});

/** Sends and returns what the server received for this send only. */
// keepCidLinks: read the HTML as sent (mailparser otherwise inlines cid: images as data: URLs).
async function sendAndReceive(send: () => Promise<void>): Promise<{ raw: Buffer; envelope: { mailFrom: string; rcptTos: string[] }; parsed: ParsedMail }[]> {
  const before = smtp.received().length;
  await send();
  const received = smtp.received().slice(before);
  return Promise.all(received.map(async (m) => ({ ...m, parsed: await simpleParser(m.raw, { keepCidLinks: true }) })));
}

describe('the activation email over SMTP', () => {
  it('arrives as multipart/related [multipart/alternative [text, html], inline PNG]; the HTML’s cid is the PNG’s Content-ID; the QR decodes to the envelope', async () => {
    const { activation, clock } = await issue('online');
    const email = renderActivationEmail({ activation, issuer: 'Acme Corporation', recipientName: 'Alice', now: clock });
    const [message, ...more] = await sendAndReceive(() => sendActivationEmail({ transport, from: FROM, to: TO, email }));
    expect(more).toEqual([]);
    const { raw, envelope, parsed } = message!;
    expect(envelope).toEqual({ mailFrom: 'mfa@acme.example', rcptTos: ['alice@acme.example'] });

    const tree = mimeTree(raw);
    expect(tree.type).toBe('multipart/related');
    expect(tree.params.type).toBe('multipart/alternative');
    expect(tree.children.map((c) => c.type)).toEqual(['multipart/alternative', 'image/png']);
    expect(tree.children[0]!.children.map((c) => c.type)).toEqual(['text/plain', 'text/html']);
    const image = tree.children[1]!;
    expect(image.disposition).toBe('inline');
    expect(image.filename).toBe('activation-qr.png');
    expect(image.contentId).toBe(`<${email.activation.images[0]!.contentId}>`);

    expect(parsed.subject).toBe('Activate two-factor sign-in for Acme Corporation');
    expect(parsed.from?.value).toEqual([{ address: 'mfa@acme.example', name: 'Acme MFA' }]);
    expect(parsed.headers.get('content-language')).toBe('en');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(parsed.text).toBe(email.activation.text);
    expect(parsed.html).toBe(email.activation.html);
    const cid = /<img src="cid:([^"]+)"/.exec(parsed.html as string)![1];
    expect(parsed.attachments).toHaveLength(1);
    const [png] = parsed.attachments;
    expect(png!.cid).toBe(cid);
    expect(png!.related).toBe(true);
    expect(png!.contentType).toBe('image/png');
    expect(new Uint8Array(png!.content)).toEqual(email.activation.images[0]!.content);
    expect(zbarDecode(png!.content)).toBe(activation.text);
    // What the user must type is in the message as sent.
    expect(parsed.text).toContain(`Activation password: ${activation.password}`);
  });

  it('separate-email: two messages, the QR first and the password second, each to its address; neither carries the other’s factor', async () => {
    const { activation, clock } = await issue('online');
    const email = renderActivationEmail({ activation, issuer: 'Zoë & Søn', messages: { ...englishMessages, locale: 'en-GB' }, passwordDelivery: 'separate-email', now: clock });
    const received = await sendAndReceive(() => sendActivationEmail({ transport, from: FROM, to: TO, passwordTo: 'alice.private@example.org', email }));
    expect(received).toHaveLength(2);
    const [first, second] = received;
    expect(first!.envelope.rcptTos).toEqual(['alice@acme.example']);
    expect(second!.envelope.rcptTos).toEqual(['alice.private@example.org']);
    expect(first!.parsed.subject).toBe('Activate two-factor sign-in for Zoë & Søn');
    expect(second!.parsed.subject).toBe('Your activation password for Zoë & Søn');
    expect(first!.raw.toString('latin1')).not.toContain(activation.password!);
    expect(first!.parsed.text).not.toContain(activation.password!);
    expect(second!.parsed.text).toContain(`Activation password: ${activation.password}`);
    expect(second!.parsed.attachments).toEqual([]);
    expect(zbarDecode(first!.parsed.attachments[0]!.content)).toBe(activation.text);
    expect(mimeTree(second!.raw).children.map((c) => c.type)).toEqual(['multipart/alternative']);
  });

  it('otpauth mode: the QR in the received message decodes to the exact otpauth URI', async () => {
    const { activation, clock } = await issue('otpauth', { account: 'alice@acme.example' });
    const email = renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock });
    const [message] = await sendAndReceive(() => sendActivationEmail({ transport, from: FROM, to: TO, email }));
    expect(zbarDecode(message!.parsed.attachments[0]!.content)).toBe(activation.uri);
    expect(message!.parsed.text).toContain('With Google Authenticator, Authy or another authenticator app');
  });

  it('logs nothing: no console output, nothing on stdout or stderr while sending', async () => {
    const { activation, clock } = await issue('online');
    const email = renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock });
    const spies = [
      ...(['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((m) => vi.spyOn(console, m)),
      vi.spyOn(process.stdout, 'write'),
      vi.spyOn(process.stderr, 'write'),
    ];
    try {
      await sendActivationEmail({ transport, from: FROM, to: TO, email });
      await rejection(() => sendActivationEmail({ transport: refusingTransport, from: FROM, to: TO, email }));
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe('failures are typed and carry no secret', () => {
  const secretsOf = (e: unknown) => {
    const err = e as Error & { cause?: unknown };
    return [err.message, String(err.stack), JSON.stringify(err), JSON.stringify(err.cause), String(err.cause), JSON.stringify(Object.getOwnPropertyDescriptors(err))];
  };

  it('a server that refuses the message: ERR_EMAIL_SEND with the reply code only, no password in the message, cause, stack or JSON', async () => {
    const { activation, clock } = await issue('online');
    const email = renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock });
    const e = await rejection(() => sendActivationEmail({ transport: refusingTransport, from: FROM, to: TO, email }));
    expect(e.code).toBe('ERR_EMAIL_SEND');
    expect(e.message).toBe('the activation email could not be sent');
    expect(isCloudMfaError(e.cause, 'ERR_EMAIL_SEND')).toBe(true);
    expect((e.cause as { cause?: unknown }).cause).toEqual({ code: 'EMESSAGE', responseCode: 550 });
    for (const text of secretsOf(e).concat(secretsOf(e.cause))) {
      expect(text).not.toContain(activation.password!);
      expect(text).not.toContain(activation.text);
    }
  });

  it('the password email refused after the activation email went out: says which one failed', async () => {
    const { activation, clock } = await issue('online');
    const email = renderActivationEmail({ activation, issuer: 'Acme Corporation', passwordDelivery: 'separate-email', now: clock });
    const before = smtp.received().length;
    const e = await rejection(() => sendActivationEmail({ transport, passwordTransport: refusingTransport, from: FROM, to: TO, email }));
    expect(e.code).toBe('ERR_EMAIL_SEND');
    expect(e.message).toBe('the password email could not be sent');
    expect(smtp.received().length).toBe(before + 1);
    for (const text of secretsOf(e)) expect(text).not.toContain(activation.password!);
  });

  it('no server listening: ERR_EMAIL_SEND with the connection error code', async () => {
    const gone = await startSmtpServer();
    const port = gone.port;
    await gone.stop();
    const t = createSmtpTransport({ host: '127.0.0.1', port, timeoutMs: 5000 });
    const { activation, clock } = await issue('online');
    const e = await rejection(() => sendActivationEmail({ transport: t, from: FROM, to: TO, email: renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock }) }));
    t.close();
    expect(e.code).toBe('ERR_EMAIL_SEND');
    expect((e.cause as { cause?: { code?: string } }).cause?.code).toBe('ESOCKET');
  });

  it('requireTls: a server without STARTTLS is refused before the message is sent', async () => {
    const t = createSmtpTransport({ host: '127.0.0.1', port: smtp.port, requireTls: true });
    const { activation, clock } = await issue('online');
    const before = smtp.received().length;
    const e = await rejection(() => sendActivationEmail({ transport: t, from: FROM, to: TO, email: renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock }) }));
    t.close();
    expect(e.code).toBe('ERR_EMAIL_SEND');
    expect(smtp.received().length).toBe(before);
  });

  it('a foreign transport’s error is reduced to its code', async () => {
    const { activation, clock } = await issue('online');
    const leaky: EmailTransport = {
      send: async (m) => {
        throw Object.assign(new Error(`could not deliver: ${m.text}`), { code: 'EPROVIDER', body: m.html });
      },
    };
    const e = await rejection(() => sendActivationEmail({ transport: leaky, from: FROM, to: TO, email: renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock }) }));
    expect(e.code).toBe('ERR_EMAIL_SEND');
    expect(e.cause).toEqual({ code: 'EPROVIDER' });
    for (const text of secretsOf(e)) expect(text).not.toContain(activation.password!);
  });

  it('addresses that would inject headers or add recipients are refused before anything is sent', async () => {
    const { activation, clock } = await issue('online');
    const email = renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock });
    const before = smtp.received().length;
    for (const bad of ['alice@acme.example\r\nBcc: eve@evil.example', 'alice@acme.example, eve@evil.example', 'alice@acme.example; eve@evil.example', 'alice', '', 'a\u0000@b.c']) {
      expect((await rejection(() => sendActivationEmail({ transport, from: FROM, to: bad, email }))).code).toBe('ERR_INVALID_ARGUMENT');
      expect((await rejection(() => sendActivationEmail({ transport, from: bad, to: TO, email }))).code).toBe('ERR_INVALID_ARGUMENT');
      expect((await rejection(() => sendActivationEmail({ transport, from: FROM, to: TO, passwordTo: bad, email }))).code).toBe('ERR_INVALID_ARGUMENT');
      expect((await rejection(() => transport.send({ from: FROM, to: bad, ...email.activation }))).code).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(smtp.received().length).toBe(before);
  });

  it('a message from another source: header injection through the subject, language or an image is refused before anything is sent', async () => {
    const { activation, clock } = await issue('online');
    const { activation: content } = renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock });
    const image = content.images[0]!;
    const before = smtp.received().length;
    const bad = [
      { subject: 'Hello\r\nBcc: eve@evil.example' },
      { subject: '' },
      { language: 'en\r\nX-Injected: 1' },
      { images: [{ ...image, contentId: 'qr>\r\nX-Injected: 1' }] },
      { images: [{ ...image, filename: 'qr.png"\r\nX: 1' }] },
      { images: [{ ...image, contentType: 'text/html' as 'image/png' }] },
      { images: [{ ...image, content: 'not bytes' as unknown as Uint8Array }] },
    ];
    for (const override of bad) {
      expect((await rejection(() => transport.send({ from: FROM, to: TO, ...content, ...override }))).code).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(smtp.received().length).toBe(before);
  });

  it('bad options are refused with ERR_INVALID_ARGUMENT, never echoing a password', async () => {
    const bad = [
      { host: 'smtp.acme.example\r\n', port: 25 },
      { host: 'smtp.acme.example', port: 0 },
      { host: 'smtp.acme.example', port: 70000 },
      { host: 'smtp.acme.example', port: 587, auth: { user: '', pass: 'hunter2-smtp' } },
      { host: 'smtp.acme.example', port: 587, timeoutMs: 10 },
      { host: 'smtp.acme.example', port: 587, clientName: 'bad name' },
      { host: 'smtp.acme.example', port: 587, requireTls: 'yes' as unknown as boolean },
    ];
    for (const options of bad) {
      const e = await rejection(() => createSmtpTransport(options));
      expect(e.code).toBe('ERR_INVALID_ARGUMENT');
      expect(e.message).not.toContain('hunter2');
    }
  });
});
