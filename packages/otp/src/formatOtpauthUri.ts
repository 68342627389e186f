import { checkOptions, fail, warn } from './_common.js';
import { checkOtpauth, KNOWN, MAX_PARAMS, MAX_URI, otherType } from './_otpauth.js';
import { base32, encodeComponent } from './_uri.js';
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
  const { type, issuer, labelIssuer, algorithm = 'SHA1', digits = 6, extraParameters: extra = [] } = params;
  if (type !== 'totp' && type !== 'hotp') fail('ERR_OTPAUTH_TYPE', '"type" must be totp or hotp');
  const warnings: OtpWarning[] = [];
  const bytes = checkOtpauth(params, warnings);

  const query: Array<[string, string | number]> = [['secret', base32(bytes)]];
  if (issuer !== undefined) query.push(['issuer', encodeComponent(issuer)]);
  // A non-default algorithm, digits or period: Google Authenticator would show wrong codes.
  const unusual = (name: 'algorithm' | 'digits' | 'period', value: string | number): void => {
    query.push([name, value]);
    warn(warnings, `GA_${name.toUpperCase() as 'ALGORITHM' | 'DIGITS' | 'PERIOD'}`, `Google Authenticator ignores ${name}`);
  };
  if (algorithm !== 'SHA1') unusual('algorithm', algorithm);
  if (digits !== 6) unusual('digits', digits);
  if (params.type === 'hotp') query.push(['counter', params.counter]);
  else if ((params.period ?? 30) !== 30) unusual('period', params.period as number);

  // Room for the five parameters the formatter may write itself.
  if (!Array.isArray(extra) || extra.length > MAX_PARAMS - 5) fail('ERR_OTPAUTH_PARAMETER', `"extraParameters" expected at most ${MAX_PARAMS - 5} pairs`);
  extra.forEach((pair, i) => {
    const [name, value] = Array.isArray(pair) ? pair : [];
    if (typeof name !== 'string' || !name || typeof value !== 'string' || pair.length !== 2 || (KNOWN.indexOf(name.toLowerCase()) >= 0 && name.toLowerCase() !== otherType(type))) {
      fail('ERR_OTPAUTH_PARAMETER', `"extraParameters[${i}]" expected a [name, value] pair of strings not naming a written parameter`);
    }
    query.push([encodeComponent(name), encodeComponent(value)]);
  });

  const prefix = labelIssuer ?? issuer;
  const label = (prefix === undefined ? '' : `${encodeComponent(prefix)}:`) + encodeComponent(params.account);
  const uri = `otpauth://${type}/${label}?${query.map(([k, v]) => `${k}=${v}`).join('&')}`;
  if (uri.length > MAX_URI) fail('ERR_OTPAUTH_TOO_LONG', `the URI would exceed ${MAX_URI} characters`);
  return { uri, warnings };
}
