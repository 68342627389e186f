import { Buffer } from 'node:buffer';
import { createTransport } from 'nodemailer';
import MimeNode from 'nodemailer/lib/mime-node';
import { checkAddress, isOneLine } from './internal/checks.js';
import { emailError, scrubbed } from './internal/errors.js';
import type { EmailMessage, EmailTransport } from './types.js';

/**
 * The one argument of {@link createSmtpTransport}.
 *
 * @example
 * ```ts
 * const options: SmtpTransportOptions = { host: 'smtp.acme.example', port: 587, auth: { user: 'mfa', pass: process.env.SMTP_PASSWORD! } };
 * ```
 */
export interface SmtpTransportOptions {
  host: string;
  /** 1..65535: usually 587 (submission, STARTTLS) or 465 (`secure`). */
  port: number;
  /** TLS from the first byte (port 465). Default `false`: plain connection upgraded by STARTTLS. */
  secure?: boolean;
  /**
   * Refuse to send unless the connection is upgraded by STARTTLS (or `secure`). Default: `true`
   * unless `host` is a loopback address (`127.0.0.1`, `::1`, `localhost`), since the message
   * carries the activation password.
   */
  requireTls?: boolean;
  auth?: { user: string; pass: string };
  /** PEM certificates to trust besides the system's (a private CA). */
  ca?: string | string[];
  /** The name sent in EHLO (default: nodemailer's, the host name). */
  clientName?: string;
  /** Connection, greeting and socket inactivity timeout in ms (1000..600000, default 30000). */
  timeoutMs?: number;
}

/**
 * An {@link EmailTransport} over SMTP, with a `close()` for its connection.
 *
 * @example
 * ```ts
 * const transport: SmtpTransport = createSmtpTransport({ host: '127.0.0.1', port: 2525 });
 * transport.close();
 * ```
 */
export interface SmtpTransport extends EmailTransport {
  /** Closes idle connections. */
  close(): void;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/**
 * Sends messages over SMTP with nodemailer (install `nodemailer` ^10 beside this package). Each
 * message is built as `multipart/related` holding the `multipart/alternative` text and HTML
 * parts followed by the inline images (`Content-ID: <image.contentId>`, `Content-Disposition:
 * inline`), so the QR code is reachable from the HTML (`cid:`) and from a plain-text reader.
 * nodemailer's logger and debug output are off: the message holds the password. A refused or
 * failed delivery rejects with `ERR_EMAIL_SEND` whose `cause` holds only nodemailer's error
 * `code` and the SMTP reply code. Options are checked here (`ERR_INVALID_ARGUMENT`).
 *
 * @example
 * ```ts
 * import { createSmtpTransport } from '@cloudmfa/email/smtp';
 * const transport = createSmtpTransport({ host: 'smtp.acme.example', port: 587, auth: { user: 'mfa', pass: smtpPassword } });
 * await sendActivationEmail({ transport, from: 'Acme MFA <mfa@acme.example>', to: 'alice@acme.example', email });
 * ```
 */
export function createSmtpTransport({ host, port, secure = false, requireTls, auth, ca, clientName, timeoutMs = 30_000 }: SmtpTransportOptions): SmtpTransport {
  if (typeof host !== 'string' || !/^[A-Za-z0-9.:[\]-]{1,255}$/.test(host)) throw emailError('ERR_INVALID_ARGUMENT', '"host" expected a host name or an IP address');
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw emailError('ERR_INVALID_ARGUMENT', '"port" expected an integer in [1, 65535]');
  if (typeof secure !== 'boolean') throw emailError('ERR_INVALID_ARGUMENT', '"secure" expected a boolean');
  const mustUpgrade = requireTls ?? !LOOPBACK.has(host.toLowerCase());
  if (typeof mustUpgrade !== 'boolean') throw emailError('ERR_INVALID_ARGUMENT', '"requireTls" expected a boolean');
  if (auth !== undefined && (typeof auth !== 'object' || auth === null || typeof auth.user !== 'string' || typeof auth.pass !== 'string' || auth.user.length === 0)) {
    throw emailError('ERR_INVALID_ARGUMENT', '"auth" expected { user, pass } strings');
  }
  if (clientName !== undefined && (typeof clientName !== 'string' || !/^[A-Za-z0-9.-]{1,255}$/.test(clientName))) throw emailError('ERR_INVALID_ARGUMENT', '"clientName" expected a host name');
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1000 || timeoutMs > 600_000) throw emailError('ERR_INVALID_ARGUMENT', '"timeoutMs" expected an integer in [1000, 600000]');

  const transporter = createTransport({
    host,
    port,
    secure,
    requireTLS: mustUpgrade && !secure,
    ...(auth ? { auth: { user: auth.user, pass: auth.pass } } : {}),
    ...(ca !== undefined ? { tls: { ca } } : {}),
    ...(clientName !== undefined ? { name: clientName } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // The message and the AUTH exchange hold secrets: no log of the SMTP conversation.
    logger: false,
    debug: false,
    transactionLog: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  });

  return {
    async send(message: EmailMessage): Promise<void> {
      checkMessage(message);
      const root = buildMime(message);
      let raw: Buffer;
      try {
        raw = await root.build();
      } catch (e) {
        throw emailError('ERR_EMAIL_SEND', 'the message could not be built', scrubbed(e));
      }
      try {
        await transporter.sendMail({ envelope: root.getEnvelope(), raw });
      } catch (e) {
        throw emailError('ERR_EMAIL_SEND', 'the SMTP server did not accept the message', scrubbed(e));
      }
    },
    close() {
      transporter.close();
    },
  };
}

/**
 * A message from any caller, not only the renderer: nothing may reach a header that could
 * start another header (the builder folds long values but a caller's line break is a line break).
 */
function checkMessage(message: EmailMessage): void {
  checkAddress(message?.from, 'message.from');
  checkAddress(message.to, 'message.to');
  if (typeof message.subject !== 'string' || !isOneLine(message.subject)) throw emailError('ERR_INVALID_ARGUMENT', '"message.subject" expected one line without control characters');
  if (typeof message.language !== 'string' || !/^[A-Za-z0-9-]{1,35}$/.test(message.language)) throw emailError('ERR_INVALID_ARGUMENT', '"message.language" expected a BCP 47 language tag');
  if (typeof message.text !== 'string' || typeof message.html !== 'string') throw emailError('ERR_INVALID_ARGUMENT', '"message.text" and "message.html" expected strings');
  if (!Array.isArray(message.images)) throw emailError('ERR_INVALID_ARGUMENT', '"message.images" expected an array');
  for (const image of message.images) {
    if (
      typeof image?.contentId !== 'string' ||
      !/^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,253}$/.test(image.contentId) ||
      image.contentType !== 'image/png' ||
      typeof image.filename !== 'string' ||
      !/^[A-Za-z0-9._-]{1,64}$/.test(image.filename) ||
      !(image.content instanceof Uint8Array)
    ) {
      throw emailError('ERR_INVALID_ARGUMENT', '"message.images" expected { filename, contentType: image/png, contentId, content: Uint8Array } items');
    }
  }
}

/** multipart/related [ multipart/alternative [ text/plain, text/html ], image... ] */
function buildMime(message: EmailMessage): MimeNode {
  const options = { disableFileAccess: true, disableUrlAccess: true, newline: '\r\n' };
  const root = new MimeNode('multipart/related; type="multipart/alternative"', options);
  root.setHeader('From', message.from);
  root.setHeader('To', message.to);
  root.setHeader('Subject', message.subject);
  root.setHeader('Content-Language', message.language);
  // RFC 3834: sent by a program; autoresponders should not answer.
  root.setHeader('Auto-Submitted', 'auto-generated');
  const alternative = root.createChild('multipart/alternative', options);
  alternative.createChild('text/plain; charset=utf-8', options).setContent(message.text);
  alternative.createChild('text/html; charset=utf-8', options).setContent(message.html);
  for (const image of message.images) {
    root
      .createChild(image.contentType, { ...options, filename: image.filename })
      .setHeader('Content-ID', `<${image.contentId}>`)
      .setHeader('Content-Disposition', 'inline')
      .setContent(Buffer.from(image.content.buffer, image.content.byteOffset, image.content.byteLength));
  }
  return root;
}
