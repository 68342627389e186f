// No secret in any audit entry, event, HTTP answer, log entry or error: a full run of every flow,
// then a search of everything observable for every secret it handled, in every encoding.
import { openEnvelope } from '@cloudmfa/activation';
import { bytesToHex, decodeBase64Url, encodeBase32, encodeBase64Url } from '@cloudmfa/core';
import { parseOtpauthUri } from '@cloudmfa/otp';
import { describe, expect, it } from 'vitest';
import { createHttpHandler, type HttpLogEntry } from '../src/index.js';
import { activateOnline, answerPush, codeAt, makeDevice, makeServer, ORIGIN, prepareRedemption, testCrypto } from './helpers.js';
import { documented } from './openapi.js';

function encodings(bytes: Uint8Array): string[] {
  return [bytesToHex(bytes), encodeBase32(bytes), encodeBase64Url(bytes)];
}

describe('secret hygiene', () => {
  it('audit, events, HTTP answers, logs and errors never carry a seed, password, activation secret, MAC, code or number', async () => {
    const t = makeServer();
    const logs: HttpLogEntry[] = [];
    const handler = documented(createHttpHandler({ server: t.server, log: (e) => logs.push(e) }));
    const observed: string[] = [];
    const secrets: string[] = [];
    const call = async (req: Request) => {
      const res = await handler(req);
      const text = await res.text();
      if (res.status !== 200) observed.push(text);
      return { status: res.status, text };
    };
    const post = (body: unknown, path = '/v1/activations/redeem') =>
      new Request(`${ORIGIN}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

    // Online: password, activation secret, MAC, seed.
    const a = await t.server.startActivation({ userId: 'alice' });
    secrets.push(a.password as string, (a.password as string).replace(/-/g, ''));
    const opened = await openEnvelope({ text: a.text, password: a.password as string, now: t.clock, crypto: testCrypto });
    if (opened.payload.mode !== 'online') throw new Error('online expected');
    secrets.push(opened.payload.activationSecret, ...encodings(decodeBase64Url(opened.payload.activationSecret)));
    const device = makeDevice('a');
    const { request, state } = await prepareRedemption(t, a, device);
    secrets.push(request.mac);
    await call(post({ ...request, signature: request.mac + request.mac.slice(0, 43) }));
    await call(post({ ...request, mac: `B${request.mac.slice(1)}` }));
    const ok = await call(post(request));
    const { openRedemptionResponse } = await import('@cloudmfa/activation');
    const identity = await openRedemptionResponse({ response: JSON.parse(ok.text), state, crypto: testCrypto });
    secrets.push(...encodings(identity.seed));
    await call(post(request));
    await call(post((await prepareRedemption(t, a, makeDevice('b'))).request));

    // otpauth and offline seeds.
    const o = await t.server.startActivation({ userId: 'bob', mode: 'otpauth' });
    const seedB = parseOtpauthUri({ uri: o.uri as string }).secret;
    secrets.push(...encodings(seedB));
    const off = await t.server.startActivation({ userId: 'carol', mode: 'offline' });
    secrets.push(off.password as string);
    const offOpened = await openEnvelope({ text: off.text, password: off.password as string, now: t.clock, crypto: testCrypto });
    if (offOpened.payload.mode === 'offline') secrets.push(offOpened.payload.secret);

    // Codes: accepted, refused, replayed, locked.
    const code = codeAt(t, identity.seed);
    secrets.push(code);
    await t.server.verifyOtp({ userId: 'alice', code });
    await t.server.verifyOtp({ userId: 'alice', code });
    for (let i = 0; i < 11; i++) {
      const wrong = String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');
      secrets.push(wrong);
      await t.server.verifyOtp({ enrolmentId: o.enrolmentId, code: wrong });
      t.clock.advance(40_000);
    }

    // Push with number matching, all three answers.
    for (const decision of ['confirm', 'suspicious'] as const) {
      await t.server.resumePush('alice');
      const c = await t.server.createPushChallenge({ userId: 'alice', context: { service: 'Acme VPN' }, numberMatch: { digits: 6 } });
      if (!c.ok) throw new Error('no challenge');
      secrets.push(c.number as string);
      const wrongNumber = c.number === '123456' ? '654321' : '123456';
      const response = await answerPush(t, identity, device, c.token, decision, decision === 'confirm' ? { number: wrongNumber } : {});
      await call(post({ response }, '/v1/push/respond'));
      await call(post({ response }, '/v1/push/respond'));
    }

    // Errors from tampered storage.
    const rec = await t.store.enrolments.get(identity.enrolmentId);
    const tampered = (rec?.secret as Uint8Array).slice();
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    await t.store.enrolments.update(identity.enrolmentId, { secret: tampered, expectedVersion: rec?.version as number });
    await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) }).catch((e: Error) => observed.push(e.message, String(e.cause)));

    const audit = await t.server.queryAudit({ limit: 1000 });
    observed.push(JSON.stringify(audit), JSON.stringify(t.events), JSON.stringify(logs));
    expect(audit.events.length).toBeGreaterThan(15);
    const everything = observed.join('\n');
    // Codes are 6 digits and could collide with times or counts by chance: search them as JSON values only.
    for (const secret of secrets) {
      if (/^[0-9]{6}$/.test(secret)) {
        expect(everything).not.toContain(`"${secret}"`);
        expect(everything).not.toContain(`:${secret},`);
      } else {
        expect(secret.length).toBeGreaterThanOrEqual(8);
        expect(everything).not.toContain(secret);
      }
    }
  });

  it('the stored redemption response is dropped once the retry window closed', async () => {
    const t = makeServer();
    const { identity, activation } = await activateOnline(t, makeDevice('a'));
    expect((await t.store.enrolments.get(identity.enrolmentId))?.meta.response).toBeDefined();
    t.clock.set(activation.expiresAt + 1);
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
    const rec = await t.store.enrolments.get(identity.enrolmentId);
    expect(rec?.meta.response).toBeUndefined();
    expect(rec?.meta.device).toBeDefined();
  });
});
