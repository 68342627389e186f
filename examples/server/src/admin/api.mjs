// The admin JSON API (bearer token), one route per facade admin operation.
import { checkRecipient, emailOutcome } from '../email.mjs';
import { auditQuery } from './audit.mjs';
import { HttpRefusal, json, jsonError, readJson } from './http.mjs';
import { deliver } from './push.mjs';

/** Plain JSON for a StartedActivation (the PNG as base64). */
function activationJson(a) {
  return { ...a, qr: { svg: a.qr.svg, png: Buffer.from(a.qr.png).toString('base64') } };
}

/**
 * A facade result as the API answers it: 200, or 429 with `Retry-After` (whole seconds, rounded
 * up) for a rate limit of `policy.rateLimits` (docs/server.md section 12.2), the body the result.
 */
function facadeAnswer(r) {
  if (!r.ok && r.reason === 'rate_limited') return json(429, r, { 'retry-after': String(Math.max(1, Math.ceil(r.retryAfterMs / 1000))) });
  return json(200, r);
}

function decodeSegment(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new HttpRefusal(400, 'ERR_ADMIN_MALFORMED');
  }
}

/**
 * The JSON API's routes: `[method, path pattern, route label, handler]`.
 *
 * @param {{ server: import('@cloudmfa/server').MfaServer, storeKind: string, mailer: ReturnType<typeof import('../email.mjs').createMailer> }} ctx
 * @returns {Array<[string, RegExp, string, (req: Request, m: RegExpExecArray, url: URL) => Promise<Response>]>}
 */
export function apiRoutes(ctx) {
  const { server, storeKind } = ctx;
  return [
    ['GET', /^\/api\/health$/, '/api/health', async () => json(200, { status: 'ok', store: storeKind })],
    [
      'POST',
      /^\/api\/enrolments$/,
      '/api/enrolments',
      async (req) => {
        const body = await readJson(req, ['userId', 'mode', 'account', 'otp', 'lifetimeSeconds', 'email']);
        const { userId, email: to, ...rest } = body;
        if (to !== undefined) checkRecipient(to);
        const a = await server.startActivation({ userId, ...rest });
        return json(201, { ...activationJson(a), ...(to === undefined ? {} : { email: await emailOutcome(ctx.mailer, a, to) }) });
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
        const body = await readJson(req, ['enrolmentId', 'userId', 'code', 'clientIp']);
        const input = body.enrolmentId !== undefined ? { enrolmentId: body.enrolmentId, code: body.code } : { userId: body.userId, code: body.code };
        if (body.enrolmentId !== undefined && body.userId !== undefined) throw new HttpRefusal(400, 'ERR_ADMIN_MALFORMED');
        if (body.clientIp !== undefined) input.clientIp = body.clientIp;
        return facadeAnswer(await server.verifyOtp(input));
      },
    ],
    [
      'POST',
      /^\/api\/push$/,
      '/api/push',
      async (req) => {
        const body = await readJson(req, ['userId', 'context', 'numberMatch', 'enrolmentId', 'alert', 'clientIp']);
        const { userId, context, numberMatch, enrolmentId, alert, clientIp } = body;
        const o = {};
        if (numberMatch !== undefined) o.numberMatch = numberMatch;
        if (enrolmentId !== undefined) o.enrolmentId = enrolmentId;
        if (alert !== undefined) o.alert = alert;
        if (clientIp !== undefined) o.clientIp = clientIp;
        const r = await server.createPushChallenge({ userId, context, ...o });
        if (r.ok) await deliver(ctx, r);
        return facadeAnswer(r);
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
}
