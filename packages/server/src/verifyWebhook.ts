import { type Clock, constantTimeEqual, type CryptoProvider, pureJsCryptoProvider, systemClock, utf8Decode, utf8Encode } from '@cloudmfa/core';
import { serverError } from './internal/errors.js';
import { decodeBase64, parseWebhookSecret, signWebhook } from './webhooks/_signature.js';

/**
 * Options of {@link verifyWebhook}.
 *
 * @example
 * ```ts
 * const options: VerifyWebhookOptions = { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', headers: req.headers, body: rawBody };
 * ```
 */
export interface VerifyWebhookOptions {
  /** The endpoint's `whsec_...` secret, or several while you rotate it (any may match). */
  secret: string | readonly string[];
  /** The request headers: a Fetch `Headers`, or Node's `req.headers` (lower-case names). */
  headers: Headers | Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The raw body exactly as received (never re-serialized JSON). */
  body: string | Uint8Array;
  /** ms the `webhook-timestamp` may differ from `now`, either way; default 300000 (5 min, the spec's). */
  toleranceMs?: number;
  now?: Clock;
  /** Default: the pure-JS provider (HMAC-SHA256 from @noble/hashes). */
  crypto?: CryptoProvider;
}

/**
 * Result of {@link verifyWebhook}. On success, `id` is the `webhook-id`: the same for every
 * retry of one event, so store it and ignore a repeat (deliveries are at least once).
 *
 * @example
 * ```ts
 * const r: VerifyWebhookResult = verifyWebhook({ secret, headers, body });
 * if (!r.ok) return new Response(null, { status: 400 }); // r.reason
 * ```
 */
export type VerifyWebhookResult =
  | { ok: true; id: string; timestamp: number; payload: unknown }
  | { ok: false; reason: 'missing_headers' | 'bad_timestamp' | 'too_old' | 'too_new' | 'bad_signature' | 'malformed_body' };

function header(headers: VerifyWebhookOptions['headers'], name: string): string | null {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const v = (headers as Record<string, string | readonly string[] | undefined>)[name];
  if (typeof v === 'string') return v;
  return Array.isArray(v) && typeof v[0] === 'string' ? (v[0] as string) : null;
}

/**
 * Verifies a webhook delivery on the receiving side (Standard Webhooks, docs/server.md section
 * 12): the `webhook-signature` header holds `v1,<base64 HMAC-SHA256>` of
 * `<webhook-id>.<webhook-timestamp>.<body>` under one of `secret`; the timestamp is within
 * `toleranceMs` of `now`. Signatures are compared in constant time. Never throws on what the
 * request carries; a malformed `secret` is misuse (`ERR_INVALID_ARGUMENT`). Interoperates with the
 * `standardwebhooks` packages both ways.
 *
 * @example
 * ```ts
 * import { verifyWebhook } from '@cloudmfa/server';
 * const r = verifyWebhook({
 *   secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
 *   headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': '1767225600', 'webhook-signature': 'v1,bm9wZQ==' },
 *   body: '{"type":"otp.locked","timestamp":"2026-01-01T00:00:00.000Z","data":{}}',
 *   now: () => Date.UTC(2026, 0, 1),
 * });
 * console.log(r); // { ok: false, reason: 'bad_signature' }
 * ```
 */
export function verifyWebhook(options: VerifyWebhookOptions): VerifyWebhookResult {
  if (typeof options !== 'object' || options === null) throw serverError('ERR_INVALID_ARGUMENT', '"options" expected an object');
  const { secret, headers, body, toleranceMs = 300_000, now = systemClock, crypto = pureJsCryptoProvider } = options;
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (!Array.isArray(secrets) || secrets.length === 0) throw serverError('ERR_INVALID_ARGUMENT', '"secret" expected whsec_<base64 of 24..64 bytes>, or a non-empty list of them');
  const keys = secrets.map((s) => {
    const key = parseWebhookSecret(s);
    if (!key) throw serverError('ERR_INVALID_ARGUMENT', '"secret" expected whsec_<base64 of 24..64 bytes>');
    return key;
  });
  if (!Number.isSafeInteger(toleranceMs) || toleranceMs < 0) throw serverError('ERR_INVALID_ARGUMENT', '"toleranceMs" expected an integer >= 0');
  if (typeof headers !== 'object' || headers === null) throw serverError('ERR_INVALID_ARGUMENT', '"headers" expected Headers or a record');
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) throw serverError('ERR_INVALID_ARGUMENT', '"body" expected the raw body as a string or bytes');

  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const sig = header(headers, 'webhook-signature');
  if (!id || !ts || !sig) return { ok: false, reason: 'missing_headers' };
  if (!/^[0-9]{1,15}$/.test(ts)) return { ok: false, reason: 'bad_timestamp' };
  const seconds = Number(ts);
  const t = Math.floor(now());
  if (seconds * 1000 < t - toleranceMs) return { ok: false, reason: 'too_old' };
  if (seconds * 1000 > t + toleranceMs) return { ok: false, reason: 'too_new' };

  const bytes = typeof body === 'string' ? utf8Encode(body) : body;
  const expected = keys.map((k) => signWebhook(crypto, k, id, seconds, bytes));
  let match = false;
  for (const part of sig.split(' ')) {
    const comma = part.indexOf(',');
    if (comma < 0 || part.slice(0, comma) !== 'v1') continue;
    const given = decodeBase64(part.slice(comma + 1));
    if (!given || given.length !== 32) continue;
    // Every candidate against every secret, without stopping early on a match.
    for (const e of expected) match = constantTimeEqual(e, given) || match;
  }
  if (!match) return { ok: false, reason: 'bad_signature' };
  try {
    return { ok: true, id, timestamp: seconds * 1000, payload: JSON.parse(utf8Decode(bytes)) as unknown };
  } catch {
    return { ok: false, reason: 'malformed_body' };
  }
}
