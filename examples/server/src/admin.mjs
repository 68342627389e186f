// The admin surface (docs/guides/reference-server.md section 4): HTML pages behind a session
// cookie and the SDK's admin API (`createAdminHandler`, docs/server.md 7.4) below /api behind a
// bearer token, both only on 127.0.0.1; the OpenAPI document at /openapi.json and its rendered
// reference at /api-reference. The pages call the facade's admin operations themselves.
//
// Rules kept here: the token and session ids are compared in constant time over SHA-256
// digests; every form carries the session's CSRF token; Host must name the loopback listener
// (DNS rebinding); every response is no-store with a strict CSP; every value from a request or
// a store is escaped; error messages are fixed strings or the facade's own (which name fields,
// never values); nothing here logs a body, a token, a code or a password.
//
// This file routes and applies the rules that hold for every request (Host, method, session,
// CSRF, Origin); each page and the JSON API live in ./admin/.
import { isCloudMfaError, systemRandom } from '@cloudmfa/core';
import { createAdminHandler as createAdminApi, createOpenApiDocument } from '@cloudmfa/server';
import { emailOutcome } from './email.mjs';
import { esc, layout } from './html.mjs';
import { annotate, remoteAddressOf } from './nodeHttp.mjs';
import { renderApiReference } from './admin/reference.mjs';
import { auditPage } from './admin/audit.mjs';
import { dashboard } from './admin/dashboard.mjs';
import { enrolPage } from './admin/enrol.mjs';
import { HttpRefusal, MESSAGES, SECURITY_HEADERS, html, isMisuse, json, jsonError, readForm, redirect, secretEqual } from './admin/http.mjs';
import { loginPage } from './admin/login.mjs';
import { deliver, pushPage, pushStatusPage } from './admin/push.mjs';
import { COOKIE, SESSION_MS, createSessions } from './admin/sessions.mjs';
import { createLoginThrottle } from './admin/throttle.mjs';
import { userPage } from './admin/users.mjs';
import { verifyPage } from './admin/verify.mjs';

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
 *   mailer: ReturnType<typeof import('./email.mjs').createMailer>,
 *   warn?: (entry: object) => void,
 * }} options
 */
/** Who the admin token and the admin sessions act as in the audit log. */
const PRINCIPAL = 'admin';

export function createAdminHandler(options) {
  const { server, token, issuer, storeKind, port, clock, random = systemRandom, deliverPush, mailer, warn = () => {} } = options;
  // The pages act as the same principal as the API: the audit log names it (`detail.actor`).
  const ctx = { server: server.withActor(PRINCIPAL), issuer, storeKind, clock, deliverPush, mailer, warn };
  const { sessionOf, newSession, endSession } = createSessions({ clock, random });

  const allowedHost = (host) => host === `127.0.0.1:${port()}` || host === `localhost:${port()}`;
  const sameOrigin = (origin) => origin === `http://127.0.0.1:${port()}` || origin === `http://localhost:${port()}`;
  const sameOriginUrl = (url) => {
    try {
      return sameOrigin(new URL(url).origin);
    } catch {
      return false;
    }
  };
  // A POST from another site (section 4.2); applies to every POST, /login included. A browser
  // that sends Fetch Metadata says where the request came from in Sec-Fetch-Site, and that is
  // what counts: same-origin (or none, a request the user started) passes. Its Origin may then
  // be `null` (Chromium sends `Origin: null` on a same-origin form post under a no-referrer
  // policy) but never another origin. Without Sec-Fetch-Site (older browsers) the Origin must
  // be ours, `null` included in the refusal, and without either a Referer, when sent, must be
  // ours. A request with none of the three is not a browser's cross-site form post: it still
  // needs the session cookie (SameSite=Strict) and the CSRF token.
  const foreignPost = (req) => {
    const site = req.headers.get('sec-fetch-site');
    const origin = req.headers.get('origin');
    if (site !== null) return (site !== 'same-origin' && site !== 'none') || (origin !== null && origin !== 'null' && !sameOrigin(origin));
    if (origin !== null) return !sameOrigin(origin);
    const referer = req.headers.get('referer');
    return referer !== null && !sameOriginUrl(referer);
  };

  // Wrong tokens (a login form or a bearer token) count per client address and in all; while a
  // count is at its limit no token is compared, so a guess is never confirmed (section 4.3).
  const throttle = createLoginThrottle({ clock });
  const retryAfter = (ms) => ({ 'retry-after': String(Math.ceil(ms / 1000)) });

  // The API's authorisation (the SDK's `authorize` hook): the bearer token, compared in constant
  // time, wrong ones counted by the login throttle. The principal is what the audit log names.
  function authorize(req) {
    const h = req.headers.get('authorization');
    if (!h || !h.startsWith('Bearer ')) return { ok: false, reason: 'unauthenticated', challenge: 'Bearer' };
    const address = remoteAddressOf(req);
    const wait = throttle.retryAfterMs(address);
    if (wait > 0) return { ok: false, reason: 'throttled', retryAfterMs: wait };
    if (!secretEqual(h.slice(7), token)) {
      throttle.fail(address);
      return { ok: false, reason: 'unauthenticated', challenge: 'Bearer' };
    }
    return { ok: true, principal: PRINCIPAL, organisations: 'all' };
  }

  // The SDK's admin routes below /api (/api/v1/admin/orgs/default/...). Its log entry is kept
  // per request and attached to the answer for the listener's log line.
  const entries = new WeakMap();
  const api = createAdminApi({
    server,
    basePath: '/api',
    authorize,
    sendActivationEmail: ({ activation, to }) => emailOutcome(mailer, activation, to),
    deliverPush: ({ challenge }) => deliver(ctx, challenge),
    log: (entry, req) => entries.set(req, entry),
  });
  const document = createOpenApiDocument({ basePath: '/api', title: `CloudMFA reference server: ${issuer}`, adminSecurity: { type: 'http', scheme: 'bearer' } });
  const documentJson = JSON.stringify(document, null, 2);
  const reference = renderApiReference(document);

  async function handleApi(req, url) {
    if (url.pathname === '/api/health') {
      if (req.method !== 'GET') throw new HttpRefusal(405, 'ERR_ADMIN_METHOD', { allow: 'GET' });
      const a = authorize(req);
      if (!a.ok) {
        if (a.reason === 'throttled') throw new HttpRefusal(429, 'ERR_ADMIN_THROTTLED', retryAfter(a.retryAfterMs));
        throw new HttpRefusal(401, 'ERR_ADMIN_UNAUTHORIZED', { 'www-authenticate': 'Bearer' });
      }
      return { route: '/api/health', res: json(200, { status: 'ok', store: storeKind }) };
    }
    const answer = await api(req);
    const entry = entries.get(req);
    // The SDK's answer with this surface's security headers added.
    const headers = new Headers(answer.headers);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!headers.has(name)) headers.set(name, value);
    return { route: entry?.route ?? null, code: entry?.code ?? null, res: new Response(answer.body, { status: answer.status, headers }) };
  }

  async function handleHtml(req, url) {
    const path = url.pathname;
    const method = req.method;
    if (path === '/login') {
      if (method === 'GET') return { route: '/login', res: loginPage(ctx) };
      if (method !== 'POST') throw new HttpRefusal(405, 'ERR_ADMIN_METHOD', { allow: 'GET, POST' });
      if (foreignPost(req)) throw new HttpRefusal(403, 'ERR_ADMIN_FORBIDDEN');
      const form = await readForm(req);
      const address = remoteAddressOf(req);
      const wait = throttle.retryAfterMs(address);
      if (wait > 0) {
        const seconds = Math.ceil(wait / 1000);
        return { route: '/login', res: loginPage(ctx, 429, `Too many wrong tokens: try again in ${seconds} s.`, retryAfter(wait)), code: 'ERR_ADMIN_THROTTLED' };
      }
      if (!secretEqual(form('token'), token)) {
        throttle.fail(address);
        return { route: '/login', res: loginPage(ctx, 401, 'Wrong token.'), code: 'ERR_ADMIN_UNAUTHORIZED' };
      }
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
      if (route === '/') return { route, res: await dashboard(ctx, session) };
      if (route === '/audit') return { route, res: await auditPage(ctx, url.searchParams, session) };
      if (route === '/users') return { route, res: await userPage(ctx, url.searchParams.get('userId') ?? '', session) };
      return { route, res: await pushStatusPage(ctx, pushStatus[1], session) };
    }

    // POST from a page: a live session, the page's CSRF token, and no foreign Origin.
    if (!session) return { route, res: loginPage(ctx, 401, 'Your session has ended; log in again.'), code: 'ERR_ADMIN_UNAUTHORIZED' };
    if (foreignPost(req)) throw new HttpRefusal(403, 'ERR_ADMIN_FORBIDDEN');
    const form = await readForm(req);
    if (!secretEqual(form('csrf'), session.csrf)) throw new HttpRefusal(403, 'ERR_ADMIN_FORBIDDEN');

    if (route === '/logout') {
      endSession(session);
      return { route, res: redirect('/login', { 'set-cookie': `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0` }) };
    }
    if (route === '/enrol') return { route, res: await enrolPage(ctx, form, session) };
    if (route === '/verify') return { route, res: await verifyPage(ctx, form, session) };
    if (route === '/push') return { route, res: await pushPage(ctx, form, session) };
    const userId = form('userId');
    const back = `/users?userId=${encodeURIComponent(userId)}`;
    if (route === '/revoke') await ctx.server.revokeEnrolment({ enrolmentId: form('enrolmentId'), reason: 'admin' });
    else if (route === '/unlock') await ctx.server.unlockOtp(form('enrolmentId'));
    else await ctx.server.resumePush(userId);
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
      if (url.pathname === '/openapi.json' || url.pathname === '/api-reference') {
        route = url.pathname;
        if (req.method !== 'GET') throw new HttpRefusal(405, 'ERR_ADMIN_METHOD', { allow: 'GET' });
        res = url.pathname === '/openapi.json' ? new Response(documentJson, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS } }) : html(200, reference);
      } else if (isApi) {
        const r = await handleApi(req, url);
        route = r.route;
        res = r.res;
        code = r.code ?? null;
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
