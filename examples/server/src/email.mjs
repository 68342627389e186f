// The activation email of the reference server (docs/guides/reference-server.md 4.4): rendered
// by @cloudmfa/email for every enrolment, sent over SMTP when CLOUDMFA_SMTP_HOST is set, shown on
// the admin page otherwise. Neither the password nor any part of an email is ever logged.
import { CloudMfaError, isCloudMfaError } from '@cloudmfa/core';
import { renderActivationEmail, sendActivationEmail } from '@cloudmfa/email';
import { createSmtpTransport } from '@cloudmfa/email/smtp';

/**
 * @param {import('./config.mjs').EmailConfig} config
 * @param {{ issuer: string, clock: () => number, random: (n: number) => Uint8Array, warn: (entry: object) => void }} options
 */
export function createMailer(config, { issuer, clock, random, warn }) {
  const transport = config.smtp
    ? createSmtpTransport({
        host: config.smtp.host,
        port: config.smtp.port,
        secure: config.smtp.secure,
        ...(config.smtp.requireTls === undefined ? {} : { requireTls: config.smtp.requireTls }),
        ...(config.smtp.auth ? { auth: config.smtp.auth } : {}),
      })
    : null;
  const { passwordDelivery } = config;

  return {
    /** True when emails are sent; otherwise the admin pages show them. */
    sends: transport !== null,
    passwordDelivery,
    describe: () => (transport ? `SMTP ${config.smtp.host}:${config.smtp.port}, password: ${passwordDelivery}` : `not sent (no CLOUDMFA_SMTP_HOST): shown on the enrolment page, password: ${passwordDelivery}`),
    /** The activation email (and the password email, by policy) of a StartedActivation. */
    render: (activation) => renderActivationEmail({ activation, issuer, passwordDelivery, now: clock, random }),
    /**
     * Sends a rendered email to `to`. Resolves `{ sent: true }`, or `{ sent: false, code }` when
     * the transport failed: the activation stays valid, the page says so, and the log line
     * carries the error codes only.
     */
    async send({ to, email, enrolmentId }) {
      try {
        await sendActivationEmail({ transport, from: config.from, to, email });
        return { sent: true };
      } catch (e) {
        if (!isCloudMfaError(e, 'ERR_EMAIL_SEND')) throw e;
        const cause = e.cause?.cause;
        warn({ event: 'email_failed', enrolmentId, code: e.code, ...(cause?.code ? { transportCode: cause.code } : {}), ...(cause?.responseCode ? { responseCode: cause.responseCode } : {}) });
        return { sent: false, code: e.code };
      }
    },
    close: () => transport?.close(),
  };
}

/**
 * Checks a recipient from a form or a JSON body before the activation is issued (an address
 * the transport would refuse must not leave a pending enrolment behind). One address,
 * optionally with a display name; no control characters or list separators.
 */
export function checkRecipient(to) {
  if (typeof to !== 'string' || to.length < 3 || to.length > 320 || !to.includes('@') || /[\x00-\x1f\x7f-\x9f,;]/.test(to)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"email" expected one mail address (address or Name <address>) without control characters');
  }
  return to;
}

/** What the JSON API answers about the email of `POST /api/v1/admin/orgs/default/enrolments` with an `email` field. */
export async function emailOutcome(mailer, activation, to) {
  const email = mailer.render(activation);
  if (!mailer.sends) {
    const part = (c) => c && { subject: c.subject, text: c.text, html: c.html };
    return { sent: false, reason: 'not_configured', preview: { activation: part(email.activation), password: part(email.password) } };
  }
  const r = await mailer.send({ to, email, enrolmentId: activation.enrolmentId });
  return r.sent ? { sent: true } : { sent: false, reason: 'send_failed', code: r.code };
}

/**
 * The HTML of a rendered message for a preview in a sandboxed iframe on the admin page: the
 * `cid:` references become `data:` URLs (the admin page's CSP allows `img-src data:`). For
 * the preview only; the email itself keeps `cid:`, which mail clients show where they block
 * `data:`.
 */
export function previewHtml(content) {
  let html = content.html;
  for (const image of content.images) html = html.split(`cid:${image.contentId}`).join(`data:${image.contentType};base64,${Buffer.from(image.content).toString('base64')}`);
  return html;
}
