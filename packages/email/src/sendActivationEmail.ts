import { isCloudMfaError } from '@cloudmfa/core';
import { checkAddress } from './internal/checks.js';
import { emailError, scrubbed } from './internal/errors.js';
import type { EmailTransport, RenderedActivationEmail } from './types.js';

/**
 * The one argument of {@link sendActivationEmail}.
 *
 * @example
 * ```ts
 * const options: SendActivationEmailOptions = { transport, from: 'Acme MFA <mfa@acme.example>', to: 'alice@acme.example', email };
 * ```
 */
export interface SendActivationEmailOptions {
  transport: EmailTransport;
  /** The sender: `address` or `Name <address>`. */
  from: string;
  /** The recipient: `address` or `Name <address>`. */
  to: string;
  /** The password email's recipient, when the policy wants it elsewhere (default: `to`). */
  passwordTo?: string;
  /** The password email's transport, when the policy wants another channel (default: `transport`). */
  passwordTransport?: EmailTransport;
  email: RenderedActivationEmail;
}

/**
 * Sends a rendered activation email, then the separate password email if there is one (never
 * the password first: a password without its QR code is useless to a reader but confusing to
 * a user). A transport's failure becomes `ERR_EMAIL_SEND`, whose message says which email
 * failed and whose `cause` holds only the transport error's `code` and `responseCode`: the
 * transport's own error can quote the message. When the password email fails, the activation
 * email was sent: re-issue the activation (`server.reissueActivation`) rather than resend the
 * password alone.
 *
 * @example
 * ```ts
 * const email = renderActivationEmail({ activation, issuer: 'Acme Corporation', passwordDelivery: 'separate-email' });
 * await sendActivationEmail({ transport, from: 'Acme MFA <mfa@acme.example>', to: 'alice@acme.example', email });
 * ```
 */
export async function sendActivationEmail({ transport, from, to, passwordTo = to, passwordTransport = transport, email }: SendActivationEmailOptions): Promise<void> {
  if (typeof transport?.send !== 'function') throw emailError('ERR_INVALID_ARGUMENT', '"transport" expected an EmailTransport');
  if (typeof passwordTransport?.send !== 'function') throw emailError('ERR_INVALID_ARGUMENT', '"passwordTransport" expected an EmailTransport');
  checkAddress(from, 'from');
  checkAddress(to, 'to');
  checkAddress(passwordTo, 'passwordTo');
  if (typeof email !== 'object' || email === null || typeof email.activation !== 'object' || email.activation === null) {
    throw emailError('ERR_INVALID_ARGUMENT', '"email" expected the result of renderActivationEmail');
  }
  await deliver(transport, { from, to, ...email.activation }, 'activation');
  if (email.password) await deliver(passwordTransport, { from, to: passwordTo, ...email.password }, 'password');
}

async function deliver(transport: EmailTransport, message: Parameters<EmailTransport['send']>[0], which: 'activation' | 'password'): Promise<void> {
  try {
    await transport.send(message);
  } catch (e) {
    if (isCloudMfaError(e, 'ERR_EMAIL_SEND')) throw emailError('ERR_EMAIL_SEND', `the ${which} email could not be sent`, e);
    throw emailError('ERR_EMAIL_SEND', `the ${which} email could not be sent`, scrubbed(e));
  }
}
