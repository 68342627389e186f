// The reference server's operations (docs/server.md section 12): the rate limits of
// `policy.rateLimits` answered 429 with Retry-After by the admin API. In-process (`startApp`)
// on loopback ports, a temporary SQLite file, a pinned clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '@cloudmfa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../src/app.mjs';
import { readConfig } from '../src/config.mjs';
import { checkAnswer } from '../../../packages/server/test/openapi.js';
import { call, codeAt, FAST_KDF_POLICY, makePhone, redeemOverHttp, seededRandom, testServerEnv, wrongCode } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);
const TOKEN = 'test-admin-token-0123456789abcdef';
const clock = fixedClock(T0);
let dir: string;
let app: Awaited<ReturnType<typeof startApp>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cmfa-example-ops-'));
  const policy = {
    ...FAST_KDF_POLICY,
    rateLimits: { verify: { perIp: { limit: 2, windowMs: 60_000 } }, push: { perUser: { limit: 1, windowMs: 60_000 } } },
  };
  const config = readConfig(testServerEnv(dir, TOKEN, { CLOUDMFA_POLICY: JSON.stringify(policy), CLOUDMFA_METRICS_PORT: '0' }));
  app = await startApp(config, { clock, random: seededRandom('ops-test'), log: () => undefined });
});

afterAll(async () => {
  await app?.close(1000);
  rmSync(dir, { recursive: true, force: true });
});

/** The admin JSON API of the default organisation; every answer is checked against the OpenAPI document (429 included). */
const P = '/api/v1/admin/orgs/default';
const api = async (path: string, body: unknown) => {
  const reply = await call(`${app.adminUrl}${P}${path}`, { token: TOKEN, body });
  checkAnswer({ method: 'POST', path: `${P}${path}`.slice('/api'.length), status: reply.status, contentType: reply.headers.get('content-type'), text: reply.text });
  return reply;
};

describe('rate limits over the admin API', () => {
  it('verify: 429 with Retry-After once the address is over its limit', async () => {
    for (const userId of ['alice', 'bob']) {
      const r = await api('/verify', { userId, code: '123456', clientIp: '203.0.113.7' });
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ ok: false, reason: 'not_found' });
    }
    clock.advance(20_500);
    const limited = await api('/verify', { userId: 'carol', code: '123456', clientIp: '203.0.113.7' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('40');
    expect(limited.json).toEqual({ ok: false, reason: 'rate_limited', scope: 'ip', retryAfterMs: 39_500 });
    expect((await api('/verify', { userId: 'carol', code: '123456', clientIp: '198.51.100.1' })).status).toBe(200);
  });

  it('push: 429 once the user is over its limit', async () => {
    expect((await api('/push', { userId: 'dave', context: { service: 'VPN' } })).json).toEqual({ ok: false, reason: 'no_device' });
    const limited = await api('/push', { userId: 'dave', context: { service: 'VPN' } });
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ reason: 'rate_limited', scope: 'user' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('the Prometheus endpoint', () => {
  it('serves the counters and histograms of the requests served, without ids or addresses', async () => {
    expect(app.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const started = await api('/enrolments', { userId: 'erin', account: 'erin@acme.example' });
    expect(started.status).toBe(201);
    const { identity } = await redeemOverHttp(app.deviceUrl, started.json, makePhone('erin'), clock);
    const ok = await api('/verify', { userId: 'erin', code: codeAt(identity, clock), clientIp: '192.0.2.44' });
    expect(ok.json).toMatchObject({ ok: true });
    expect((await api('/verify', { userId: 'erin', code: wrongCode(identity, clock), clientIp: '192.0.2.44' })).json).toMatchObject({ reason: 'invalid' });

    const scrape = await call(app.metricsUrl as string);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = scrape.text;
    const sample = (name: string, labels: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((kv) => l.includes(kv)));
      return line === undefined ? null : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    // The earlier tests' requests count too: 3 not_found and 1 rate_limited verifies, 1 no_device and 1 rate_limited push.
    expect(sample('cloudmfa_otp_verifications_total', 'cloudmfa_outcome="not_found"')).toBe(3);
    expect(sample('cloudmfa_otp_verifications_total', 'cloudmfa_outcome="accepted"')).toBe(1);
    expect(sample('cloudmfa_otp_verifications_total', 'cloudmfa_outcome="invalid"')).toBe(1);
    expect(sample('cloudmfa_otp_verifications_total', 'cloudmfa_outcome="rate_limited"')).toBe(1);
    expect(sample('cloudmfa_push_challenges_total', 'cloudmfa_outcome="rate_limited"')).toBe(1);
    expect(sample('cloudmfa_activation_redemptions_total', 'cloudmfa_outcome="redeemed"')).toBe(1);
    expect(sample('cloudmfa_operation_duration_count', 'cloudmfa_operation="start_activation"')).toBe(1);
    expect(sample('cloudmfa_store_duration_count', 'cloudmfa_store_part="guard",db_operation_name="consume"')).toBe(1);
    for (const leak of ['erin', identity.enrolmentId, '192.0.2.44', '203.0.113.7']) expect(text).not.toContain(leak);
    expect((await call((app.metricsUrl as string).replace('/metrics', '/other'))).status).toBe(404);
  });
});
