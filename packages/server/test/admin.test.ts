// The admin routes (docs/server.md 7.4) over both adapters, each answer checked against the
// OpenAPI document (adapters.ts): authorisation by the caller's hook, organisation scoping, the
// enrolment lifecycle, verify, unlock, push, audit paging with the principal on every entry the
// admin actions wrote, key status and rotation, and the refusals.
import { createSoftwareSigner, encodeBase32 } from '@cloudmfa/core';
import { openRedemptionResponse } from '@cloudmfa/activation';
import { describe, expect, it } from 'vitest';
import type { AdminAuthorization, HttpLogEntry, StartedActivation } from '../src/index.js';
import { ADAPTERS, type AdminAdapterOptions } from './adapters.js';
import { answerPush, codeAt, makeDevice, makeServer, ORIGIN, prepareRedemption, seededRandom, testCrypto } from './helpers.js';

const BASE = `${ORIGIN}/admin`;
const ORG = '/v1/admin/orgs/default';
const TOKENS: Record<string, AdminAuthorization> = {
  'op-all': { ok: true, principal: 'ops:alice', organisations: 'all' },
  'op-default': { ok: true, principal: 'ops:bob', organisations: ['default'] },
  'op-other': { ok: true, principal: 'ops:carol', organisations: ['other'] },
  'op-globex': { ok: true, principal: 'ops:dave', organisations: ['globex', 'initech'] },
};

/** The test's hook: a bearer token looked up in TOKENS; `slow` is throttled, `bad-shape` answers junk. */
const authorize: AdminAdapterOptions['authorize'] = (header) => {
  const h = header('authorization');
  if (h === 'Bearer slow') return { ok: false, reason: 'throttled', retryAfterMs: 2500 };
  if (h === 'Bearer banned') return { ok: false, reason: 'forbidden' };
  if (h === 'Bearer bad-shape') return { ok: true, principal: '', organisations: 'all' } as AdminAuthorization;
  if (h === 'Bearer throws') throw new Error('hook bug with a secret-ish message');
  return (h?.startsWith('Bearer ') && TOKENS[h.slice(7)]) || { ok: false, reason: 'unauthenticated', challenge: 'Bearer realm="cloudmfa"' };
};

describe.each(ADAPTERS)('admin routes: $name', (adapter) => {
  function setup(options: Partial<AdminAdapterOptions> = {}) {
    // Every organisation gets its own KEK and push key (docs/server.md section 15).
    const t = makeServer({
      organisationKeys: (id) => ({
        kek: { current: `${id}-k1`, keys: { [`${id}-k1`]: new Uint8Array(32).fill(id.length) } },
        push: createSoftwareSigner({ algorithm: 'ES256', random: seededRandom(`push-key-${id}`) }),
      }),
    });
    const logs: HttpLogEntry[] = [];
    const handler = adapter.createAdmin(t.server, { basePath: '/admin', authorize, log: (e) => logs.push(e), ...options });
    const device = adapter.create(t.server, {});
    const bodies: string[] = [];
    const call = async (method: string, path: string, body?: unknown, token = 'op-all', headers: Record<string, string> = {}) => {
      const res = await handler(
        new Request(`${BASE}${path}`, {
          method,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
          ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        }),
      );
      const text = await res.text();
      bodies.push(text);
      return { status: res.status, headers: res.headers, json: JSON.parse(text) };
    };
    /** Enrols `userId` online through the admin route and redeems it through the device route. */
    const enrol = async (userId: string, org = ORG, token = 'op-all') => {
      const started = await call('POST', `${org}/enrolments`, { userId, account: `${userId}@acme.example` }, token);
      expect(started.status).toBe(201);
      const phone = makeDevice(userId);
      const { request, state } = await prepareRedemption(t, started.json as StartedActivation, phone);
      let response: unknown;
      if (org === ORG) {
        const redeemed = await device(new Request(`${ORIGIN}/v1/activations/redeem`, { method: 'POST', body: JSON.stringify(request), headers: { 'content-type': 'application/json' } }));
        expect(redeemed.status).toBe(200);
        response = await redeemed.json();
      } else {
        // Another organisation's app redeems through that organisation's facade (the device
        // handler here serves the default one).
        const r = await (await t.server.forOrganisation(org.split('/').pop() as string)).completeActivation({ request });
        if (!r.ok) throw new Error(r.reason);
        response = r.response;
      }
      const identity = await openRedemptionResponse({ response, state, crypto: testCrypto });
      return { started: started.json, identity, phone };
    };
    return { t, handler, logs, call, enrol, bodies, device };
  }

  it('a verify or push refused by policy.rateLimits is 429 with Retry-After and its result, as the document says', async () => {
    const t = makeServer({ policy: { rateLimits: { verify: { perIp: { limit: 1, windowMs: 60_000 } }, push: { perUser: { limit: 1, windowMs: 60_000 } } } } });
    const handler = adapter.createAdmin(t.server, { basePath: '/admin', authorize });
    const post = async (path: string, body: unknown) => {
      const res = await handler(new Request(`${BASE}${ORG}${path}`, { method: 'POST', headers: { authorization: 'Bearer op-all', 'content-type': 'application/json' }, body: JSON.stringify(body) }));
      return { status: res.status, retryAfter: res.headers.get('retry-after'), json: JSON.parse(await res.text()) };
    };
    expect(await post('/verify', { userId: 'alice', code: '123456', clientIp: '203.0.113.7' })).toMatchObject({ status: 200, json: { ok: false, reason: 'not_found' } });
    const limited = await post('/verify', { userId: 'bob', code: '123456', clientIp: '203.0.113.7' });
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ ok: false, reason: 'rate_limited', scope: 'ip' });
    expect(Number(limited.retryAfter)).toBe(Math.max(1, Math.ceil(limited.json.retryAfterMs / 1000)));
    expect((await post('/push', { userId: 'carol', context: { service: 'VPN' } })).json).toEqual({ ok: false, reason: 'no_device' });
    const pushLimited = await post('/push', { userId: 'carol', context: { service: 'VPN' } });
    expect([pushLimited.status, pushLimited.json.reason, pushLimited.json.scope]).toEqual([429, 'rate_limited', 'user']);
  });

  it('authorisation is the hook’s: 401 with its challenge, 403, 429 with Retry-After, organisations it may not act on', async () => {
    const { call, logs } = setup();
    const none = await call('GET', `${ORG}/enrolments?userId=alice`, undefined, '');
    expect([none.status, none.json.error.code, none.headers.get('www-authenticate')]).toEqual([401, 'ERR_ADMIN_UNAUTHORIZED', 'Bearer realm="cloudmfa"']);
    expect((await call('GET', `${ORG}/enrolments?userId=alice`, undefined, 'wrong')).status).toBe(401);
    const banned = await call('GET', `${ORG}/enrolments?userId=alice`, undefined, 'banned');
    expect([banned.status, banned.json.error.code]).toEqual([403, 'ERR_ADMIN_FORBIDDEN']);
    const slow = await call('GET', `${ORG}/enrolments?userId=alice`, undefined, 'slow');
    expect([slow.status, slow.json.error.code, slow.headers.get('retry-after')]).toEqual([429, 'ERR_ADMIN_THROTTLED', '3']);
    // Another organisation's principal: 403, before anything is read.
    const other = await call('POST', `${ORG}/enrolments`, { userId: 'mallory' }, 'op-other');
    expect([other.status, other.json.error.code]).toEqual([403, 'ERR_ADMIN_FORBIDDEN']);
    // An organisation that is not served: 403 for a principal of others, 404 for one of all.
    expect((await call('GET', '/v1/admin/orgs/nowhere/enrolments?userId=a', undefined, 'op-default')).status).toBe(403);
    const nowhere = await call('GET', '/v1/admin/orgs/nowhere/enrolments?userId=a');
    expect([nowhere.status, nowhere.json.error.code]).toEqual([404, 'ERR_ADMIN_NOT_FOUND']);
    // The hook's bugs are 500s, logged with the class and code only.
    const bad = await call('GET', `${ORG}/keys`, undefined, 'bad-shape');
    expect([bad.status, bad.json.error.code]).toEqual([500, 'ERR_HTTP_INTERNAL']);
    expect(logs.at(-1)).toEqual({ method: 'GET', route: '/v1/admin/orgs/{orgId}/keys', status: 500, code: 'ERR_HTTP_INTERNAL', error: { name: 'CloudMfaError', code: 'ERR_SERVER_CONFIG' } });
    expect((await call('GET', `${ORG}/keys`, undefined, 'throws')).status).toBe(500);
    expect(JSON.stringify(logs)).not.toContain('secret-ish');
    expect((await call('GET', `${ORG}/keys`, undefined, 'op-default')).status).toBe(200);
  });

  it('enrols, lists with paging, gets, verifies, locks and unlocks; the admin’s entries carry the principal', async () => {
    const { t, call, enrol, bodies } = setup();
    const alice = await enrol('alice');
    expect(alice.started).toMatchObject({ userId: 'alice', mode: 'online', uri: null, warnings: [] });
    expect(alice.started.text).toMatch(/^CMFA:/);
    expect(alice.started.password).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(Buffer.from(alice.started.qr.png, 'base64').subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    await call('POST', `${ORG}/enrolments`, { userId: 'alice', mode: 'otpauth' });
    await call('POST', `${ORG}/enrolments`, { userId: 'alice', mode: 'offline' });

    const first = await call('GET', `${ORG}/enrolments?userId=alice&limit=2`);
    expect(first.json.enrolments.map((e: { mode: string }) => e.mode)).toEqual(['online', 'otpauth']);
    expect(first.json.cursor).toEqual(expect.any(String));
    const second = await call('GET', `${ORG}/enrolments?userId=alice&limit=2&cursor=${encodeURIComponent(first.json.cursor)}`);
    expect([second.json.enrolments.map((e: { mode: string }) => e.mode), second.json.cursor]).toEqual([['offline'], null]);
    const one = await call('GET', `${ORG}/enrolments/${alice.identity.enrolmentId}`);
    expect(one.json).toMatchObject({ id: alice.identity.enrolmentId, status: 'active', device: { platform: 'ios', push: true }, keyId: 'k1' });
    expect((await call('GET', `${ORG}/enrolments/AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
    expect((await call('GET', `${ORG}/enrolments/bad%20id`)).json.error.code).toBe('ERR_HTTP_MALFORMED');

    const code = codeAt(t, alice.identity.seed);
    const ok = await call('POST', `${ORG}/verify`, { userId: 'alice', code });
    expect(ok.json).toMatchObject({ ok: true, enrolmentId: alice.identity.enrolmentId, method: 'totp', delta: 0 });
    expect((await call('POST', `${ORG}/verify`, { enrolmentId: alice.identity.enrolmentId, code })).json).toEqual({ ok: false, reason: 'replayed', enrolmentId: alice.identity.enrolmentId });
    // What a user typed is a typed refusal, whatever it is.
    expect((await call('POST', `${ORG}/verify`, { userId: 'alice', code: '<script>' })).json).toMatchObject({ ok: false, reason: 'invalid', detail: 'format' });
    t.clock.advance(30_000);
    // Wrong codes until the lockout (15 min): each delay waited out, the lockout not.
    for (let i = 0; i < 12; i++) {
      const r = await call('POST', `${ORG}/verify`, { enrolmentId: alice.identity.enrolmentId, code: '000000' });
      expect(r.json).toMatchObject({ ok: false, reason: 'invalid' });
      if (r.json.retryAfterMs >= 900_000) break;
      if (r.json.retryAfterMs) t.clock.advance(r.json.retryAfterMs);
    }
    const locked = await call('POST', `${ORG}/verify`, { enrolmentId: alice.identity.enrolmentId, code: codeAt(t, alice.identity.seed) });
    expect(locked.json.reason).toBe('locked');
    expect((await call('POST', `${ORG}/enrolments/${alice.identity.enrolmentId}/unlock`, {}, 'op-default')).json).toEqual({ ok: true });
    expect((await call('POST', `${ORG}/verify`, { enrolmentId: alice.identity.enrolmentId, code: codeAt(t, alice.identity.seed) })).json.ok).toBe(true);
    expect((await call('POST', `${ORG}/enrolments/AAAAAAAAAAAAAAAAAAAAAA/unlock`, {})).status).toBe(404);

    // Audit, newest first, paged; what the admin actions wrote names who acted.
    const seen: Array<{ kind: string; detail: Record<string, unknown> }> = [];
    let cursor: string | null = null;
    do {
      const page: { json: { events: typeof seen; cursor: string | null } } = await call('GET', `${ORG}/audit?userId=alice&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.json.events.length).toBeLessThanOrEqual(3);
      seen.push(...page.json.events);
      cursor = page.json.cursor;
    } while (cursor);
    expect(seen.filter((e) => e.kind === 'enrolment.issued').map((e) => e.detail.actor)).toEqual(['ops:alice', 'ops:alice', 'ops:alice']);
    expect(seen.find((e) => e.kind === 'otp.unlocked')?.detail.actor).toBe('ops:bob');
    expect(seen.filter((e) => e.kind === 'otp.accepted').map((e) => e.detail.actor)).toEqual(['ops:alice', 'ops:alice']);
    // The redemption came from the device, not an admin.
    expect(seen.find((e) => e.kind === 'enrolment.redeemed')?.detail.actor).toBeUndefined();
    const ranged = await call('GET', `${ORG}/audit?userId=alice&from=${t.clock() + 1}`);
    expect(ranged.json).toEqual({ events: [], cursor: null });

    // No answer ever carried the seed.
    const seed = alice.identity.seed;
    for (const b of bodies) {
      expect(b).not.toContain(encodeBase32(seed));
      expect(b).not.toContain(Buffer.from(seed).toString('base64url'));
      expect(b).not.toContain(Buffer.from(seed).toString('base64'));
    }
  });

  it('pushes: the number for the login page, the status, the pause lifted; the delivery hook is best effort', async () => {
    const delivered: string[] = [];
    const { t, call, enrol, device } = setup({
      deliverPush: ({ challenge, principal, organisationId }) => {
        delivered.push(`${challenge.challengeId}:${principal}:${organisationId}`);
        throw new Error('APNs down');
      },
    });
    const alice = await enrol('alice');
    const push = await call('POST', `${ORG}/push`, { userId: 'alice', context: { service: 'Acme VPN', message: 'Sign in' }, numberMatch: true });
    expect(push.json).toMatchObject({ ok: true, enrolmentId: alice.identity.enrolmentId, pushToken: 'apns-alice', platform: 'ios' });
    expect(delivered).toEqual([`${push.json.challengeId}:ops:alice:default`]);
    const status = await call('GET', `${ORG}/push/${push.json.challengeId}`);
    expect(status.json).toEqual({ id: push.json.challengeId, status: 'pending', expiresAt: push.json.expiresAt, finalizedAt: null, numberMatch: true });
    expect((await call('GET', `${ORG}/push/AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);

    const response = await answerPush(t, alice.identity, alice.phone, push.json.token, 'suspicious');
    expect((await device(new Request(`${ORIGIN}/v1/push/respond`, { method: 'POST', body: JSON.stringify({ response }), headers: { 'content-type': 'application/json' } }))).status).toBe(200);
    expect((await call('GET', `${ORG}/push/${push.json.challengeId}`)).json.status).toBe('denied');
    const paused = await call('POST', `${ORG}/push`, { userId: 'alice', context: { service: 'Acme VPN' } });
    expect(paused.json).toMatchObject({ ok: false, reason: 'paused' });
    expect((await call('POST', `${ORG}/push/resume`, { userId: 'alice' }, 'op-default')).json).toEqual({ ok: true });
    expect((await call('POST', `${ORG}/push`, { userId: 'alice', context: { service: 'Acme VPN' } })).json.ok).toBe(true);
    expect((await call('POST', `${ORG}/push`, { userId: 'nobody', context: { service: 'VPN' } })).json).toEqual({ ok: false, reason: 'no_device' });
    const audit = await call('GET', `${ORG}/audit?userId=alice`);
    expect(audit.json.events.find((e: { kind: string }) => e.kind === 'push.resumed').detail).toEqual({ actor: 'ops:bob' });
    // A context the push package refuses: 400 with its own code, and a message that names the field, not the value.
    const bad = await call('POST', `${ORG}/push`, { userId: 'alice', context: { service: 'x'.repeat(65) } });
    expect([bad.status, bad.json.error.code]).toEqual([400, 'ERR_PUSH_CONTEXT_TOO_LARGE']);
    expect(bad.json.error.message).not.toContain('xxxx');
  });

  it('re-issues and revokes; keys: the status and the rotation', async () => {
    const { call, enrol, t } = setup();
    const bob = await enrol('bob');
    const reissued = await call('POST', `${ORG}/enrolments/${bob.identity.enrolmentId}/reissue`, { mode: 'otpauth' });
    expect(reissued.json).toMatchObject({ ok: true, revoked: true, activation: { userId: 'bob', mode: 'otpauth', password: null } });
    expect(reissued.json.activation.uri).toMatch(/^otpauth:\/\/totp\//);
    expect((await call('POST', `${ORG}/enrolments/AAAAAAAAAAAAAAAAAAAAAA/reissue`, {})).status).toBe(404);
    const again = await call('POST', `${ORG}/enrolments/${bob.identity.enrolmentId}/revoke`, { reason: 'lost_phone' });
    expect(again.json).toEqual({ ok: false, reason: 'already_revoked' });
    const fresh = reissued.json.activation.enrolmentId;
    expect((await call('POST', `${ORG}/enrolments/${fresh}/revoke`, { reason: 'lost_phone' })).json).toEqual({ ok: true });
    expect((await call('POST', `${ORG}/enrolments/AAAAAAAAAAAAAAAAAAAAAA/revoke`, {})).status).toBe(404);
    const revokedEntry = (await call('GET', `${ORG}/audit?enrolmentId=${fresh}`)).json.events.find((e: { kind: string }) => e.kind === 'enrolment.revoked');
    expect(revokedEntry.detail).toEqual({ reason: 'lost_phone', actor: 'ops:alice' });

    const carol = await enrol('carol');
    const status = await call('GET', `${ORG}/keys?userId=carol`);
    expect(status.json).toEqual({ currentKeyId: 'k1', enrolments: [{ enrolmentId: carol.identity.enrolmentId, keyId: 'k1', current: true }], stale: 0 });
    expect((await call('GET', `${ORG}/keys`)).json).toEqual({ currentKeyId: 'k1', enrolments: [], stale: 0 });
    expect((await call('GET', `${ORG}/keys?userId=carol&enrolmentId=${carol.identity.enrolmentId}`)).status).toBe(400);
    expect((await call('POST', `${ORG}/keys/rotate`, { userId: 'carol' })).json).toEqual({ examined: 1, rewrapped: 0, current: 1, failed: 0 });
    expect((await call('POST', `${ORG}/keys/rotate`, { enrolmentId: carol.identity.enrolmentId })).json.examined).toBe(1);
    expect(t.events.length).toBeGreaterThan(0);
  });

  it('the activation email goes through the hook; without one, a request with "email" issues nothing', async () => {
    const without = setup();
    const refused = await without.call('POST', `${ORG}/enrolments`, { userId: 'dave', email: 'dave@acme.example' });
    expect([refused.status, refused.json.error.code]).toEqual([400, 'ERR_ADMIN_EMAIL_UNAVAILABLE']);
    expect((await without.call('GET', `${ORG}/enrolments?userId=dave`)).json.enrolments).toEqual([]);
    const sent: string[] = [];
    const withHook = setup({
      sendActivationEmail: ({ activation, to, principal }) => {
        sent.push(`${activation.userId}:${to}:${principal}`);
        return { sent: true };
      },
    });
    const ok = await withHook.call('POST', `${ORG}/enrolments`, { userId: 'dave', email: 'Dave <dave@acme.example>' });
    expect([ok.status, ok.json.email]).toEqual([201, { sent: true }]);
    expect(sent).toEqual(['dave:Dave <dave@acme.example>:ops:alice']);
    // An address that would inject a header never reaches the hook, and nothing is issued.
    const injected = await withHook.call('POST', `${ORG}/enrolments`, { userId: 'erin', email: 'e@acme.example\r\nBcc: x@evil.example' });
    expect([injected.status, injected.json.error.code]).toEqual([400, 'ERR_HTTP_MALFORMED']);
    expect((await withHook.call('GET', `${ORG}/enrolments?userId=erin`)).json.enrolments).toEqual([]);
  });

  it('routing, methods, media types, sizes, queries and shapes', async () => {
    const { call, handler, logs } = setup();
    expect((await call('GET', '/v1/admin/nothing')).json.error.code).toBe('ERR_HTTP_NOT_FOUND');
    const method = await call('PUT', `${ORG}/enrolments`, {});
    expect([method.status, method.headers.get('allow')]).toEqual([405, 'GET, POST']);
    expect((await call('POST', `${ORG}/verify`, 'x', 'op-all', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await call('POST', `${ORG}/verify`, '{"userId":')).json.error.code).toBe('ERR_HTTP_MALFORMED');
    expect((await call('POST', `${ORG}/verify`, { userId: 'a', code: 'x'.repeat(20_000) })).status).toBe(413);
    for (const body of [[1], { userId: 'a', code: '1', window: 5 }, { userId: 'a', enrolmentId: 'b', code: '1' }, { code: '1' }, { userId: 'a', code: { $gt: '' } }]) {
      expect((await call('POST', `${ORG}/verify`, body)).json.error.code).toBe('ERR_HTTP_MALFORMED');
    }
    expect((await call('POST', `${ORG}/enrolments`, { userId: 'bob', mode: 'carrier-pigeon' })).json.error.code).toBe('ERR_HTTP_MALFORMED');
    const bidi = await call('POST', `${ORG}/enrolments`, { userId: 'bob', account: 'x\u202ey' });
    expect([bidi.status, bidi.json.error.code]).toEqual([400, 'ERR_INVALID_ARGUMENT']);
    expect(bidi.json.error.message).toContain('"account"');
    expect(bidi.json.error.message).not.toContain('x\u202ey');
    for (const q of ['limit=abc', 'limit=0', 'userId=a&userId=b', 'cursor=nope', 'extra=1', '']) {
      expect((await call('GET', `${ORG}/enrolments?userId=a&${q}`)).status, q).toBe(q === '' ? 200 : 400);
    }
    expect((await call('GET', `${ORG}/audit?limit=abc`)).status).toBe(400);
    expect((await call('GET', `${ORG}/audit?cursor=garbage`)).json.error.code).toBe('ERR_STORAGE_INVALID');
    expect((await call('GET', `${ORG}/keys?x=%E0%A4%A`)).status).toBe(400);
    // Outside the mount point: not ours.
    const outside = await handler(new Request(`${ORIGIN}/v1/admin/orgs/default/keys`, { headers: { authorization: 'Bearer op-all' } }));
    expect(outside.status).toBe(404);
    expect(logs.every((e) => e.route === null || e.route.startsWith('/v1/admin/'))).toBe(true);
  });

  it('organisations: create, list, get, update (audited with the principal); each one’s routes see only its own records', async () => {
    const { call, enrol, t } = setup();
    const created = await call('POST', '/v1/admin/orgs', { organisationId: 'globex', issuer: 'Globex', origin: 'https://mfa.globex.example', policy: { otp: { digits: 8 } } });
    expect(created.status).toBe(201);
    // The policy is stored as given (the schema's defaults are the facade's to fill), and resolved.
    expect(created.json).toMatchObject({ id: 'globex', issuer: 'Globex', origin: 'https://mfa.globex.example', policyInput: { otp: { digits: 8 } }, version: 1 });
    expect(created.json.policy.otp).toMatchObject({ algorithm: 'SHA1', digits: 8, period: 30 });
    expect((await call('POST', '/v1/admin/orgs', { organisationId: 'initech', issuer: 'Initech' })).status).toBe(201);
    expect((await call('POST', '/v1/admin/orgs', { organisationId: 'globex', issuer: 'Again' })).json.error.code).toBe('ERR_ADMIN_CONFLICT');
    expect((await call('POST', '/v1/admin/orgs', { organisationId: 'default', issuer: 'Default' })).status).toBe(409);
    // Only a principal of all organisations creates one.
    expect((await call('POST', '/v1/admin/orgs', { organisationId: 'hooli', issuer: 'Hooli' }, 'op-globex')).status).toBe(403);
    for (const bad of [{ organisationId: 'Bad_Id', issuer: 'x' }, { organisationId: 'ok', issuer: 'x', policy: { otp: { digits: 5 } } }, { organisationId: 'ok', issuer: 'x', extra: 1 }]) {
      expect((await call('POST', '/v1/admin/orgs', bad)).json.error.code).toBe('ERR_HTTP_MALFORMED');
    }
    const badOrigin = await call('POST', '/v1/admin/orgs', { organisationId: 'ok', issuer: 'x', origin: 'ftp://x' });
    expect([badOrigin.status, badOrigin.json.error.code]).toEqual([400, 'ERR_INVALID_ARGUMENT']);

    const all = await call('GET', '/v1/admin/orgs?limit=1');
    expect([all.json.organisations.map((o: { id: string }) => o.id), typeof all.json.cursor]).toEqual([['globex'], 'string']);
    expect((await call('GET', `/v1/admin/orgs?cursor=${encodeURIComponent(all.json.cursor)}`)).json.organisations.map((o: { id: string }) => o.id)).toEqual(['initech']);
    const mine = await call('GET', '/v1/admin/orgs', undefined, 'op-other');
    expect(mine.json).toEqual({ organisations: [], cursor: null });
    const dave = await call('GET', '/v1/admin/orgs?limit=1', undefined, 'op-globex');
    expect([dave.json.organisations.map((o: { id: string }) => o.id), dave.json.cursor]).toEqual([['globex'], 'globex']);
    expect((await call('GET', '/v1/admin/orgs?cursor=globex', undefined, 'op-globex')).json.organisations.map((o: { id: string }) => o.id)).toEqual(['initech']);
    expect((await call('GET', '/v1/admin/orgs/globex', undefined, 'op-globex')).json.issuer).toBe('Globex');
    expect((await call('GET', '/v1/admin/orgs/globex', undefined, 'op-other')).status).toBe(403);
    expect((await call('GET', '/v1/admin/orgs/nowhere')).json.error.code).toBe('ERR_ADMIN_NOT_FOUND');

    const updated = await call('PATCH', '/v1/admin/orgs/globex', { issuer: 'Globex Corp', expectedVersion: 1 }, 'op-globex');
    expect(updated.json).toMatchObject({ issuer: 'Globex Corp', version: 2 });
    expect((await call('PATCH', '/v1/admin/orgs/globex', { issuer: 'Late', expectedVersion: 1 }, 'op-globex')).json.error.code).toBe('ERR_ADMIN_CONFLICT');
    expect((await call('PATCH', '/v1/admin/orgs/nowhere', { issuer: 'x' })).status).toBe(404);
    const orgAuditAnswer = await call('GET', '/v1/admin/orgs/globex/audit', undefined, 'op-globex');
    expect(orgAuditAnswer.status, JSON.stringify(orgAuditAnswer.json)).toBe(200);
    const orgAudit = orgAuditAnswer.json.events;
    expect(orgAudit.map((e: { kind: string; detail: { actor?: string } }) => [e.kind, e.detail.actor])).toEqual([
      ['organisation.updated', 'ops:dave'],
      ['organisation.created', 'ops:alice'],
    ]);

    // The same user id in two organisations: two users, each organisation's routes see its own.
    const inGlobex = await enrol('alice', '/v1/admin/orgs/globex', 'op-globex');
    expect(inGlobex.started.text).toMatch(/^CMFA:/);
    const inDefault = await enrol('alice');
    const list = async (org: string, token: string) => (await call('GET', `/v1/admin/orgs/${org}/enrolments?userId=alice`, undefined, token)).json.enrolments.map((e: { id: string }) => e.id);
    expect(await list('globex', 'op-globex')).toEqual([inGlobex.started.enrolmentId]);
    expect(await list('default', 'op-default')).toEqual([inDefault.started.enrolmentId]);
    expect((await call('GET', `/v1/admin/orgs/globex/enrolments/${inDefault.started.enrolmentId}`, undefined, 'op-globex')).status).toBe(404);
    expect((await call('POST', `/v1/admin/orgs/globex/enrolments/${inDefault.started.enrolmentId}/revoke`, {}, 'op-globex')).status).toBe(404);
    expect((await call('GET', '/v1/admin/orgs/globex/enrolments?userId=alice', undefined, 'op-default')).status).toBe(403);
    // Globex's policy holds there: 8 digits.
    expect((await call('GET', `/v1/admin/orgs/globex/enrolments/${inGlobex.started.enrolmentId}`, undefined, 'op-globex')).json.otp.digits).toBe(8);
    expect((await call('GET', '/v1/admin/orgs/globex/keys', undefined, 'op-globex')).json.currentKeyId).toBe('globex-k1');
    const code = codeAt(t, inGlobex.identity.seed, 0, 30, 8);
    expect((await call('POST', '/v1/admin/orgs/default/verify', { userId: 'alice', code })).json.ok).toBe(false);
    expect((await call('POST', '/v1/admin/orgs/globex/verify', { userId: 'alice', code }, 'op-globex')).json).toMatchObject({ ok: true, enrolmentId: inGlobex.started.enrolmentId });
    const globexAudit = (await call('GET', '/v1/admin/orgs/globex/audit?userId=alice', undefined, 'op-globex')).json.events;
    expect(globexAudit.every((e: { enrolmentId: string | null }) => e.enrolmentId === inGlobex.started.enrolmentId)).toBe(true);
    expect(globexAudit.find((e: { kind: string }) => e.kind === 'otp.accepted').detail.actor).toBe('ops:dave');
  });
});

