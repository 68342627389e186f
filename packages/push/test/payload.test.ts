import { isCloudMfaError } from '@cloudmfa/core';
import { PUSH_LIMITS, PUSH_NOTIFICATION, type PushContext } from '@cloudmfa/push';
import { buildApnsPayload, buildFcmPayload, createPushChallenge } from '@cloudmfa/push/server';
import { describe, expect, it } from 'vitest';
import { CONTEXT, ENROLMENT_ID, NOW, seededRandom, testKeys } from './helpers.js';

const keys = testKeys();
const now = () => NOW;
const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

// The largest context the caps allow, in 3-byte characters where that is the worst case, but
// still within the 1,024-byte total: the worst push the protocol can produce.
function worstContext(): PushContext {
  const ctx: PushContext = {
    service: '"'.repeat(PUSH_LIMITS.contextService), // JSON-escaped: 2 bytes each
    message: '\\'.repeat(PUSH_LIMITS.contextMessage), // 2 bytes each
    ip: 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255'.slice(0, 45),
    location: '€'.repeat(PUSH_LIMITS.contextLocation),
    device: '€'.repeat(30),
    time: NOW,
  };
  return ctx;
}

const worstChallenge = (signer = keys.serverEs256) =>
  createPushChallenge({ enrolmentId: 'e'.repeat(128), context: worstContext(), signer, numberMatch: { digits: 6 }, ttlSeconds: 600, now, random: seededRandom() });

describe('push payloads', () => {
  it('APNs: alert, challenge, headers; within 4,096 bytes; `bytes` is the UTF-8 size of `json`', async () => {
    const created = await createPushChallenge({ enrolmentId: ENROLMENT_ID, context: CONTEXT, signer: keys.serverEs256, now, random: seededRandom() });
    const apns = buildApnsPayload({ challenge: created });
    expect(apns.challengeIncluded).toBe(true);
    expect(apns.bytes).toBe(utf8(apns.json));
    expect(JSON.parse(apns.json)).toEqual({
      aps: {
        alert: { title: 'Sign-in request', body: 'Open the app to review it.' },
        sound: 'default',
        category: 'CLOUDMFA_PUSH',
        'mutable-content': 1,
        'interruption-level': 'time-sensitive',
      },
      cloudmfa: { v: 1, id: created.record.id, exp: NOW / 1000 + 120, jws: created.token },
    });
    expect(apns.headers).toEqual({
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-expiration': String(NOW / 1000 + 120),
      'apns-collapse-id': created.record.id,
    });
  });

  it('FCM: a high-priority notification message on the app channel; the data the app verifies, string values only', async () => {
    const created = await createPushChallenge({ enrolmentId: ENROLMENT_ID, context: CONTEXT, signer: keys.serverEd25519, ttlSeconds: 90, now, random: seededRandom() });
    const fcm = buildFcmPayload({ challenge: created, alert: { title: 'Anmeldung', body: 'Bei Acme VPN anmelden?' } });
    expect(fcm.payload).toEqual({
      notification: { title: 'Anmeldung', body: 'Bei Acme VPN anmelden?' },
      data: {
        cloudmfa_v: '1',
        cloudmfa_id: created.record.id,
        cloudmfa_exp: String(NOW / 1000 + 90),
        cloudmfa_jws: created.token,
      },
      android: {
        priority: 'HIGH',
        ttl: '90s',
        collapse_key: created.record.id,
        notification: { channel_id: PUSH_NOTIFICATION.androidChannelId, tag: created.record.id, notification_priority: 'PRIORITY_HIGH', default_sound: true },
      },
    });
    expect(Object.values(fcm.payload.data).every((v) => typeof v === 'string')).toBe(true);
    expect(fcm.bytes).toBe(utf8(fcm.json));
    expect(JSON.parse(fcm.json)).toEqual(fcm.payload);
  });

  it('what the phone shows by itself is generic: no context field, no number, the same text for APNs and FCM', async () => {
    const created = await createPushChallenge({ enrolmentId: ENROLMENT_ID, context: CONTEXT, signer: keys.serverEs256, numberMatch: { digits: 6 }, now, random: seededRandom() });
    const apns = buildApnsPayload({ challenge: created }).payload;
    const fcm = buildFcmPayload({ challenge: created }).payload;
    expect(apns.aps.alert).toEqual({ title: 'Sign-in request', body: 'Open the app to review it.' });
    expect(fcm.notification).toEqual(apns.aps.alert);
    expect(apns.aps.category).toBe(PUSH_NOTIFICATION.category);
    const visible = JSON.stringify([apns.aps, fcm.notification, fcm.android]);
    for (const value of [...Object.values(CONTEXT).map(String), created.number as string, ENROLMENT_ID]) expect(visible).not.toContain(value);
  });

  it('the worst case the caps allow still fits 4,096 bytes with the challenge included (both builders, both key types)', async () => {
    for (const signer of [keys.serverEs256, keys.serverEd25519]) {
      const created = await worstChallenge(signer);
      const alert = { title: '€'.repeat(PUSH_LIMITS.alertTitle), body: '€'.repeat(PUSH_LIMITS.alertBody) };
      const claims = JSON.parse(Buffer.from(created.token.split('.')[1] as string, 'base64url').toString('utf8'));
      expect(utf8(JSON.stringify(claims.ctx))).toBe(PUSH_LIMITS.contextBytes); // exactly at the cap
      // 1,892 is the computed maximum (docs/protocol/push.md 7): 12-digit times, `nm: false`.
      expect(created.token.length).toBeLessThanOrEqual(1892);
      for (const built of [buildApnsPayload({ challenge: created, alert }), buildFcmPayload({ challenge: created, alert })]) {
        expect(built.challengeIncluded).toBe(true);
        expect(built.bytes).toBeLessThanOrEqual(PUSH_LIMITS.maxPayloadBytes);
        expect(built.bytes).toBe(utf8(built.json));
      }
    }
  });

  it('when the challenge does not fit maxBytes only its id is sent; when nothing fits: ERR_PUSH_PAYLOAD_TOO_LARGE', async () => {
    const created = await worstChallenge();
    const full = buildApnsPayload({ challenge: created });
    const small = buildApnsPayload({ challenge: created, maxBytes: full.bytes - 1 });
    expect(small.challengeIncluded).toBe(false);
    expect(small.bytes).toBeLessThan(full.bytes);
    expect(JSON.parse(small.json).cloudmfa).toEqual({ v: 1, id: created.record.id, exp: created.record.expiresAt / 1000 });
    expect(buildApnsPayload({ challenge: created, maxBytes: full.bytes }).challengeIncluded).toBe(true);
    const fcmSmall = buildFcmPayload({ challenge: created, maxBytes: 1024 });
    expect(fcmSmall.challengeIncluded).toBe(false);
    expect(fcmSmall.payload.data).not.toHaveProperty('cloudmfa_jws');

    const alert = { title: '€'.repeat(64), body: '€'.repeat(200) };
    for (const build of [buildApnsPayload, buildFcmPayload]) {
      const err = (() => {
        try {
          build({ challenge: created, alert, maxBytes: 256 });
        } catch (e) {
          return e;
        }
      })();
      expect(isCloudMfaError(err, 'ERR_PUSH_PAYLOAD_TOO_LARGE')).toBe(true);
    }
  });

  it('misuse: bad maxBytes, alert text, or a token that is not this record', async () => {
    const a = await createPushChallenge({ enrolmentId: ENROLMENT_ID, context: CONTEXT, signer: keys.serverEs256, now, random: seededRandom('a') });
    const b = await createPushChallenge({ enrolmentId: ENROLMENT_ID, context: CONTEXT, signer: keys.serverEs256, now, random: seededRandom('b') });
    const bad = [
      { challenge: a, maxBytes: 4097 },
      { challenge: a, maxBytes: 100 },
      { challenge: a, alert: { title: 'a\u202eb' } },
      { challenge: a, alert: { body: 'x'.repeat(201) } },
      { challenge: a, alert: { title: '' } },
      { challenge: { token: a.token, record: b.record } },
      { challenge: { token: 'junk', record: a.record } },
    ];
    for (const options of bad) {
      for (const build of [buildApnsPayload, buildFcmPayload]) {
        expect(() => build(options as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
      }
    }
  });
});
