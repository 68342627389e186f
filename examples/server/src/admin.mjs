// The admin surface (docs/guides/reference-server.md section 4): HTML pages behind a session
// cookie and a JSON API behind a bearer token, both only on 127.0.0.1. It calls the facade's
// admin operations; @cloudmfa/server deliberately serves none of them over HTTP.
//
// Rules kept here: the token and session ids are compared in constant time over SHA-256
// digests; every form carries the session's CSRF token; Host must name the loopback listener
// (DNS rebinding); every response is no-store with a strict CSP; every value from a request or
// a store is escaped; error messages are fixed strings or the facade's own (which name fields,
// never values); nothing here logs a body, a token, a code or a password.
import { createHash } from 'node:crypto';
import { constantTimeEqual, encodeBase64Url, isCloudMfaError, systemRandom } from '@cloudmfa/core';
import { csrfField, esc, layout, time } from './html.mjs';
import { annotate } from './nodeHttp.mjs';

const MAX_BODY = 16_384;
const SESSION_MS = 8 * 3600 * 1000;
const MAX_SESSIONS = 64;
const COOKIE = 'cmfa_admin';

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

const MESSAGES = {
  ERR_ADMIN_UNAUTHORIZED: 'missing or wrong admin token',
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
const isMisuse = (e) => isCloudMfaError(e) && MISUSE_CODE.test(e.code) && !NOT_MISUSE.has(e.code);

class HttpRefusal extends Error {
  constructor(status, code, headers) {
    super(code);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

const digest = (s) => new Uint8Array(createHash('sha256').update(s, 'utf8').digest());
const secretEqual = (a, b) => constantTimeEqual(digest(a), digest(b));

function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS, ...headers } });
}
function jsonError(status, code, message = MESSAGES[code] ?? 'refused', headers = {}) {
  return json(status, { error: { code, message } }, headers);
}
function html(status, page, headers = {}) {
  return new Response(page, { status, headers: { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS, ...headers } });
}
function redirect(location, headers = {}) {
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

async function readJson(req, fields = []) {
  if (mediaType(req) !== 'application/json') throw new HttpRefusal(415, 'ERR_ADMIN_MEDIA_TYPE');
  const bytes = await readBody(req);
  let value;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new HttpRefusal(400, 'ERR_ADMIN_MALFORMED');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpRefusal(400, 'ERR_ADMIN_MALFORMED');
  // An unknown field is refused, not ignored: a typo must not silently change what happens.
  if (Object.keys(value).some((k) => !fields.includes(k))) throw new HttpRefusal(400, 'ERR_ADMIN_MALFORMED');
  return value;
}

async function readForm(req) {
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

function cookieValue(req, name) {
  const header = req.headers.get('cookie');
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return null;
}

const str = (v, max = 512) => typeof v === 'string' && v.length > 0 && v.length <= max;

/** Plain JSON for a StartedActivation (the PNG as base64). */
function activationJson(a) {
  return { ...a, qr: { svg: a.qr.svg, png: Buffer.from(a.qr.png).toString('base64') } };
}

function describeVerify(r) {
  if (r.ok) {
    return `<p class="ok">Accepted</p><p>${esc(r.method.toUpperCase())} step ${esc(r.step)}, delta ${esc(r.delta)}${r.activated ? ', this code activated the enrolment' : ''}.</p>`;
  }
  switch (r.reason) {
    case 'invalid':
      return `<p class="bad">Refused: wrong code (${esc(r.detail)})</p><p>${esc(r.failures)} consecutive failure(s)${r.retryAfterMs ? `; next attempt accepted in ${esc(Math.ceil(r.retryAfterMs / 1000))} s` : ''}.</p>`;
    case 'replayed':
      return '<p class="bad">Refused: this code was already used (replay)</p>';
    case 'locked':
      return `<p class="bad">Refused: locked</p><p>Try again in ${esc(Math.ceil(r.retryAfterMs / 1000))} s (or unlock the enrolment).</p>`;
    case 'not_active':
      return `<p class="bad">Refused: the enrolment is ${esc(r.status)}</p>`;
    default:
      return '<p class="bad">Refused: no enrolment for this user</p>';
  }
}

/**
 * The admin handler: `(Request) => Promise<Response>`.
 *
 * @param {{
 *   server: import('@cloudmfa/server').MfaServer,
 *   token: string,
 *   issuer: string,
 *   storeKind: string,
 *   port: () => number,
 *   clock: () => number,
 *   random?: (n: number) => Uint8Array,
 *   deliverPush?: (challenge: object) => Promise<void> | void,
 *   warn?: (entry: object) => void,
 * }} options
 */
export function createAdminHandler(options) {
  const { server, token, issuer, storeKind, port, clock, random = systemRandom, deliverPush, warn = () => {} } = options;
  /** @type {Map<string, { csrf: string, expiresAt: number, numbers: Map<string, string> }>} */
  const sessions = new Map();

  const allowedHost = (host) => host === `127.0.0.1:${port()}` || host === `localhost:${port()}`;
  const sameOrigin = (origin) => origin === `http://127.0.0.1:${port()}` || origin === `http://localhost:${port()}`;
  // A POST from another site: an Origin that is not ours, or a Sec-Fetch-Site other than
  // same-origin / none (section 4.2). Applies to every POST, /login included.
  const foreignPost = (req) => {
    const origin = req.headers.get('origin');
    const site = req.headers.get('sec-fetch-site');
    return (origin !== null && !sameOrigin(origin)) || (site !== null && site !== 'same-origin' && site !== 'none');
  };

  function sessionOf(req) {
    const id = cookieValue(req, COOKIE);
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
    // Map lookup by the id's digest: the lookup itself is not a timing oracle on the id.
    const key = encodeBase64Url(digest(id));
    const s = sessions.get(key);
    if (!s) return null;
    if (clock() >= s.expiresAt) {
      sessions.delete(key);
      return null;
    }
    return s;
  }

  function newSession() {
    const id = encodeBase64Url(random(32));
    const s = { csrf: encodeBase64Url(random(32)), expiresAt: clock() + SESSION_MS, numbers: new Map() };
    if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value);
    sessions.set(encodeBase64Url(digest(id)), s);
    return { id, session: s };
  }

  function bearerOk(req) {
    const h = req.headers.get('authorization');
    if (!h || !h.startsWith('Bearer ')) return false;
    return secretEqual(h.slice(7), token);
  }

  // ---- JSON API ---------------------------------------------------------------------------

  /** @type {Array<[string, RegExp, string, (req: Request, m: RegExpExecArray, url: URL) => Promise<Response>]>} */
  const api = [
    ['GET', /^\/api\/health$/, '/api/health', async () => json(200, { status: 'ok', store: storeKind })],
    [
      'POST',
      /^\/api\/enrolments$/,
      '/api/enrolments',
      async (req) => {
        const body = await readJson(req, ['userId', 'mode', 'account', 'otp', 'lifetimeSeconds']);
        const { userId, ...rest } = body;
        const a = await server.startActivation({ userId, ...rest });
        return json(201, activationJson(a));
      },
    ],
    [
      'GET',
      /^\/api\/enrolments\/([A-Za-z0-9_-]{1,128})$/,
      '/api/enrolments/:id',
      async (_req, m) => {
        const e = await server.getEnrolment(m[1]);
        return e ? json(200, e) : jsonError(404, 'ERR_ADMIN_NOT_FOUND');
      },
    ],
    [
      'POST',
      /^\/api\/enrolments\/([A-Za-z0-9_-]{1,128})\/revoke$/,
      '/api/enrolments/:id/revoke',
      async (req, m) => {
        const body = await readJson(req, ['reason']);
        return json(200, await server.revokeEnrolment({ enrolmentId: m[1], ...(body.reason === undefined ? {} : { reason: body.reason }) }));
      },
    ],
    [
      'POST',
      /^\/api\/enrolments\/([A-Za-z0-9_-]{1,128})\/reissue$/,
      '/api/enrolments/:id/reissue',
      async (req, m) => {
        await readJson(req);
        const r = await server.reissueActivation({ enrolmentId: m[1] });
        return json(200, r.ok ? { ...r, activation: activationJson(r.activation) } : r);
      },
    ],
    [
      'POST',
      /^\/api\/enrolments\/([A-Za-z0-9_-]{1,128})\/unlock$/,
      '/api/enrolments/:id/unlock',
      async (req, m) => {
        await readJson(req);
        await server.unlockOtp(m[1]);
        return json(200, { ok: true });
      },
    ],
    [
      'GET',
      /^\/api\/users\/([^/]{1,1024})\/enrolments$/,
      '/api/users/:userId/enrolments',
      async (_req, m) => json(200, { enrolments: await server.listEnrolments(decodeSegment(m[1])) }),
    ],
    [
      'POST',
      /^\/api\/users\/([^/]{1,1024})\/resume-push$/,
      '/api/users/:userId/resume-push',
      async (req, m) => {
        await readJson(req);
        await server.resumePush(decodeSegment(m[1]));
        return json(200, { ok: true });
      },
    ],
    [
      'POST',
      /^\/api\/users\/([^/]{1,1024})\/rotate-keys$/,
      '/api/users/:userId/rotate-keys',
      async (req, m) => {
        await readJson(req);
        return json(200, await server.rotateKeys({ userId: decodeSegment(m[1]) }));
      },
    ],
    [
      'POST',
      /^\/api\/verify$/,
      '/api/verify',
      async (req) => {
        const body = await readJson(req, ['enrolmentId', 'userId', 'code']);
        const input = body.enrolmentId !== undefined ? { enrolmentId: body.enrolmentId, code: body.code } : { userId: body.userId, code: body.code };
        if (body.enrolmentId !== undefined && body.userId !== undefined) throw new HttpRefusal(400, 'ERR_ADMIN_MALFORMED');
        return json(200, await server.verifyOtp(input));
      },
    ],
    [
      'POST',
      /^\/api\/push$/,
      '/api/push',
      async (req) => {
        const body = await readJson(req, ['userId', 'context', 'numberMatch', 'enrolmentId', 'alert']);
        const { userId, context, numberMatch, enrolmentId, alert } = body;
        const o = {};
        if (numberMatch !== undefined) o.numberMatch = numberMatch;
        if (enrolmentId !== undefined) o.enrolmentId = enrolmentId;
        if (alert !== undefined) o.alert = alert;
        const r = await server.createPushChallenge({ userId, context, ...o });
        if (r.ok) await deliver(r);
        return json(200, r);
      },
    ],
    [
      'GET',
      /^\/api\/push\/([^/]{1,256})$/,
      '/api/push/:id',
      async (_req, m) => {
        const s = await server.getChallengeStatus(m[1]);
        return s ? json(200, s) : jsonError(404, 'ERR_ADMIN_NOT_FOUND');
      },
    ],
    [
      'GET',
      /^\/api\/audit$/,
      '/api/audit',
      async (_req, _m, url) => json(200, await server.queryAudit(auditQuery(url.searchParams))),
    ],
  ];

  function decodeSegment(s) {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new HttpRefusal(400, 'ERR_ADMIN_MALFORMED');
    }
  }

  function auditQuery(params) {
    const q = {};
    for (const name of ['userId', 'enrolmentId', 'cursor']) {
      const v = params.get(name);
      if (v !== null && v !== '') q[name] = v;
    }
    for (const name of ['limit', 'from', 'to']) {
      const v = params.get(name);
      if (v !== null && v !== '') {
        if (!/^[0-9]{1,16}$/.test(v)) throw new HttpRefusal(400, 'ERR_ADMIN_MALFORMED');
        q[name] = Number(v);
      }
    }
    return q;
  }

  async function deliver(challenge) {
    if (!deliverPush) return;
    try {
      await deliverPush(challenge);
    } catch (e) {
      // Delivery is best effort: the device also polls. Log the failure's class only.
      warn({ event: 'push_delivery_failed', error: typeof e?.name === 'string' ? e.name : 'Error' });
    }
  }

  // ---- HTML pages ---------------------------------------------------------------------------

  const page = (title, body, session, extra = {}) => html(200, layout({ title, body, session, issuer, ...extra }));

  function loginPage(status = 200, message = '') {
    return html(
      status,
      layout({
        title: 'Log in',
        issuer,
        body: `<section><h1>Log in</h1>${message ? `<p class="bad">${esc(message)}</p>` : ''}
<p class="note">The admin token was printed when the server started (or set with CLOUDMFA_ADMIN_TOKEN).</p>
<form method="post" action="/login"><label>Admin token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
<button>Log in</button></form></section>`,
      }),
    );
  }

  async function dashboard(session) {
    const recent = await server.queryAudit({ limit: 15 });
    const f = csrfField(session);
    return page(
      'Dashboard',
      `<h1>Dashboard</h1><p class="note">Store: ${esc(storeKind)}. Device API routes: <code>/v1/activations/redeem</code>, <code>/v1/push/respond</code>, <code>/v1/push/poll</code>, <code>/v1/push/challenges/{id}</code>.</p>
<div class="grid">
<section><h2>Enrol a user</h2><form method="post" action="/enrol">${f}
<label>User id <input name="userId" required maxlength="256"></label>
<label>Account shown in the app <input name="account" maxlength="128" placeholder="defaults to the user id"></label>
<label>Mode <select name="mode"><option value="online">online (CloudMFA app, no seed in the QR)</option><option value="offline">offline (seed in the envelope)</option><option value="otpauth">otpauth (Google Authenticator, Authy…)</option></select></label>
<button>Enrol</button></form></section>
<section><h2>Verify a code</h2><form method="post" action="/verify">${f}
<label>User id <input name="userId" required maxlength="256"></label>
<label>Code <input name="code" required maxlength="64" inputmode="numeric" autocomplete="one-time-code"></label>
<button>Verify</button></form></section>
<section><h2>Send a push</h2><form method="post" action="/push">${f}
<label>User id <input name="userId" required maxlength="256"></label>
<label>Service <input name="service" required maxlength="64" value="Example sign-in"></label>
<label>Message <input name="message" maxlength="200" placeholder="optional"></label>
<label><input type="checkbox" name="numberMatch" value="1" checked style="min-width:0"> number matching</label>
<button>Send</button></form></section>
<section><h2>Look up a user</h2><form method="get" action="/users">
<label>User id <input name="userId" required maxlength="256"></label><button>Show enrolments</button></form></section>
</div>
<section><h2>Recent audit entries</h2>${auditTable(recent.events)}<p><a href="/audit">Whole audit log</a></p></section>`,
      session,
    );
  }

  function auditTable(events) {
    if (events.length === 0) return '<p class="note">No entries.</p>';
    const rows = events
      .map(
        (e) =>
          `<tr${e.kind === 'otp.locked' || e.kind === 'push.suspicious' || e.kind === 'enrolment.double_redemption' ? ' class="risk"' : ''}><td class="mono">${esc(time(e.at))}</td><td>${esc(e.kind)}</td><td>${esc(e.userId ?? '')}</td><td class="mono">${esc(e.enrolmentId ?? '')}</td><td class="mono">${esc(JSON.stringify(e.detail))}</td></tr>`,
      )
      .join('');
    return `<table><thead><tr><th>Time</th><th>Kind</th><th>User</th><th>Enrolment</th><th>Detail</th></tr></thead><tbody>${rows}</tbody></table>`;
  }

  async function enrolPage(form, session) {
    const mode = form('mode') || 'online';
    const account = form('account');
    const a = await server.startActivation({ userId: form('userId'), mode, ...(account ? { account } : {}) });
    const png = `data:image/png;base64,${Buffer.from(a.qr.png).toString('base64')}`;
    const minutes = Math.round((a.expiresAt - clock()) / 60000);
    const secret =
      a.mode === 'otpauth'
        ? `<p>Scan with Google Authenticator, Authy or any TOTP app. This URI holds the seed: treat this page as a secret.</p><p class="mono">${esc(a.uri)}</p>${
            a.warnings.length ? `<p class="note">Warnings: ${esc(a.warnings.join(', '))}</p>` : ''
          }`
        : `<p>Password (send it on another channel than the QR):</p><p class="big mono">${esc(a.password)}</p>`;
    return page(
      'Enrolment',
      `<h1>Activation for ${esc(a.userId)}</h1><section>
<p>Mode <b>${esc(a.mode)}</b> · enrolment <code>${esc(a.enrolmentId)}</code> · expires ${esc(time(a.expiresAt))} (in about ${esc(minutes)} min)</p>
<img alt="activation QR code" width="288" height="288" src="${png}" style="image-rendering:pixelated">
${secret}
<p class="note">${a.mode === 'online' ? 'The QR carries no seed: the CloudMFA app redeems it once against the device API before it expires.' : 'The enrolment becomes active with the first correct code.'}</p>
</section>`,
      session,
    );
  }

  async function verifyPage(form, session) {
    const r = await server.verifyOtp({ userId: form('userId'), code: form('code') });
    return page('Verification', `<h1>Verify a code for ${esc(form('userId'))}</h1><section>${describeVerify(r)}</section><p><a href="/">Back</a></p>`, session);
  }

  async function pushPage(form, session) {
    const context = { service: form('service') };
    if (form('message')) context.message = form('message');
    const r = await server.createPushChallenge({ userId: form('userId'), context, numberMatch: form('numberMatch') === '1' });
    if (!r.ok) {
      const why = r.reason === 'paused' ? `pushes to this user are paused for another ${Math.ceil(r.retryAfterMs / 1000)} s (a push was marked suspicious)` : 'the user has no active device with a push key';
      return page('Push', `<h1>Push to ${esc(form('userId'))}</h1><section><p class="bad">Not sent: ${esc(why)}</p></section><p><a href="/">Back</a></p>`, session);
    }
    await deliver(r);
    // The number stays in this session (not in the URL, so not in the browser history).
    if (r.number) {
      if (session.numbers.size >= 32) session.numbers.delete(session.numbers.keys().next().value);
      session.numbers.set(r.challengeId, r.number);
    }
    return redirect(`/push/${encodeURIComponent(r.challengeId)}`);
  }

  async function pushStatusPage(id, session) {
    const s = await server.getChallengeStatus(id);
    if (!s) return html(404, layout({ title: 'Push', issuer, session, body: '<section><p class="bad">No such challenge.</p></section>' }));
    const pending = s.status === 'pending';
    const n = session.numbers.get(id) ?? null;
    return page(
      'Push',
      `<h1>Push challenge</h1><section>
${s.numberMatch && n && pending ? `<p>Number to type on the phone:</p><p class="big">${esc(n)}</p>` : ''}
<p>Status: <b class="${s.status === 'approved' ? 'ok' : pending ? '' : 'bad'}">${esc(s.status)}</b>${pending ? ' (this page refreshes every 2 s)' : ''}</p>
<p class="note">Challenge <code>${esc(s.id)}</code> · expires ${esc(time(s.expiresAt))}${s.finalizedAt ? ` · finalized ${esc(time(s.finalizedAt))}` : ''}</p>
<p class="note">Delivery: ${deliverPush ? 'APNs/FCM hook configured' : 'no APNs/FCM credentials configured; the app finds the challenge by polling /v1/push/poll'}.</p>
</section><p><a href="/">Back</a></p>`,
      session,
      pending ? { refreshSeconds: 2 } : {},
    );
  }

  async function userPage(userId, session) {
    const list = await server.listEnrolments(userId);
    const f = csrfField(session);
    const hidden = `${f}<input type="hidden" name="userId" value="${esc(userId)}">`;
    const rows = list
      .map(
        (e) => `<tr><td class="mono">${esc(e.id)}</td><td>${esc(e.status)}${e.expired ? ' (expired)' : ''}</td><td>${esc(e.mode)}</td><td>${esc(e.account)}</td>
<td>${e.device ? `${esc(e.device.platform)}${e.device.push ? ', push' : ''}` : ''}</td><td class="mono">${esc(time(e.createdAt))}</td><td class="mono">${esc(time(e.activatedAt))}</td><td>${esc(e.keyId ?? '')}</td>
<td>${
          e.status !== 'revoked'
            ? `<form method="post" action="/revoke">${hidden}<input type="hidden" name="enrolmentId" value="${esc(e.id)}"><button class="quiet">Revoke</button></form>
<form method="post" action="/unlock">${hidden}<input type="hidden" name="enrolmentId" value="${esc(e.id)}"><button class="quiet">Unlock</button></form>`
            : ''
        }</td></tr>`,
      )
      .join('');
    return page(
      'User',
      `<h1>Enrolments of ${esc(userId)}</h1><section>${
        list.length
          ? `<table><thead><tr><th>Id</th><th>Status</th><th>Mode</th><th>Account</th><th>Device</th><th>Created</th><th>Activated</th><th>KEK</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
          : '<p class="note">No enrolments.</p>'
      }
<form method="post" action="/resume">${hidden}<button class="quiet">Resume pushes</button></form></section>
<p><a href="/audit?userId=${encodeURIComponent(userId)}">Audit entries of this user</a></p>`,
      session,
    );
  }

  async function auditPage(params, session) {
    const p = await server.queryAudit({ ...auditQuery(params), limit: 100 });
    const next = p.cursor ? `<p><a href="/audit?${new URLSearchParams({ ...Object.fromEntries(params), cursor: p.cursor })}">Older entries</a></p>` : '';
    return page('Audit log', `<h1>Audit log${params.get('userId') ? ` of ${esc(params.get('userId'))}` : ''}</h1><section>${auditTable(p.events)}${next}</section>`, session);
  }

  async function handleHtml(req, url) {
    const path = url.pathname;
    const method = req.method;
    if (path === '/login') {
      if (method === 'GET') return { route: '/login', res: loginPage() };
      if (method !== 'POST') throw new HttpRefusal(405, 'ERR_ADMIN_METHOD', { allow: 'GET, POST' });
      if (foreignPost(req)) throw new HttpRefusal(403, 'ERR_ADMIN_FORBIDDEN');
      const form = await readForm(req);
      if (!secretEqual(form('token'), token)) return { route: '/login', res: loginPage(401, 'Wrong token.'), code: 'ERR_ADMIN_UNAUTHORIZED' };
      const { id } = newSession();
      return {
        route: '/login',
        res: redirect('/', { 'set-cookie': `${COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_MS / 1000}` }),
      };
    }

    const routes = {
      '/': ['GET'],
      '/audit': ['GET'],
      '/users': ['GET'],
      '/enrol': ['POST'],
      '/verify': ['POST'],
      '/push': ['POST'],
      '/revoke': ['POST'],
      '/unlock': ['POST'],
      '/resume': ['POST'],
      '/logout': ['POST'],
    };
    const pushStatus = /^\/push\/([A-Za-z0-9_-]{1,128})$/.exec(path);
    const route = pushStatus ? '/push/:id' : Object.hasOwn(routes, path) ? path : null;
    if (route === null) throw new HttpRefusal(404, 'ERR_ADMIN_NOT_FOUND');
    const methods = pushStatus ? ['GET'] : routes[path];
    if (!methods.includes(method)) throw new HttpRefusal(405, 'ERR_ADMIN_METHOD', { allow: methods.join(', ') });

    const session = sessionOf(req);
    if (method === 'GET') {
      if (!session) return { route, res: redirect('/login'), code: 'ERR_ADMIN_UNAUTHORIZED' };
      if (route === '/') return { route, res: await dashboard(session) };
      if (route === '/audit') return { route, res: await auditPage(url.searchParams, session) };
      if (route === '/users') return { route, res: await userPage(url.searchParams.get('userId') ?? '', session) };
      return { route, res: await pushStatusPage(pushStatus[1], session) };
    }

    // POST from a page: a live session, the page's CSRF token, and no foreign Origin.
    if (!session) return { route, res: loginPage(401, 'Your session has ended; log in again.'), code: 'ERR_ADMIN_UNAUTHORIZED' };
    if (foreignPost(req)) throw new HttpRefusal(403, 'ERR_ADMIN_FORBIDDEN');
    const form = await readForm(req);
    if (!secretEqual(form('csrf'), session.csrf)) throw new HttpRefusal(403, 'ERR_ADMIN_FORBIDDEN');

    if (route === '/logout') {
      for (const [k, s] of sessions) if (s === session) sessions.delete(k);
      return { route, res: redirect('/login', { 'set-cookie': `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0` }) };
    }
    if (route === '/enrol') return { route, res: await enrolPage(form, session) };
    if (route === '/verify') return { route, res: await verifyPage(form, session) };
    if (route === '/push') return { route, res: await pushPage(form, session) };
    const userId = form('userId');
    const back = `/users?userId=${encodeURIComponent(userId)}`;
    if (route === '/revoke') await server.revokeEnrolment({ enrolmentId: form('enrolmentId'), reason: 'admin' });
    else if (route === '/unlock') await server.unlockOtp(form('enrolmentId'));
    else await server.resumePush(userId);
    return { route, res: redirect(back) };
  }

  function refusalResponse(e, isApi) {
    const status = e.status;
    if (isApi) return jsonError(status, e.code, undefined, e.headers);
    return html(status, layout({ title: 'Refused', issuer, body: `<section><p class="bad">${esc(MESSAGES[e.code] ?? 'refused')}</p><p><a href="/">Back</a></p></section>` }), e.headers);
  }

  return async function adminHandler(req) {
    const url = new URL(req.url);
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    let route = null;
    let res;
    let code = null;
    try {
      if (!allowedHost(req.headers.get('host') ?? '')) throw new HttpRefusal(421, 'ERR_ADMIN_HOST');
      if (isApi) {
        const found = api.find(([, re]) => re.test(url.pathname));
        if (!found) throw new HttpRefusal(404, 'ERR_ADMIN_NOT_FOUND');
        route = found[2];
        const candidates = api.filter(([, re]) => re.test(url.pathname));
        const match = candidates.find(([m]) => m === req.method);
        if (!match) throw new HttpRefusal(405, 'ERR_ADMIN_METHOD', { allow: candidates.map(([m]) => m).join(', ') });
        if (!bearerOk(req)) throw new HttpRefusal(401, 'ERR_ADMIN_UNAUTHORIZED', { 'www-authenticate': 'Bearer' });
        res = await match[3](req, match[1].exec(url.pathname), url);
      } else {
        const r = await handleHtml(req, url);
        route = r.route;
        res = r.res;
        code = r.code ?? null;
      }
    } catch (e) {
      if (e instanceof HttpRefusal) {
        code = e.code;
        res = refusalResponse(e, isApi);
      } else if (isCloudMfaError(e, 'ERR_STORAGE_UNAVAILABLE')) {
        code = 'ERR_HTTP_UNAVAILABLE';
        res = isApi ? jsonError(503, code) : refusalResponse(new HttpRefusal(503, code), false);
      } else if (isMisuse(e)) {
        code = e.code;
        res = isApi
          ? jsonError(400, e.code, e.message)
          : html(400, layout({ title: 'Refused', issuer, body: `<section><p class="bad">Refused (${esc(e.code)}): ${esc(e.message)}</p><p><a href="/">Back</a></p></section>` }));
      } else {
        code = 'ERR_ADMIN_INTERNAL';
        warn({ event: 'admin_error', route, error: { name: typeof e?.name === 'string' ? e.name : 'Error', ...(typeof e?.code === 'string' ? { code: e.code } : {}) } });
        res = isApi ? jsonError(500, code) : refusalResponse(new HttpRefusal(500, code), false);
      }
    }
    return annotate(res, { route, code });
  };
}
