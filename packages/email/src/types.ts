/**
 * What the email needs from an issued activation: the fields of `StartedActivation` (the
 * result of `server.startActivation` and `server.reissueActivation` in `@cloudmfa/server`)
 * that the email shows. Pass that result as it is; nothing else in it is read.
 *
 * @example
 * ```ts
 * const activation: ActivationForEmail = await server.startActivation({ userId: 'alice' });
 * ```
 */
export interface ActivationForEmail {
  /** `online` (the default: the QR carries no seed), `offline` or `otpauth`. */
  mode: 'online' | 'offline' | 'otpauth';
  /** What the QR encodes: the `CMFA:` envelope text, or the otpauth URI. */
  text: string;
  /** The envelope password, `null` in otpauth mode. */
  password: string | null;
  /** ms since the epoch; the server refuses a redemption after it. */
  expiresAt: number;
}

/**
 * Where the password goes, by the organisation's policy:
 * - `same-email`: in the activation email, under the QR code (one message; whoever reads the
 *   mailbox holds both factors of the envelope).
 * - `separate-email`: in a second message, `RenderedActivationEmail.password`, which
 *   `sendActivationEmail` sends after the first. Send it to another address, or through
 *   another transport, when the policy wants two channels.
 * - `out-of-band`: not in any email; the activation email says the administrator gives it
 *   another way (phone, SMS, in person), and the caller does so with `activation.password`.
 *
 * @example
 * ```ts
 * const passwordDelivery: PasswordDelivery = organisation.sendPasswordSeparately ? 'separate-email' : 'same-email';
 * ```
 */
export type PasswordDelivery = 'same-email' | 'separate-email' | 'out-of-band';

/**
 * An image carried in the message and shown by the HTML part through `cid:` (many mail
 * clients block `data:` images). A transport sends it as an inline part of the
 * `multipart/related` body with `Content-ID: <contentId>`.
 *
 * @example
 * ```ts
 * const qr: InlineImage = email.activation.images[0]!;
 * console.log(qr.filename, qr.contentType, qr.content.length);
 * ```
 */
export interface InlineImage {
  filename: string;
  contentType: 'image/png';
  /** Without angle brackets; the HTML refers to it as `cid:<contentId>`. */
  contentId: string;
  content: Uint8Array;
}

/**
 * One rendered message without its addresses: subject, the two alternative bodies and the
 * inline images the HTML refers to.
 *
 * @example
 * ```ts
 * const { subject, text, html, images } = email.activation;
 * ```
 */
export interface EmailContent {
  subject: string;
  /** The plain-text alternative. */
  text: string;
  /** The HTML alternative; every interpolated value is escaped. */
  html: string;
  /** Inline images the HTML refers to by `cid:`. */
  images: InlineImage[];
  /** The BCP 47 language of the content (`Content-Language`). */
  language: string;
}

/**
 * The result of `renderActivationEmail`: the activation email, and the separate password email
 * when the policy says `separate-email` (else `null`).
 *
 * @example
 * ```ts
 * const email: RenderedActivationEmail = renderActivationEmail({ activation, issuer: 'Acme Corporation' });
 * if (email.password) await transport.send({ from, to: passwordAddress, ...email.password });
 * ```
 */
export interface RenderedActivationEmail {
  activation: EmailContent;
  password: EmailContent | null;
}

/**
 * A message as a transport receives it.
 *
 * @example
 * ```ts
 * const message: EmailMessage = { from: 'MFA <mfa@acme.example>', to: 'alice@acme.example', ...email.activation };
 * await transport.send(message);
 * ```
 */
export interface EmailMessage extends EmailContent {
  /** One address, optionally with a display name: `Acme MFA <mfa@acme.example>`. */
  from: string;
  /** One address, optionally with a display name. */
  to: string;
}

/**
 * The seam between the email and the wire: `createSmtpTransport` (`@cloudmfa/email/smtp`,
 * nodemailer) or your own (an HTTP mail API, a queue). `send` resolves once the message is
 * handed over and rejects otherwise. An implementation must build `multipart/related` around
 * the `multipart/alternative` text and HTML parts with each image as an inline part whose
 * `Content-ID` is its `contentId`, and must not log the message: it holds the password (or,
 * in otpauth mode, the seed in the QR image).
 *
 * @example
 * ```ts
 * const outbox: EmailMessage[] = [];
 * const transport: EmailTransport = { send: async (message) => void outbox.push(message) };
 * ```
 */
export interface EmailTransport {
  send(message: EmailMessage): Promise<void>;
}
