// Every sentence the app shows for a typed reason of @cloudmfa/client, in one table so that a
// translation replaces one file. Wording follows the seed where it has words.
import type { ConfirmFailure, RespondFailure, ScanFailure } from '@cloudmfa/client';

export const scanMessages: Record<ScanFailure | 'migration-incomplete', string> = {
  empty: 'Paste or scan the text of a QR code.',
  'too-long': 'This is too long to be a token QR code.',
  unrecognised: 'This is not an activation QR code or an otpauth:// link.',
  'activation-malformed': 'This activation code is damaged. Scan it again, or ask for a new one.',
  'activation-version': 'This activation code needs a newer version of the app.',
  'activation-expired': 'This activation code has expired (they are valid for 5 minutes). Ask for a new one.',
  'otpauth-invalid': 'This otpauth:// link is not valid.',
  'migration-invalid': 'This Google Authenticator export is damaged.',
  'migration-other-batch': 'This part belongs to another export. Start over to scan it.',
  'migration-duplicate': 'This part was already scanned.',
  'migration-incomplete': 'Scan the remaining parts of the export first.',
};

export const passwordMessages = {
  'wrong-password': 'Wrong password. Check the password in the activation e-mail and try again.',
  damaged: 'This activation code is damaged. Ask for a new one.',
  expired: 'This activation code has expired (they are valid for 5 minutes). Ask your administrator for a new one.',
} as const;

export const confirmMessages: Record<ConfirmFailure, string> = {
  'pin-required': 'Your organisation requires a PIN.',
  locked: 'Enter your PIN to add the token.',
  'wrong-pin': 'Wrong PIN.',
  'too-soon': 'Too many wrong PINs. Wait a moment and try again.',
  expired: 'This activation code has expired. Ask for a new one.',
  'already-redeemed': 'This QR code has already been used. Ask for a new one.',
  revoked: 'This activation was cancelled by your organisation. Ask for a new one.',
  invalid: 'This QR code can no longer be used. Ask for a new one.',
  'invalid-response': 'The server\'s answer did not match what you reviewed. The token was not added.',
  clock: 'Your phone\'s clock is wrong. It has been corrected: tap Next again.',
  throttled: 'Too many attempts. Wait a moment and try again.',
  network: 'No connection to the server. Check your network and tap Next again.',
  timeout: 'The server did not answer in time. Tap Next again.',
  server: 'The server had a problem. Tap Next again.',
};

export const respondMessages: Record<RespondFailure, string> = {
  'not-found': 'This request is no longer waiting.',
  expired: 'This request has expired.',
  locked: 'Enter your PIN first.',
  'number-required': 'Type the number shown on the sign-in page.',
  'already-answered': 'This request was already answered.',
  refused: 'The server refused the answer.',
  'device-key-missing': 'This phone\'s key for this token is missing. Remove the token and add it again.',
  network: 'No connection. Your answer was not sent: try again.',
  timeout: 'The server did not answer in time: try again.',
  server: 'The server had a problem: try again.',
};

export const pinChoiceMessages = {
  mismatch: 'The two PINs differ. Set the PIN again.',
  'too-short': 'The PIN is too short.',
  'too-long': 'The PIN is too long (at most 64 characters).',
  'invalid-characters': 'The PIN has characters that cannot be typed reliably.',
  locked: 'Unlock the app first.',
  'not-now': 'Not possible at this step.',
} as const;

export const nameMessages = {
  empty: 'The name cannot be empty.',
  'too-long': 'At most 64 characters.',
  'invalid-characters': 'The name has characters that cannot be shown.',
  'not-now': 'Not possible at this step.',
} as const;

/** The seed's explanation of each answer, shown under its button. */
export const decisionHelp = {
  confirm: 'Confirm: it was you. The sign-in is approved and logged.',
  cancel: 'Cancel: you do not want to answer. Nothing is sent and nothing is logged.',
  suspicious: 'Suspicious: it was not you. The sign-in is denied, logged, and your organisation is alerted.',
} as const;

/** "4:12" */
export function mmss(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** "492 039": a code in two groups (three and three, four and four...). */
export function groupCode(code: string): string {
  if (code.length <= 4) return code;
  const half = Math.ceil(code.length / 2);
  return `${code.slice(0, half)} ${code.slice(half)}`;
}
