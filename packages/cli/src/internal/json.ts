import { encodeBase32 } from '@cloudmfa/core';
import type { OtpauthInput, ParsedOtpauthUri } from '@cloudmfa/otp';

/** The JSON shape of a parsed account (`uri parse`, `migration import --json`): secret as base32. */
export function accountJson(p: ParsedOtpauthUri): Record<string, unknown> {
  const out: Record<string, unknown> = { type: p.type };
  if (p.issuer !== undefined) out.issuer = p.issuer;
  if (p.labelIssuer !== undefined) out.labelIssuer = p.labelIssuer;
  out.account = p.account;
  out.secret = encodeBase32(p.secret);
  out.algorithm = p.algorithm;
  out.digits = p.digits;
  if (p.type === 'totp') out.period = p.period;
  else out.counter = p.counter;
  if (p.extraParameters !== undefined) out.extraParameters = p.extraParameters;
  out.warnings = p.warnings.map((w) => ({ code: w.code, message: w.message }));
  return out;
}

/** A parsed account as formatter input (drops `warnings`). */
export function accountInput(p: ParsedOtpauthUri): OtpauthInput {
  const { warnings: _warnings, ...rest } = p;
  return rest;
}

/** The value of the first `secret=` parameter of a URI-ish string, for redaction only. */
export function secretParameterOf(uri: string): string | undefined {
  const m = /[?&]secret=([^&#]*)/i.exec(uri);
  return m === null ? undefined : m[1];
}
