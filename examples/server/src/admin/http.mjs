// HTTP plumbing shared by the admin pages and the admin JSON API: security headers, fixed
// refusal messages, response builders and bounded body readers.
import { createHash } from 'node:crypto';
import { constantTimeEqual, isCloudMfaError } from '@cloudmfa/core';

const MAX_BODY = 16_384;

export const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // same-origin: the admin origin (a loopback port) never leaves this host in a Referer, and a
  // same-origin form post carries its real Origin (under no-referrer, Chromium sends `null`).
  'referrer-policy': 'same-origin',
  'content-security-policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

export const MESSAGES = {
  ERR_ADMIN_UNAUTHORIZED: 'missing or wrong admin token',
  ERR_ADMIN_THROTTLED: 'too many wrong admin tokens; try again later',
  ERR_ADMIN_FORBIDDEN: 'the request did not come from the admin pages',
  ERR_ADMIN_MALFORMED: 'the request is malformed',
  ERR_ADMIN_NOT_FOUND: 'no such route or record',
  ERR_ADMIN_METHOD: 'method not allowed on this route',
  ERR_ADMIN_MEDIA_TYPE: 'unsupported content type',
  ERR_ADMIN_BODY_TOO_LARGE: 'the body is too large',
  ERR_ADMIN_HOST: 'the Host header does not name this admin listener',
  ERR_HTTP_UNAVAILABLE: 'the store is temporarily unavailable',
  ERR_ADMIN_INTERNAL: 'internal error',
};

// Facade refusals that are the caller's input (passed on with 400 and the facade's message,
// which names the field and the rule, never the value).
const MISUSE_CODE = /^ERR_(INVALID_ARGUMENT|PUSH_CONTEXT_[A-Z_]+|PUSH_PAYLOAD_TOO_LARGE|STORAGE_INVALID|OTP_[A-Z_]+|OTPAUTH_[A-Z_]+|ENVELOPE_[A-Z_]+)$/;
const NOT_MISUSE = new Set(['ERR_OTP_CRYPTO', 'ERR_ENVELOPE_KDF_FAILED']);
export const isMisuse = (e) => isCloudMfaError(e) && MISUSE_CODE.test(e.code) && !NOT_MISUSE.has(e.code);

export class HttpRefusal extends Error {
  constructor(status, code, headers) {
    super(code);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export const digest = (s) => new Uint8Array(createHash('sha256').update(s, 'utf8').digest());
export const secretEqual = (a, b) => constantTimeEqual(digest(a), digest(b));

export function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS, ...headers } });
}
export function jsonError(status, code, message = MESSAGES[code] ?? 'refused', headers = {}) {
  return json(status, { error: { code, message } }, headers);
}
export function html(status, page, headers = {}) {
  return new Response(page, { status, headers: { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS, ...headers } });
}
export function redirect(location, headers = {}) {
  return new Response(null, { status: 303, headers: { location, ...SECURITY_HEADERS, ...headers } });
}

async function readBody(req) {
  const length = req.headers.get('content-length');
  if (length !== null && (!/^[0-9]{1,15}$/.test(length.trim()) || Number(length) > MAX_BODY)) {
    throw new HttpRefusal(/^[0-9]{1,15}$/.test(length.trim()) ? 413 : 400, /^[0-9]{1,15}$/.test(length.trim()) ? 'ERR_ADMIN_BODY_TOO_LARGE' : 'ERR_ADMIN_MALFORMED');
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > MAX_BODY) {
        reader.cancel().catch(() => {});
        throw new HttpRefusal(413, 'ERR_ADMIN_BODY_TOO_LARGE');
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof HttpRefusal) throw e;
    throw new HttpRefusal(400, 'ERR_ADMIN_MALFORMED');
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

const mediaType = (req) => (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();

export async function readForm(req) {
  if (mediaType(req) !== 'application/x-www-form-urlencoded') throw new HttpRefusal(415, 'ERR_ADMIN_MEDIA_TYPE');
  const bytes = await readBody(req);
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpRefusal(400, 'ERR_ADMIN_MALFORMED');
  }
  const form = new URLSearchParams(text);
  return (name) => {
    const v = form.get(name);
    return v === null ? '' : v;
  };
}

export function cookieValue(req, name) {
  const header = req.headers.get('cookie');
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return null;
}
