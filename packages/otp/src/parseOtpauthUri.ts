import { checkOptions, fail, MAX_COUNTER, MAX_PERIOD, warning } from './_common.js';
import { checkText, issuerMissing, MAX_PARAMS, MAX_URI, secretWithCode } from './_otpauth.js';
import { type DecodeContext, decodeComponent } from './_uri.js';
import type { OtpAlgorithm, OtpErrorCode, ParsedOtpauthUri } from './types.js';

const KNOWN = ['secret', 'issuer', 'algorithm', 'digits', 'period', 'counter'];

/**
 * Parses a Google Authenticator `otpauth://` URI (Key Uri Format).
 *
 * **Strict by default**: every deviation throws `CloudMfaError` with its own code
 * (`ERR_OTPAUTH_TOO_LONG`, `_SCHEME`, `_TYPE`, `_ENCODING`, `_LABEL`, `_ISSUER`,
 * `_ISSUER_MISMATCH`, `_PARAMETER`, `_SECRET`, `_ALGORITHM`, `_DIGITS`, `_PERIOD`, `_COUNTER`;
 * the table is in docs/otp.md). `{ lenient: true }` accepts real-world URIs (a label prefix that
 * differs from `issuer=`, `+` for spaces, unknown parameters, odd spellings) and returns what it
 * tolerated as `warnings`. Defaults are filled in (`SHA1`, 6 digits, 30 s).
 *
 * Lossless: `parseOtpauthUri(formatOtpauthUri(p).uri, mode)` gives back the same fields for
 * every `p` this function returned in that mode. A colon encoded as `%3A` is data, so colons
 * inside an issuer or account round-trip.
 *
 * @example
 * ```ts
 * const p = parseOtpauthUri('otpauth://totp/Acme:alice@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Acme');
 * // { type: 'totp', secret: Uint8Array(20), account: 'alice@example.com', issuer: 'Acme', algorithm: 'SHA1', digits: 6, period: 30, warnings: [] }
 * parseOtpauthUri('otpauth://totp/Some+Company:bob?secret=...&issuer=Microsoft', { lenient: true });
 * // issuer 'Microsoft', labelIssuer 'Some Company', warnings PLUS_AS_SPACE and ISSUER_MISMATCH
 * ```
 */
export function parseOtpauthUri(uri: string, options: { lenient?: boolean } = {}): ParsedOtpauthUri {
  checkOptions(options);
  const lenient = options.lenient === true;
  const ctx: DecodeContext = { lenient, warnings: [] };
  const warn = ctx.warnings;
  if (typeof uri !== 'string') return fail('ERR_OTPAUTH_TOO_LONG', '"uri" expected a string');
  if (uri.length > MAX_URI) fail('ERR_OTPAUTH_TOO_LONG', `the URI is longer than ${MAX_URI} characters`);
  if (uri.slice(0, 10).toLowerCase() !== 'otpauth://') {
    fail('ERR_OTPAUTH_SCHEME', /^otpauth-migration:/i.test(uri) ? 'this is a migration URI: use importMigration' : 'the URI does not start with otpauth://');
  }
  if (uri.indexOf('#') >= 0) fail('ERR_OTPAUTH_ENCODING', 'a fragment ("#") is not allowed');

  // otpauth://TYPE/LABEL?QUERY
  const rest = uri.slice(10);
  const slash = rest.indexOf('/');
  const qmark = rest.indexOf('?');
  const typeEnd = slash >= 0 && (qmark < 0 || slash < qmark) ? slash : qmark >= 0 ? qmark : rest.length;
  const type = rest.slice(0, typeEnd).toLowerCase();
  if (type !== 'totp' && type !== 'hotp') fail('ERR_OTPAUTH_TYPE', 'the type must be totp or hotp');
  if (typeEnd !== slash) fail('ERR_OTPAUTH_LABEL', 'the label is missing');
  const rawLabel = qmark >= 0 ? rest.slice(slash + 1, qmark) : rest.slice(slash + 1);
  const rawQuery = qmark >= 0 ? rest.slice(qmark + 1) : '';

  // Parameters first: lenient label splitting needs the issuer parameter.
  const params = new Map<string, string>();
  const extra: Array<[string, string]> = [];
  const segments = rawQuery === '' ? [] : rawQuery.split('&');
  if (segments.length > MAX_PARAMS) fail('ERR_OTPAUTH_PARAMETER', `more than ${MAX_PARAMS} parameters`);
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index] as string;
    if (segment === '') {
      if (!lenient) fail('ERR_OTPAUTH_PARAMETER', 'empty parameter ("&&")');
      addWarning(warn, 'EMPTY_PARAMETER', 'empty parameters were ignored');
      continue;
    }
    const eq = segment.indexOf('=');
    if (eq < 0 && !lenient) fail('ERR_OTPAUTH_PARAMETER', 'a parameter without "="');
    const name = decodeComponent(eq < 0 ? segment : segment.slice(0, eq), ctx, 'parameter name', true);
    const value = eq < 0 ? '' : decodeComponent(segment.slice(eq + 1), ctx, `value of parameter ${index + 1}`, true);
    if (name === '') fail('ERR_OTPAUTH_PARAMETER', 'a parameter without a name');
    const lower = name.toLowerCase();
    const known = KNOWN.indexOf(lower) >= 0;
    if (known && lower !== name) {
      if (!lenient) fail('ERR_OTPAUTH_PARAMETER', `parameter names are lowercase: "${lower}"`);
      addWarning(warn, 'PARAMETER_CASE', 'parameter names in another case were accepted');
    }
    if (!known) {
      // Not echoed: a mangled URI can put anything, even the secret, in a name.
      if (!lenient) fail('ERR_OTPAUTH_PARAMETER', `parameter ${index + 1} is unknown (known: ${KNOWN.join(', ')})`);
      addWarning(warn, 'UNKNOWN_PARAMETER', 'unknown parameters were kept in extraParameters');
      extra.push([name, value]);
      continue;
    }
    if ((lower === 'period' && type === 'hotp') || (lower === 'counter' && type === 'totp')) {
      if (!lenient) fail('ERR_OTPAUTH_PARAMETER', `"${lower}" does not apply to ${type}`);
      addWarning(warn, 'PARAMETER_NOT_FOR_TYPE', `parameters that do not apply to ${type} were kept in extraParameters`);
      extra.push([name, value]);
      continue;
    }
    if (params.has(lower)) fail('ERR_OTPAUTH_PARAMETER', `duplicate parameter "${lower}"`);
    params.set(lower, value);
  }

  let issuerParam = params.get('issuer');
  if (issuerParam === '') {
    if (!lenient) fail('ERR_OTPAUTH_ISSUER', '"issuer" is empty');
    addWarning(warn, 'EMPTY_PARAMETER', 'empty parameters were ignored');
    issuerParam = undefined;
  }
  if (issuerParam !== undefined) checkText(issuerParam, 'issuer', 'ERR_OTPAUTH_ISSUER');

  // Label: split on the first unencoded ':'; '%3A' is data.
  if (rawLabel.indexOf('/') >= 0) {
    if (!lenient) fail('ERR_OTPAUTH_LABEL', 'the label contains an unencoded "/"');
    addWarning(warn, 'UNENCODED_CHARACTER', 'unencoded characters were accepted as themselves');
  }
  const colon = rawLabel.indexOf(':');
  let prefix: string | undefined;
  let account: string;
  if (colon >= 0) {
    if (rawLabel.indexOf(':', colon + 1) >= 0) {
      if (!lenient) fail('ERR_OTPAUTH_LABEL', 'the label has more than one unencoded ":"');
      addWarning(warn, 'LABEL_COLON', 'further unencoded ":" were kept in the account');
    }
    prefix = decodeComponent(rawLabel.slice(0, colon).replace(/\//g, '%2F'), ctx, 'label', false);
    account = decodeComponent(rawLabel.slice(colon + 1).replace(/[/:]/g, (c) => (c === '/' ? '%2F' : '%3A')), ctx, 'label', false);
    if (prefix === '') fail('ERR_OTPAUTH_LABEL', 'the label has an empty issuer prefix');
  } else {
    account = decodeComponent(rawLabel.replace(/\//g, '%2F'), ctx, 'label', false);
    if (lenient && issuerParam !== undefined && account.slice(0, issuerParam.length + 1) === `${issuerParam}:`) {
      prefix = issuerParam;
      account = account.slice(issuerParam.length + 1);
      addWarning(warn, 'LABEL_ENCODED_SEPARATOR', 'an encoded ":" after the issuer was read as the label separator');
    }
  }
  account = account.replace(/^ +/, '');
  if (prefix !== undefined) checkText(prefix, 'issuer prefix of the label', 'ERR_OTPAUTH_LABEL');
  checkText(account, 'account', 'ERR_OTPAUTH_LABEL');

  let issuer = issuerParam ?? prefix;
  let labelIssuer: string | undefined;
  if (prefix !== undefined && issuerParam !== undefined && prefix !== issuerParam) {
    if (!lenient) fail('ERR_OTPAUTH_ISSUER_MISMATCH', 'the label prefix differs from the issuer parameter');
    addWarning(warn, 'ISSUER_MISMATCH', 'the label prefix differs from the issuer parameter: the parameter is the issuer');
    labelIssuer = prefix;
    issuer = issuerParam;
  }
  if (issuer === undefined) warn.push(issuerMissing());

  const rawSecret = params.get('secret');
  if (rawSecret === undefined || rawSecret === '') return fail('ERR_OTPAUTH_SECRET', 'the secret parameter is missing');
  const secret = secretWithCode(rawSecret, 'ERR_OTPAUTH_SECRET');
  warn.push(...secret.warnings);

  const algorithm = readAlgorithm(params.get('algorithm'), lenient, warn);
  const digits = readNumber(params.get('digits'), 6, 2, 6, 10, 'digits', 'ERR_OTPAUTH_DIGITS');
  const common = {
    secret: secret.bytes,
    account,
    ...(issuer !== undefined ? { issuer } : {}),
    ...(labelIssuer !== undefined ? { labelIssuer } : {}),
    algorithm,
    digits,
  };
  const tail = { ...(extra.length > 0 ? { extraParameters: extra } : {}), warnings: warn };
  if (type === 'totp') {
    const period = readNumber(params.get('period'), 30, 9, 1, MAX_PERIOD, 'period', 'ERR_OTPAUTH_PERIOD');
    return { type, ...common, period, ...tail };
  }
  let counterText = params.get('counter');
  if (counterText === undefined) {
    if (!lenient) fail('ERR_OTPAUTH_COUNTER', 'an hotp URI needs a counter parameter');
    addWarning(warn, 'COUNTER_MISSING', 'no counter: 0 was assumed');
    counterText = '0';
  }
  const counter = readNumber(counterText, 0, 16, 0, MAX_COUNTER, 'counter', 'ERR_OTPAUTH_COUNTER');
  return { type: 'hotp', ...common, counter, ...tail };
}

function addWarning(warnings: ParsedOtpauthUri['warnings'], code: Parameters<typeof warning>[0], message: string): void {
  if (!warnings.some((w) => w.code === code)) warnings.push(warning(code, message));
}

function readNumber(text: string | undefined, fallback: number, maxChars: number, min: number, max: number, name: string, code: OtpErrorCode): number {
  if (text === undefined) return fallback;
  if (text.length === 0 || text.length > maxChars || !/^[0-9]+$/.test(text)) fail(code, `"${name}" must be an integer in [${min}, ${max}]`);
  const n = Number(text);
  if (n < min || n > max) fail(code, `"${name}" must be an integer in [${min}, ${max}], got ${n}`);
  return n;
}

function readAlgorithm(text: string | undefined, lenient: boolean, warnings: ParsedOtpauthUri['warnings']): OtpAlgorithm {
  if (text === undefined) return 'SHA1';
  if (text === 'SHA1' || text === 'SHA256' || text === 'SHA512') return text;
  const normal = text.toUpperCase().replace(/-/g, '');
  if (lenient && (normal === 'SHA1' || normal === 'SHA256' || normal === 'SHA512')) {
    addWarning(warnings, 'ALGORITHM_SPELLING', 'the algorithm name was normalised');
    return normal;
  }
  return fail('ERR_OTPAUTH_ALGORITHM', `"algorithm" must be SHA1, SHA256 or SHA512${lenient ? '' : ' (uppercase)'}`);
}
