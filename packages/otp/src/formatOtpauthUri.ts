import { encodeBase32 } from '@cloudmfa/core';
import { algIndex, checkInt, checkOptions, fail, MAX_COUNTER, MAX_PERIOD, warning } from './_common.js';
import { checkText, issuerMissing, MAX_PARAMS, MAX_URI, secretWithCode } from './_otpauth.js';
import { encodeComponent } from './_uri.js';
import type { OtpauthInput, OtpWarning } from './types.js';

/**
 * Formats a Google Authenticator `otpauth://` URI (for a QR code). The issuer, account and
 * every parameter value are percent-encoded as UTF-8 (a `:`, space, `+`, `&` or `%` inside them
 * round-trips); the label is `issuer:account` and the `issuer` parameter is always written
 * when there is an issuer; defaults (`SHA1`, 6 digits, 30 s) are omitted; the secret is unpadded
 * uppercase base32.
 *
 * Throws `CloudMfaError` with the parser's codes for invalid input (`ERR_OTPAUTH_LABEL` for an
 * empty, over-long or space-led account, `ERR_OTPAUTH_SECRET`, `ERR_OTPAUTH_DIGITS`, ...).
 * Returns warnings: `GA_ALGORITHM`, `GA_DIGITS`, `GA_PERIOD` when Google Authenticator would
 * ignore the value and show wrong codes; `SECRET_SHORT`; `ISSUER_MISSING`; `ISSUER_MISMATCH`.
 *
 * @example
 * ```ts
 * const { uri, warnings } = formatOtpauthUri({ type: 'totp', secret, issuer: 'Acme Co: EU', account: 'alice@example.com' });
 * // 'otpauth://totp/Acme%20Co%3A%20EU:alice@example.com?secret=...&issuer=Acme%20Co%3A%20EU', []
 * ```
 */
export function formatOtpauthUri(params: OtpauthInput): { uri: string; warnings: OtpWarning[] } {
  checkOptions(params, 'params', true);
  const warnings: OtpWarning[] = [];
  const type = params.type;
  if (type !== 'totp' && type !== 'hotp') fail('ERR_OTPAUTH_TYPE', '"type" must be totp or hotp');
  const secret = secretWithCode(params.secret, 'ERR_OTPAUTH_SECRET');
  warnings.push(...secret.warnings);
  const account = checkText(params.account, 'account', 'ERR_OTPAUTH_LABEL');
  if (account[0] === ' ') fail('ERR_OTPAUTH_LABEL', '"account" must not start with a space (leading spaces are not significant in a label)');
  const issuer = params.issuer === undefined ? undefined : checkText(params.issuer, 'issuer', 'ERR_OTPAUTH_ISSUER');
  let prefix = issuer;
  if (params.labelIssuer !== undefined) {
    const labelIssuer = checkText(params.labelIssuer, 'labelIssuer', 'ERR_OTPAUTH_LABEL');
    if (issuer === undefined) fail('ERR_OTPAUTH_ISSUER', '"labelIssuer" is only meaningful beside "issuer"');
    if (labelIssuer !== issuer) {
      warnings.push(warning('ISSUER_MISMATCH', 'the label prefix differs from the issuer: strict parsers will refuse this URI'));
    }
    prefix = labelIssuer;
  }
  if (issuer === undefined) warnings.push(issuerMissing());
  const algorithm = params.algorithm ?? 'SHA1';
  algIndex(algorithm, 'ERR_OTPAUTH_ALGORITHM');
  const digits = checkInt(params.digits ?? 6, 'digits', 6, 10, 'ERR_OTPAUTH_DIGITS');

  let query = `secret=${encodeBase32(secret.bytes)}`;
  if (issuer !== undefined) query += `&issuer=${encodeComponent(issuer)}`;
  if (algorithm !== 'SHA1') {
    query += `&algorithm=${algorithm}`;
    warnings.push(warning('GA_ALGORITHM', `Google Authenticator may ignore algorithm=${algorithm} and show wrong codes`));
  }
  if (digits !== 6) {
    query += `&digits=${digits}`;
    warnings.push(warning('GA_DIGITS', `Google Authenticator may ignore digits=${digits} and show wrong codes`));
  }
  const written = ['secret', 'issuer', 'algorithm', 'digits'];
  if (params.type === 'totp') {
    const period = checkInt(params.period ?? 30, 'period', 1, MAX_PERIOD, 'ERR_OTPAUTH_PERIOD');
    written.push('period');
    if (period !== 30) {
      query += `&period=${period}`;
      warnings.push(warning('GA_PERIOD', `Google Authenticator may ignore period=${period} and show wrong codes`));
    }
  } else {
    query += `&counter=${checkInt(params.counter, 'counter', 0, MAX_COUNTER, 'ERR_OTPAUTH_COUNTER')}`;
    written.push('counter');
  }

  const extra = params.extraParameters ?? [];
  if (!Array.isArray(extra) || extra.length + written.length > MAX_PARAMS) {
    fail('ERR_OTPAUTH_PARAMETER', `"extraParameters" expected an array of at most ${MAX_PARAMS - written.length} [name, value] pairs`);
  }
  for (let i = 0; i < extra.length; i++) {
    const pair = extra[i];
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string' || pair[0] === '') {
      fail('ERR_OTPAUTH_PARAMETER', `"extraParameters[${i}]" expected a [name, value] pair of strings with a non-empty name`);
    }
    if (written.indexOf(pair[0].toLowerCase()) >= 0) {
      fail('ERR_OTPAUTH_PARAMETER', `"extraParameters[${i}]" would repeat a parameter this URI already has`);
    }
    query += `&${encodeComponent(pair[0])}=${encodeComponent(pair[1])}`;
  }

  const label = prefix === undefined ? encodeComponent(account) : `${encodeComponent(prefix)}:${encodeComponent(account)}`;
  const uri = `otpauth://${type}/${label}?${query}`;
  if (uri.length > MAX_URI) fail('ERR_OTPAUTH_TOO_LONG', `the URI would be longer than ${MAX_URI} characters`);
  return { uri, warnings };
}
