import { readEnvelopeHeader } from '@cloudmfa/activation';
import { renderQrPng } from '@cloudmfa/activation/qr';
import { encodeBase32, isCloudMfaError, type RandomSource, systemClock, systemRandom } from '@cloudmfa/core';
import { parseOtpauthUri } from '@cloudmfa/otp';
import { type Block, renderHtml, renderText } from './internal/layout.js';
import { checkName, isOneLine } from './internal/checks.js';
import { emailError } from './internal/errors.js';
import { pngWidth } from './internal/png.js';
import { type ActivationEmailMessages, englishMessages } from './messages.js';
import type { ActivationForEmail, EmailContent, InlineImage, PasswordDelivery, RenderedActivationEmail } from './types.js';

/**
 * The one argument of {@link renderActivationEmail}.
 *
 * @example
 * ```ts
 * const options: RenderActivationEmailOptions = { activation, issuer: 'Acme Corporation', passwordDelivery: 'separate-email' };
 * ```
 */
export interface RenderActivationEmailOptions {
  /** The result of `server.startActivation` (or `reissueActivation`). */
  activation: ActivationForEmail;
  /** The company name the app shows for review: the server's `issuer` (1..128 characters). */
  issuer: string;
  /** The recipient's name for the greeting (1..128 characters); without it a neutral greeting. */
  recipientName?: string;
  /** The organisation's policy for the password (default `same-email`). Ignored in otpauth mode, which has none. */
  passwordDelivery?: PasswordDelivery;
  /** The language (default {@link englishMessages}). */
  messages?: ActivationEmailMessages;
  /** IANA time zone of the expiry time shown (default `UTC`). */
  timeZone?: string;
  /** Pixels per QR module of the PNG (2..16, default 6). */
  qrScale?: number;
  now?: () => number;
  /** For the inline image's `Content-ID`. */
  random?: RandomSource;
}

const MODES = new Set(['online', 'offline', 'otpauth']);
const DELIVERIES = new Set(['same-email', 'separate-email', 'out-of-band']);

function formatTime(ms: number, locale: string, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short' }).format(ms);
  } catch (e) {
    // Intl's RangeError names the bad tag or zone; both are the caller's configuration, not a secret.
    throw emailError('ERR_INVALID_ARGUMENT', '"timeZone" or "messages.locale" is not known to this runtime\'s Intl', e);
  }
}

/** Calls one message of the translation and checks what comes back. */
function say<A>(messages: ActivationEmailMessages, key: keyof ActivationEmailMessages, arg?: A): string {
  const entry = messages[key] as unknown;
  let value: unknown;
  try {
    value = typeof entry === 'function' ? (entry as (a: A | undefined) => unknown)(arg) : entry;
  } catch (e) {
    throw emailError('ERR_EMAIL_MESSAGES', `"messages.${key}" threw`, e);
  }
  if (typeof value !== 'string' || value.length === 0) throw emailError('ERR_EMAIL_MESSAGES', `"messages.${key}" expected a non-empty string`);
  return value;
}

function steps(messages: ActivationEmailMessages, key: 'appSteps' | 'authenticatorSteps', arg: { issuer: string; account: string }): string[] {
  let value: unknown;
  try {
    value = key === 'appSteps' ? messages.appSteps({ issuer: arg.issuer }) : messages.authenticatorSteps(arg);
  } catch (e) {
    throw emailError('ERR_EMAIL_MESSAGES', `"messages.${key}" threw`, e);
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((s) => typeof s === 'string' && s.length > 0)) {
    throw emailError('ERR_EMAIL_MESSAGES', `"messages.${key}" expected a non-empty list of non-empty strings`);
  }
  return value as string[];
}

function subject(messages: ActivationEmailMessages, key: 'subject' | 'passwordSubject', issuer: string): string {
  const text = say(messages, key, { issuer });
  // A line break in a subject would be a header injection in any transport that forgets to fold.
  if (!isOneLine(text)) throw emailError('ERR_EMAIL_MESSAGES', `"messages.${key}" expected one line without control characters`);
  return text;
}

/**
 * Checks that the activation is what its mode says: in online mode the QR text must be an
 * online envelope, so the email can never carry a seed by mistake. Returns the validity to
 * show and, in otpauth mode, the label the authenticator app will show.
 */
function inspect(activation: ActivationForEmail, issuer: string, now: number): { lifetimeMs: number; account: string | null } {
  if (typeof activation !== 'object' || activation === null) throw emailError('ERR_INVALID_ARGUMENT', '"activation" expected the result of startActivation');
  const { mode, text, password, expiresAt } = activation;
  if (!MODES.has(mode)) throw emailError('ERR_INVALID_ARGUMENT', '"activation.mode" expected online, offline or otpauth');
  if (typeof text !== 'string' || text.length === 0) throw emailError('ERR_INVALID_ARGUMENT', '"activation.text" expected the QR text');
  if (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt)) throw emailError('ERR_INVALID_ARGUMENT', '"activation.expiresAt" expected ms since the epoch');
  if (expiresAt <= now) throw emailError('ERR_INVALID_ARGUMENT', '"activation.expiresAt" is past: issue a new activation');

  if (mode === 'otpauth') {
    if (password !== null) throw emailError('ERR_INVALID_ARGUMENT', '"activation.password" expected null in otpauth mode');
    let parsed;
    try {
      parsed = parseOtpauthUri({ uri: text });
    } catch (e) {
      throw emailError('ERR_INVALID_ARGUMENT', '"activation.text" expected an otpauth:// URI in otpauth mode', isCloudMfaError(e) ? { code: e.code } : undefined);
    }
    parsed.secret.fill(0);
    if (parsed.issuer !== undefined && parsed.issuer !== issuer) throw emailError('ERR_INVALID_ARGUMENT', '"issuer" expected the issuer of the otpauth URI');
    return { lifetimeMs: expiresAt - now, account: parsed.account };
  }

  if (typeof password !== 'string' || password.length === 0) throw emailError('ERR_INVALID_ARGUMENT', `"activation.password" expected the envelope password in ${mode} mode`);
  let header;
  try {
    header = readEnvelopeHeader({ text });
  } catch (e) {
    throw emailError('ERR_INVALID_ARGUMENT', `"activation.text" expected an activation envelope in ${mode} mode`, isCloudMfaError(e) ? { code: e.code } : undefined);
  }
  if (header.mode !== mode) throw emailError('ERR_INVALID_ARGUMENT', `"activation.text" is an ${header.mode} envelope, not ${mode}`);
  if (header.expiresAt !== expiresAt) throw emailError('ERR_INVALID_ARGUMENT', '"activation.expiresAt" expected the envelope\'s expiry');
  // The lifetime the envelope was sealed with (300 s by default), not the time left.
  return { lifetimeMs: header.expiresAt - header.issuedAt, account: null };
}

/**
 * Renders the activation email of an issued activation: a plain-text and an HTML part, the QR
 * code as an inline PNG (`cid:`, since many mail clients block `data:` images), the validity
 * (the activation's real expiry), the company name the app shows for review, the steps for
 * the CloudMFA app (envelopes) or for Google Authenticator and Authy (otpauth), and the
 * password where the organisation's policy puts it: in this email, in a second one
 * (`password`), or in none.
 *
 * Every value is HTML-escaped in the HTML part; names with control or bidirectional-override
 * characters are refused (`ERR_INVALID_ARGUMENT`). In online mode the QR text must be an online
 * envelope (checked from its header), so the email never carries a seed. In otpauth mode it
 * does, in the QR image: the email says so and tells the user to delete it. Pure: sends
 * nothing and logs nothing; the result holds the password, so do not log it either.
 *
 * @example
 * ```ts
 * import { renderActivationEmail, sendActivationEmail } from '@cloudmfa/email';
 * import { createSmtpTransport } from '@cloudmfa/email/smtp';
 *
 * const activation = await server.startActivation({ userId: 'alice' });
 * const email = renderActivationEmail({ activation, issuer: 'Acme Corporation', recipientName: 'Alice' });
 * const transport = createSmtpTransport({ host: 'smtp.acme.example', port: 587, auth: { user, pass } });
 * await sendActivationEmail({ transport, from: 'Acme MFA <mfa@acme.example>', to: 'alice@acme.example', email });
 * ```
 */
export function renderActivationEmail({
  activation,
  issuer,
  recipientName,
  passwordDelivery = 'same-email',
  messages = englishMessages,
  timeZone = 'UTC',
  qrScale = 6,
  now = systemClock,
  random = systemRandom,
}: RenderActivationEmailOptions): RenderedActivationEmail {
  checkName(issuer, 'issuer', 128);
  const name = recipientName === undefined ? null : checkName(recipientName, 'recipientName', 128);
  if (!DELIVERIES.has(passwordDelivery)) throw emailError('ERR_INVALID_ARGUMENT', '"passwordDelivery" expected same-email, separate-email or out-of-band');
  if (!Number.isInteger(qrScale) || qrScale < 2 || qrScale > 16) throw emailError('ERR_INVALID_ARGUMENT', `"qrScale" expected an integer in [2, 16], got ${String(qrScale)}`);
  if (typeof messages !== 'object' || messages === null) throw emailError('ERR_INVALID_ARGUMENT', '"messages" expected an ActivationEmailMessages object');
  const language = say(messages, 'locale');
  const current = now();
  const { lifetimeMs, account } = inspect(activation, issuer, current);
  const { mode, text, expiresAt } = activation;
  const password = mode === 'otpauth' ? null : (activation.password as string);

  const png = renderQrPng(mode === 'otpauth' ? { text, mode: 'auto', scale: qrScale } : { text, scale: qrScale });
  const image: InlineImage = { filename: 'activation-qr.png', contentType: 'image/png', contentId: `activation-qr.${encodeBase32(random(10)).toLowerCase()}@cloudmfa.invalid`, content: png };
  const validity = say(messages, 'validity', { minutes: Math.max(1, Math.round(lifetimeMs / 60_000)), expiresAt: formatTime(expiresAt, language, timeZone) });

  const blocks: Block[] = [
    { kind: 'paragraph', text: say(messages, 'greeting', { name }) },
    { kind: 'paragraph', text: say(messages, 'intro', { issuer }) },
    { kind: 'qr', image, width: pngWidth(png), alt: say(messages, 'qrAlt'), textHint: say(messages, 'qrInText', { filename: image.filename }) },
    { kind: 'emphasis', text: validity },
  ];
  if (mode === 'otpauth') {
    blocks.push({ kind: 'warning', text: say(messages, 'otpauthWarning') });
    blocks.push({ kind: 'steps', title: say(messages, 'authenticatorStepsTitle'), items: steps(messages, 'authenticatorSteps', { issuer, account: account ?? '' }) });
  } else {
    blocks.push({ kind: 'paragraph', text: say(messages, 'review', { issuer }) });
    if (passwordDelivery === 'same-email') {
      blocks.push({ kind: 'password', label: say(messages, 'passwordLabel'), value: password as string });
      blocks.push({ kind: 'paragraph', text: say(messages, 'passwordCare') });
    } else {
      blocks.push({ kind: 'paragraph', text: say(messages, passwordDelivery === 'separate-email' ? 'passwordInSeparateEmail' : 'passwordOutOfBand') });
    }
    blocks.push({ kind: 'steps', title: say(messages, 'appStepsTitle'), items: steps(messages, 'appSteps', { issuer, account: '' }) });
  }
  blocks.push({ kind: 'note', text: say(messages, 'notExpected', { issuer }) });

  const mainSubject = subject(messages, 'subject', issuer);
  const main: EmailContent = { subject: mainSubject, text: renderText(blocks), html: renderHtml({ language, title: mainSubject, blocks }), images: [image], language };

  let second: EmailContent | null = null;
  if (password !== null && passwordDelivery === 'separate-email') {
    const passwordBlocks: Block[] = [
      { kind: 'paragraph', text: say(messages, 'greeting', { name }) },
      { kind: 'paragraph', text: say(messages, 'passwordEmailIntro', { issuer }) },
      { kind: 'password', label: say(messages, 'passwordLabel'), value: password },
      { kind: 'emphasis', text: validity },
      { kind: 'note', text: say(messages, 'notExpected', { issuer }) },
    ];
    const passwordSubject = subject(messages, 'passwordSubject', issuer);
    second = { subject: passwordSubject, text: renderText(passwordBlocks), html: renderHtml({ language, title: passwordSubject, blocks: passwordBlocks }), images: [], language };
  }
  return { activation: main, password: second };
}
