import type { OnlineActivationPayload, RedemptionResponse } from '@cloudmfa/activation';
import { createRedemptionResponse, verifyRedemption } from '@cloudmfa/activation/server';
import { constantTimeEqualString, decodeBase64Url, encodeBase64Url, utf8Encode } from '@cloudmfa/core';
import { generateSecret } from '@cloudmfa/otp/server';
import { type EnrolmentRecord, type ThrottlePolicy, throttleDelay } from '@cloudmfa/storage';
import * as z from 'zod';
import { record } from '../internal/audit.js';
import { type ServerContext, nowOf } from '../internal/context.js';
import { serverError } from '../internal/errors.js';
import { throttleKeyOfIp } from '../internal/clientAddress.js';
import { auxGuardId } from '../internal/ids.js';
import { bindingOf, deviceKeyOf, deviceThumbprint, type EnrolmentMeta, metaToJson, readMeta } from '../internal/meta.js';
import type { CompleteActivationResult } from '../types.js';

type Refusal = Extract<CompleteActivationResult, { ok: false }>['reason'];

/** Counting only: the failure budget is a count, never a lock. */
const COUNT_ONLY: ThrottlePolicy = { freeFailures: 99_999, baseDelayMs: 0, maxDelayMs: 0, lockoutFailures: 100_000, lockoutMs: 0 };

// The outer shape only: enough to find the record, pre-check the clock and digest the request.
// verifyRedemption validates every field for real.
const requestShape = z
  .object({
    version: z.number(),
    activationId: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
    devicePublicKey: z.string().max(128),
    ephemeralPublicKey: z.string().max(128),
    platform: z.string().max(16),
    pushToken: z.string().max(4096).nullable(),
    createdAt: z.number().finite(),
    mac: z.string().max(64),
    signature: z.string().max(128),
  })
  .strict();
type RequestShape = z.output<typeof requestShape>;

/** SHA-256 over every field of the request, in a fixed order: equal digests mean an identical request. */
function requestDigest(ctx: ServerContext, r: RequestShape): string {
  const canonical = JSON.stringify([r.version, r.activationId, r.devicePublicKey, r.ephemeralPublicKey, r.platform, r.pushToken, r.createdAt, r.mac, r.signature]);
  return encodeBase64Url(ctx.crypto.hash('SHA256', utf8Encode(canonical)));
}

function thumbprintOfRequestKey(text: string): string | null {
  try {
    return deviceThumbprint(decodeBase64Url(text));
  } catch {
    return null;
  }
}

/**
 * The online redemption (docs/server.md 3.2, docs/protocol/activation.md 5.6): verifies the
 * request against the stored activation, redeems it atomically, and returns the response to
 * send. Never throws on the request; store faults throw `ERR_STORAGE_*`, a tampered record
 * `ERR_SERVER_DECRYPT` / `ERR_SERVER_CORRUPT`.
 */
export async function completeActivation(ctx: ServerContext, body: unknown, options: { clientIp?: string } = {}): Promise<CompleteActivationResult> {
  const now = nowOf(ctx);
  const { guard, enrolments } = ctx.store;
  const policy = ctx.policy.activation;
  const clientIp = options?.clientIp;
  const ipKey = typeof clientIp === 'string' && clientIp.length > 0 && clientIp.length <= 256 ? throttleKeyOfIp(clientIp) : null;
  const ipGuard = ipKey !== null ? auxGuardId(ctx.crypto, 'i', ipKey) : null;

  const refuse = (reason: Refusal, retryAfterMs: number | null = null): CompleteActivationResult => ({ ok: false, reason, retryAfterMs });
  // Every attempt was counted on the address before it was looked at (below).
  const fail = async (reason: Refusal): Promise<CompleteActivationResult> => refuse(reason);

  if (ipGuard) {
    // Count first, then check (issue 11 §3): parallel attempts cannot all slip past a read.
    const before = await guard.get(ipGuard);
    if (before?.lockedUntil != null && now < before.lockedUntil) return refuse('throttled', before.lockedUntil - now);
    const counted = await guard.recordFailure(ipGuard, policy.ipThrottle);
    const previous = before?.failures ?? 0;
    if (counted.failures !== previous + 1 && throttleDelay(policy.ipThrottle, counted.failures - 1) > 0) {
      const wait = counted.lockedUntil != null && counted.lockedUntil > now ? counted.lockedUntil - now : throttleDelay(policy.ipThrottle, counted.failures - 1);
      return refuse('throttled', wait);
    }
  }
  const parsed = requestShape.safeParse(body);
  if (!parsed.success) return fail('malformed');
  const request = parsed.data;
  const digest = requestDigest(ctx, request);
  // Decided before the lookup, so it answers the same for known and unknown ids (rule 2).
  const stale = Math.abs(now / 1000 - request.createdAt) > policy.maxClockSkewSeconds;

  const found = await enrolments.get(request.activationId);
  const meta = found ? readMeta(found) : null;
  // An id grants nothing (issue 11 §3, activation.md 5.6 rule 2): a stale clock proves no
  // knowledge of the activation secret, so it never counts toward revocation (the address
  // throttle above is the time-based limit); unknown, revoked and redeemed ids (whose secret
  // is gone, so no MAC can be checked) answer exactly like a bad MAC, after the same work.
  if (stale) return fail('stale');
  if (!found || !meta || meta.mode !== 'online' || found.status === 'revoked') {
    await decoyVerification(ctx, body, now);
    return fail('invalid');
  }
  if (found.status === 'active') return redeemed(ctx, found, meta, request, digest, now, fail, body);

  // Pending: rebuild the payload from our own record (never from the request).
  if (!meta.origin || !meta.app || meta.otp.type !== 'totp') throw serverError('ERR_SERVER_CORRUPT', 'an online enrolment record lacks its activation metadata');
  const opened = await ctx.keyRing.open(found.secret, bindingOf(found, meta));
  if (opened.kind !== 'activation') {
    opened.bytes.fill(0);
    throw serverError('ERR_SERVER_CORRUPT', 'a pending online enrolment does not hold an activation secret');
  }
  const activation: OnlineActivationPayload = {
    mode: 'online',
    activationId: found.id,
    activationSecret: encodeBase64Url(opened.bytes),
    issuer: meta.issuer,
    origin: meta.origin,
    policy: { ...meta.app },
    otp: { ...meta.otp },
  };
  opened.bytes.fill(0);
  // Expiry is decided after the MAC (below): before it, an expired id answers like a bad MAC.
  const verified = await verifyRedemption({
    request: body,
    activation,
    expiresAt: Math.max(found.expiresAt, now),
    now: () => now,
    maxClockSkewSeconds: policy.maxClockSkewSeconds,
    crypto: ctx.crypto,
  });
  if (!verified.ok) {
    switch (verified.reason) {
      case 'expired':
        await record(ctx, 'enrolment.redeem_refused', { enrolmentId: found.id, userId: found.userId, detail: { reason: 'expired' } });
        return fail('expired');
      case 'malformed':
      case 'unsupported-version':
        return fail('malformed');
      case 'stale':
        return fail('stale');
      case 'bad-mac':
        // Proves nothing: anyone who knows the id can send it. Not counted toward revocation.
        await record(ctx, 'enrolment.redeem_refused', { enrolmentId: found.id, userId: found.userId, detail: { reason: 'bad_mac' } });
        return fail('invalid');
      case 'bad-signature':
        // The MAC verified: whoever sent this knows the activation secret. Counted (rule 7).
        await countFailure(ctx, found, 'bad_signature');
        return fail('invalid');
      default:
        return fail('invalid');
    }
  }

  if (now >= found.expiresAt) {
    await record(ctx, 'enrolment.redeem_refused', { enrolmentId: found.id, userId: found.userId, detail: { reason: 'expired' } });
    return fail('expired');
  }

  // Valid: draw the seed, seal it, build the response, and let the store pick one winner.
  const seed = generateSecret({ bytes: ctx.policy.otp.secretBytes, random: ctx.random });
  let response: RedemptionResponse;
  let sealedSeed: Uint8Array;
  try {
    // The seed is bound to the device key that will approve pushes (issue 11 §7).
    sealedSeed = await ctx.keyRing.seal('seed', seed, bindingOf(found, { ...meta, device: { publicKey: request.devicePublicKey } }));
    response = await createRedemptionResponse({
      verified,
      activation,
      account: meta.account,
      seed,
      pushKey: { algorithm: ctx.pushSigner.algorithm, publicKey: ctx.pushSigner.publicKey },
      enrolmentId: found.id,
      seedExportAllowed: ctx.policy.activation.seedExportAllowed,
      random: ctx.random,
      crypto: ctx.crypto,
    });
  } finally {
    seed.fill(0);
  }
  const nextMeta: EnrolmentMeta = {
    ...meta,
    device: {
      publicKey: request.devicePublicKey,
      platform: verified.platform,
      pushToken: verified.pushToken,
      transcriptHash: verified.transcriptHash,
      requestDigest: digest,
    },
    response: { ...response },
  };
  const r = await enrolments.redeem(found.id, { secret: sealedSeed, meta: metaToJson(nextMeta) });
  if (r.ok) {
    if (ipGuard) await guard.reset(ipGuard);
    await record(ctx, 'enrolment.redeemed', {
      enrolmentId: found.id,
      userId: found.userId,
      detail: { mode: 'online', platform: verified.platform, device: deviceThumbprint(verified.devicePublicKey), push: verified.pushToken !== null },
    });
    return { ok: true, enrolmentId: found.id, userId: found.userId, response, retried: false };
  }
  if (r.reason === 'not_found') return fail('invalid');
  // Our MAC verified, so naming the outcome reveals nothing the sender did not know.
  if (r.reason === 'already_active') return redeemed(ctx, r.enrolment, readMeta(r.enrolment), request, digest, now, fail, body, true);
  if (r.reason === 'revoked') return fail('revoked');
  await record(ctx, 'enrolment.redeem_refused', { enrolmentId: found.id, userId: found.userId, detail: { reason: 'expired' } });
  return fail('expired');
}

/** A request for an activation that is already redeemed: the same request retried, or an incident (rules 5 and 6). */
async function redeemed(
  ctx: ServerContext,
  rec: EnrolmentRecord,
  meta: EnrolmentMeta,
  request: RequestShape,
  digest: string,
  now: number,
  fail: (reason: Refusal) => Promise<CompleteActivationResult>,
  body: unknown,
  macVerified = false,
): Promise<CompleteActivationResult> {
  const sameRequest = meta.device !== undefined && constantTimeEqualString(meta.device.requestDigest, digest);
  if (sameRequest) {
    if (meta.response && now <= rec.expiresAt) {
      return { ok: true, enrolmentId: rec.id, userId: rec.userId, response: { ...meta.response }, retried: true };
    }
    // The same device, after the retry window closed: late, not an incident.
    return fail('expired');
  }
  // Another request for a redeemed id: the activation secret is gone, so the MAC cannot be
  // checked, and the answer is the bad-MAC one. Still audited (the genuine second device of a
  // shared QR and password is an incident).
  if (!macVerified) await decoyVerification(ctx, body, now);
  const platform = ['ios', 'android', 'web', 'other'].includes(request.platform) ? request.platform : null;
  await record(ctx, 'enrolment.double_redemption', {
    enrolmentId: rec.id,
    userId: rec.userId,
    detail: { firstDevice: deviceThumbprint(deviceKeyOf(meta)), secondDevice: thumbprintOfRequestKey(request.devicePublicKey), secondPlatform: platform },
    risk: true,
  });
  return fail(macVerified ? 'already_redeemed' : 'invalid');
}

/**
 * The verification work of a real attempt against a throwaway activation, so that unknown,
 * revoked and redeemed ids take the path (ECDH, MAC, no signature) a bad MAC takes.
 */
async function decoyVerification(ctx: ServerContext, body: unknown, now: number): Promise<void> {
  const secret = ctx.random(32);
  try {
    await verifyRedemption({
      request: body,
      activation: {
        mode: 'online',
        activationId: (body as { activationId: string }).activationId,
        activationSecret: encodeBase64Url(secret),
        issuer: ctx.issuer,
        origin: ctx.origin ?? 'https://decoy.invalid',
        policy: { ...ctx.policy.app },
        otp: { type: 'totp', algorithm: 'SHA1', digits: 6, period: 30 },
      },
      expiresAt: now + 1,
      now: () => now,
      maxClockSkewSeconds: ctx.policy.activation.maxClockSkewSeconds,
      crypto: ctx.crypto,
    });
  } catch {
    // The decoy's outcome is never used.
  } finally {
    secret.fill(0);
  }
}

/** Counts one bad-MAC / bad-signature / stale attempt on a pending activation; revokes it at the budget (rule 7). */
async function countFailure(ctx: ServerContext, rec: EnrolmentRecord, reason: 'bad_signature'): Promise<void> {
  // The count matters while the activation can be redeemed; then the row is forgotten (issue 11 §3).
  const forgetAfterMs = Math.max(1, rec.expiresAt - nowOf(ctx));
  const state = await ctx.store.guard.recordFailure(auxGuardId(ctx.crypto, 'r', rec.id), { ...COUNT_ONLY, forgetAfterMs });
  await record(ctx, 'enrolment.redeem_refused', { enrolmentId: rec.id, userId: rec.userId, detail: { reason, failures: state.failures } });
  if (state.failures >= ctx.policy.activation.maxFailures) {
    const revoked = await ctx.store.enrolments.revoke(rec.id);
    if (revoked.ok) {
      await record(ctx, 'enrolment.revoked', {
        enrolmentId: rec.id,
        userId: rec.userId,
        detail: { reason: 'redemption_failures', failures: state.failures },
        risk: true,
      });
    }
  }
}
