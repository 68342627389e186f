import { ALGORITHMS, checkOptions, fail, warn } from './_common.js';
import { checkOtpauth, checkText, KNOWN, MAX_PARAMS, MAX_URI, otherType } from './_otpauth.js';
import { decodeComponent } from './_uri.js';
import type { OtpAlgorithm, OtpErrorCode, ParsedOtpauthUri } from './types.js';

/**
 * Options of {@link parseOtpauthUri}.
 *
 * @example
 * ```ts
 * const options: ParseOtpauthUriOptions = { uri: 'otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXP&issuer=Acme', lenient: true };
 * ```
 */
export interface ParseOtpauthUriOptions {
  /** The `otpauth://` URI (it holds the secret: never log it). */
  uri: string;
  /** Accept real-world deviations and return them as `warnings`; default `false` (strict). */
  lenient?: boolean;
}

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
 * Lossless: `parseOtpauthUri({ uri: formatOtpauthUri(p).uri, lenient })` gives back the same fields for
 * every `p` this function returned in that mode. A colon encoded as `%3A` is data, so colons
 * inside an issuer or account round-trip. Error messages never quote the URI (it holds a secret).
 *
 * @example
 * ```ts
 * const p = parseOtpauthUri({ uri: 'otpauth://totp/Acme:alice@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Acme' });
 * // { type: 'totp', secret: Uint8Array(20), account: 'alice@example.com', issuer: 'Acme', algorithm: 'SHA1', digits: 6, period: 30, warnings: [] }
 * parseOtpauthUri({ uri: 'otpauth://totp/Some+Company:bob?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Microsoft', lenient: true });
 * // issuer 'Microsoft', labelIssuer 'Some Company', warnings PLUS_AS_SPACE and ISSUER_MISMATCH
 * ```
 */
export function parseOtpauthUri(options: ParseOtpauthUriOptions): ParsedOtpauthUri {
  checkOptions(options, 'options', true);
  const { uri } = options;
  const lenient = options.lenient === true;
  const warnings: ParsedOtpauthUri['warnings'] = [];
  const ctx = { lenient, warnings };
  // In lenient mode, a tolerated problem becomes a warning; in strict mode, an error.
  // One text serves as the strict error and the lenient warning.
  const tolerate = (code: OtpErrorCode, warning: Parameters<typeof warn>[1], message: string): void => {
    if (!lenient) fail(code, message);
    warn(warnings, warning, message);
  };
  if (typeof uri !== 'string' || uri.length > MAX_URI) fail('ERR_OTPAUTH_TOO_LONG', `"uri" expected at most ${MAX_URI} characters`);
  if (!/^otpauth:\/\//i.test(uri)) fail('ERR_OTPAUTH_SCHEME', 'not otpauth://');
  if (uri.indexOf('#') >= 0) fail('ERR_OTPAUTH_ENCODING', 'fragment ("#")');

  // otpauth://TYPE/LABEL?QUERY
  // No '/' leaves the label empty, which the account check refuses.
  const [, rawType = '', rawLabel = '', rawQuery = ''] = /^.{10}([^/?]*)\/?([^?]*)\??(.*)$/.exec(uri) as string[];
  const type = rawType.toLowerCase();
  if (type !== 'totp' && type !== 'hotp') fail('ERR_OTPAUTH_TYPE', 'type not totp or hotp');

  // Parameters first: lenient label splitting needs the issuer parameter.
  const params = new Map<string, string>();
  const extra: Array<[string, string]> = [];
  const segments = rawQuery ? rawQuery.split('&') : [];
  if (segments.length > MAX_PARAMS) fail('ERR_OTPAUTH_PARAMETER', `more than ${MAX_PARAMS} parameters`);
  segments.forEach((segment) => {
    if (!segment) return tolerate('ERR_OTPAUTH_PARAMETER', 'EMPTY_PARAMETER', 'empty parameter');
    const eq = segment.indexOf('=');
    if (eq < 0 && !lenient) fail('ERR_OTPAUTH_PARAMETER', 'parameter without "="');
    const name = decodeComponent(eq < 0 ? segment : segment.slice(0, eq), ctx);
    const value = eq < 0 ? '' : decodeComponent(segment.slice(eq + 1), ctx);
    const lower = name.toLowerCase();
    // Parameter names and values are never echoed: a mangled URI can put the secret anywhere.
    if (!name) fail('ERR_OTPAUTH_PARAMETER', 'parameter without a name');
    if (KNOWN.indexOf(lower) < 0) {
      tolerate('ERR_OTPAUTH_PARAMETER', 'UNKNOWN_PARAMETER', 'unknown parameter');
      return extra.push([name, value]);
    }
    if (lower !== name) tolerate('ERR_OTPAUTH_PARAMETER', 'PARAMETER_CASE', 'parameter name not lowercase');
    if (lower === otherType(type)) {
      tolerate('ERR_OTPAUTH_PARAMETER', 'PARAMETER_NOT_FOR_TYPE', `parameter not for ${type}`);
      return extra.push([name, value]);
    }
    if (params.has(lower)) fail('ERR_OTPAUTH_PARAMETER', `"${lower}" twice`);
    params.set(lower, value);
  });

  let issuerParam = params.get('issuer');
  if (issuerParam === '') {
    tolerate('ERR_OTPAUTH_ISSUER', 'EMPTY_PARAMETER', 'empty parameter');
    issuerParam = undefined;
  }

  // Label: split on the first unencoded ':'; '%3A' is data.
  if (rawLabel.indexOf('/') >= 0) tolerate('ERR_OTPAUTH_LABEL', 'UNENCODED_CHARACTER', 'unencoded character');
  const parts = rawLabel.split(':');
  if (parts.length > 2) tolerate('ERR_OTPAUTH_LABEL', 'LABEL_COLON', 'second ":" in the label');
  // '/' and further ':' are kept as data (lenient), so encode them before decoding.
  const decode = (raw: string) => decodeComponent(raw.replace(/\//g, '%2F'), ctx);
  let prefix = parts.length > 1 ? decode(parts[0] as string) : undefined;
  let account = decode(parts.slice(parts.length > 1 ? 1 : 0).join('%3A'));
  if (lenient && prefix === undefined && issuerParam !== undefined && account.indexOf(`${issuerParam}:`) === 0) {
    prefix = issuerParam;
    account = account.slice(prefix.length + 1);
    warn(warnings, 'LABEL_ENCODED_SEPARATOR', '"%3A" as label separator');
  }
  if (prefix !== undefined) checkText(prefix, 'label prefix', 'ERR_OTPAUTH_LABEL');

  let labelIssuer: string | undefined;
  if (prefix !== undefined && issuerParam !== undefined && prefix !== issuerParam) {
    tolerate('ERR_OTPAUTH_ISSUER_MISMATCH', 'ISSUER_MISMATCH', 'label prefix differs from issuer');
    labelIssuer = prefix;
  }
  const issuer = issuerParam ?? prefix;
  const secret = params.get('secret');
  if (!secret) fail('ERR_OTPAUTH_SECRET', 'no secret');

  let algorithm = params.get('algorithm') ?? 'SHA1';
  const normal = algorithm.toUpperCase().replace(/-/g, '');
  if (lenient && algorithm !== normal && ALGORITHMS.indexOf(normal as OtpAlgorithm) >= 0) {
    warn(warnings, 'ALGORITHM_SPELLING', 'algorithm name normalised');
    algorithm = normal;
  }
  let counter = params.get('counter');
  if (type === 'hotp' && counter === undefined) {
    tolerate('ERR_OTPAUTH_COUNTER', 'COUNTER_MISSING', 'no counter');
    counter = '0';
  }
  const parsed = {
    type,
    secret,
    account: account.replace(/^ +/, ''),
    ...(issuer !== undefined && { issuer }),
    ...(labelIssuer !== undefined && { labelIssuer }),
    algorithm,
    digits: readNumber(params.get('digits') ?? '6'),
    ...(type === 'totp' ? { period: readNumber(params.get('period') ?? '30') } : { counter: readNumber(counter as string) }),
    ...(extra.length > 0 && { extraParameters: extra }),
    warnings,
  } as unknown as ParsedOtpauthUri;
  // The formatter's checks (secret, account, issuer, algorithm, digits, period or counter).
  parsed.secret = checkOtpauth(parsed, warnings);
  return parsed;
}

/** A decimal integer, ASCII digits only (no sign, exponent or spaces), or NaN for checkOtpauth to refuse. */
const readNumber = (text: string): number => (/^[0-9]{1,16}$/.test(text) ? Number(text) : NaN);
