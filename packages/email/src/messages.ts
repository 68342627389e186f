/**
 * Every word of the activation email, for one language. Functions receive the values to
 * interpolate as plain text and return plain text: the renderer escapes what they return for
 * the HTML part, so a translation cannot inject markup (and needs no escaping of its own).
 * Start from {@link englishMessages} and override what you translate.
 *
 * @example
 * ```ts
 * const german: ActivationEmailMessages = {
 *   ...englishMessages,
 *   locale: 'de',
 *   subject: ({ issuer }) => `Aktivieren Sie Ihre Anmeldung bei ${issuer}`,
 * };
 * renderActivationEmail({ activation, issuer: 'Acme GmbH', messages: german });
 * ```
 */
export interface ActivationEmailMessages {
  /** BCP 47 tag: the HTML `lang`, `Content-Language` and the expiry time's format. */
  locale: string;
  /** The activation email's subject (one line). */
  subject(v: { issuer: string }): string;
  /** The password email's subject (one line). */
  passwordSubject(v: { issuer: string }): string;
  /** `name` is the recipient's name when given, else `null`. */
  greeting(v: { name: string | null }): string;
  /** Who set this up and what to do, above the QR code. */
  intro(v: { issuer: string }): string;
  /** The QR image's alternative text. */
  qrAlt: string;
  /** In the plain-text part: where the QR code is (the inline image `filename`). */
  qrInText(v: { filename: string }): string;
  /** How long the code is valid: `minutes` (rounded, at least 1) and the formatted expiry time. */
  validity(v: { minutes: number; expiresAt: string }): string;
  /** What the app shows for review before it adds the identity (envelopes). */
  review(v: { issuer: string }): string;
  /** Heading of the password. */
  passwordLabel: string;
  /** `same-email`: said under the password. */
  passwordCare: string;
  /** `separate-email`: where the password is. */
  passwordInSeparateEmail: string;
  /** `out-of-band`: where the password is. */
  passwordOutOfBand: string;
  /** The separate password email's text above the password. */
  passwordEmailIntro(v: { issuer: string }): string;
  /** Heading of the CloudMFA app's steps (online and offline envelopes). */
  appStepsTitle: string;
  /** The CloudMFA app's steps, in order. */
  appSteps(v: { issuer: string }): string[];
  /** Heading of the steps for Google Authenticator, Authy and other TOTP apps (otpauth mode). */
  authenticatorStepsTitle: string;
  /** Their steps, in order; `account` is the label the entry shows. */
  authenticatorSteps(v: { issuer: string; account: string }): string[];
  /** otpauth mode: the QR code holds the secret key itself. */
  otpauthWarning: string;
  /** The closing line: an email the recipient did not expect. */
  notExpected(v: { issuer: string }): string;
}

/**
 * The English messages, the default of `renderActivationEmail`.
 *
 * @example
 * ```ts
 * const subject = englishMessages.subject({ issuer: 'Acme Corporation' }); // 'Activate two-factor sign-in for Acme Corporation'
 * ```
 */
export const englishMessages: ActivationEmailMessages = {
  locale: 'en',
  subject: ({ issuer }) => `Activate two-factor sign-in for ${issuer}`,
  passwordSubject: ({ issuer }) => `Your activation password for ${issuer}`,
  greeting: ({ name }) => (name === null ? 'Hello,' : `Hello ${name},`),
  intro: ({ issuer }) => `${issuer} has set up two-factor sign-in for you. Scan the QR code below with your phone to add it.`,
  qrAlt: 'Activation QR code',
  qrInText: ({ filename }) => `The QR code to scan is in the image ${filename} of this email.`,
  validity: ({ minutes, expiresAt }) => `The QR code is valid for ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}, until ${expiresAt}. After that, ask for a new one.`,
  review: ({ issuer }) => `Before it adds anything, the app shows the company name "${issuer}". Continue only if that is the name you see.`,
  passwordLabel: 'Activation password',
  passwordCare: 'Type it into the app when it asks. It works once, with this QR code only.',
  passwordInSeparateEmail: 'The activation password comes in a separate email. The app asks for it after you scan the code.',
  passwordOutOfBand: 'Your administrator gives you the activation password separately. The app asks for it after you scan the code.',
  passwordEmailIntro: ({ issuer }) => `This is the password for the activation email you received from ${issuer}. Type it into the app when it asks.`,
  appStepsTitle: 'With the CloudMFA app',
  appSteps: ({ issuer }) => [
    'Install the CloudMFA app from your app store and open it.',
    'Tap "Add" and scan the QR code.',
    `Check that the app shows "${issuer}", then type the activation password.`,
    'If the app asks for a PIN, choose one.',
    'Done: the app now shows your codes and your sign-in requests.',
  ],
  authenticatorStepsTitle: 'With Google Authenticator, Authy or another authenticator app',
  authenticatorSteps: ({ issuer, account }) => [
    'Open the app and tap "+" (Google Authenticator) or "Add account" (Authy).',
    'Choose "Scan a QR code" and scan the code.',
    `Check that the new entry reads "${issuer}" (${account}).`,
    'Type the code the app shows where you are asked for it, to finish.',
  ],
  otpauthWarning: 'This QR code contains your secret key. Delete this email once the code is in your app, and never forward it.',
  notExpected: ({ issuer }) => `If you did not expect this email, do not scan the code; tell ${issuer}'s IT support.`,
};
