import type { OfflineActivationPayload } from '@cloudmfa/activation';
import { createActivationPayload, generatePassword, sealEnvelope } from '@cloudmfa/activation/server';
import { renderQrPng, renderQrSvg } from '@cloudmfa/activation/qr';
import { decodeBase64Url, encodeBase32 } from '@cloudmfa/core';
import { formatOtpauthUri, generateSecret } from '@cloudmfa/otp/server';
import { assertUserId } from '@cloudmfa/storage/adapter';
import { record } from '../internal/audit.js';
import { type ServerContext, nowOf } from '../internal/context.js';
import { serverError } from '../internal/errors.js';
import { newId } from '../internal/ids.js';
import { bindingOf, type EnrolmentMeta, metaToJson } from '../internal/meta.js';
import { isDisplayText } from '../internal/text.js';
import type { EnrolmentOtp, ActivationSettings, StartedActivation } from '../types.js';
import { activationSettingsSchema } from '../internal/settings.js';


export function checkUserId(userId: unknown): asserts userId is string {
  try {
    assertUserId(userId, 'userId');
  } catch {
    throw serverError('ERR_INVALID_ARGUMENT', '"userId" expected 1..256 characters of well-formed text without control characters');
  }
}

export function parseStartOptions(options: unknown): ActivationSettings {
  const parsed = activationSettingsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const path = parsed.error.issues[0]?.path.map(String).join('.') ?? '';
    throw serverError('ERR_INVALID_ARGUMENT', `"options${path ? `.${path}` : ''}" is invalid`);
  }
  return parsed.data;
}

/** Resolves the OTP parameters of a new enrolment from the options and the policy. */
function resolveOtp(ctx: ServerContext, mode: 'online' | 'offline' | 'otpauth', o: ActivationSettings['otp'] = {}): EnrolmentOtp {
  const type = o.type ?? 'totp';
  if (mode === 'online' && type !== 'totp') throw serverError('ERR_INVALID_ARGUMENT', '"options.otp.type" must be totp in online mode');
  const common = { algorithm: o.algorithm ?? ctx.policy.otp.algorithm, digits: o.digits ?? ctx.policy.otp.digits };
  if (type === 'hotp') {
    if (o.period !== undefined) throw serverError('ERR_INVALID_ARGUMENT', '"options.otp.period" is for TOTP');
    return { type, ...common, counter: o.counter ?? 0 };
  }
  if (o.counter !== undefined) throw serverError('ERR_INVALID_ARGUMENT', '"options.otp.counter" is for HOTP');
  return { type, ...common, period: o.period ?? ctx.policy.otp.period };
}

/**
 * Issues an activation (docs/server.md 3.1): an online or offline envelope with its password,
 * or an otpauth URI; the QR as SVG and PNG; a pending enrolment whose secret is sealed under
 * the current KEK. Misuse throws (`ERR_INVALID_ARGUMENT`, `ERR_SERVER_CONFIG` for online mode
 * without an origin, the activation/otp packages' codes for labels they refuse).
 */
export async function startActivation(ctx: ServerContext, userId: string, rawOptions?: ActivationSettings): Promise<StartedActivation> {
  checkUserId(userId);
  const options = parseStartOptions(rawOptions);
  const mode = options.mode ?? 'online';
  const account = options.account ?? userId;
  if (!isDisplayText(account, 128)) {
    throw serverError('ERR_INVALID_ARGUMENT', '"account" (default: the user id) expected 1..128 UTF-8 bytes without control or bidirectional-override characters');
  }
  const otp = resolveOtp(ctx, mode, options.otp);
  const lifetimeSeconds = options.lifetimeSeconds ?? ctx.policy.activation.lifetimeSeconds;
  const app = { ...ctx.policy.app };
  const now = () => nowOf(ctx);

  let enrolmentId: string;
  let text: string;
  let password: string | null = null;
  let uri: string | null = null;
  let qr: { svg: string; png: Uint8Array };
  let expiresAt: number;
  let warnings: string[] = [];
  let secret: Uint8Array;
  let kind: 'activation' | 'seed';
  const meta: EnrolmentMeta = { v: 1, mode, issuer: ctx.issuer, account, otp };

  if (mode === 'online') {
    if (ctx.origin === null) throw serverError('ERR_SERVER_CONFIG', '"origin" is required to issue online activations');
    if (otp.type !== 'totp') throw serverError('ERR_INVALID_ARGUMENT', '"options.otp.type" must be totp in online mode');
    const payload = createActivationPayload({
      issuer: ctx.issuer,
      origin: ctx.origin,
      policy: app,
      otp: { algorithm: otp.algorithm, digits: otp.digits, period: otp.period },
      random: ctx.random,
    });
    password = generatePassword({ random: ctx.random });
    const sealed = await sealEnvelope({ payload, password, ttlSeconds: lifetimeSeconds, kdf: ctx.policy.activation.kdf, now, random: ctx.random, crypto: ctx.crypto });
    enrolmentId = payload.activationId;
    text = sealed.text;
    expiresAt = sealed.expiresAt;
    secret = decodeBase64Url(payload.activationSecret);
    kind = 'activation';
    meta.origin = ctx.origin;
    meta.app = app;
    qr = { svg: renderQrSvg({ text }), png: renderQrPng({ text }) };
  } else {
    const seed = generateSecret({ bytes: ctx.policy.otp.secretBytes, random: ctx.random });
    enrolmentId = newId(ctx.random);
    secret = seed;
    kind = 'seed';
    if (mode === 'offline') {
      const payload: OfflineActivationPayload = {
        mode: 'offline',
        secret: encodeBase32(seed),
        issuer: ctx.issuer,
        account,
        policy: app,
        otp: { ...otp },
      };
      password = generatePassword({ random: ctx.random });
      const sealed = await sealEnvelope({ payload, password, ttlSeconds: lifetimeSeconds, kdf: ctx.policy.activation.kdf, now, random: ctx.random, crypto: ctx.crypto });
      text = sealed.text;
      expiresAt = sealed.expiresAt;
      meta.app = app;
      qr = { svg: renderQrSvg({ text }), png: renderQrPng({ text }) };
    } else {
      const formatted = formatOtpauthUri(
        otp.type === 'totp'
          ? { type: 'totp', secret: seed, issuer: ctx.issuer, account, algorithm: otp.algorithm, digits: otp.digits, period: otp.period }
          : { type: 'hotp', secret: seed, issuer: ctx.issuer, account, algorithm: otp.algorithm, digits: otp.digits, counter: otp.counter },
      );
      uri = formatted.uri;
      text = uri;
      warnings = formatted.warnings.map((w) => w.code);
      expiresAt = nowOf(ctx) + lifetimeSeconds * 1000;
      // 'auto': the smallest segments for a URI (byte mode around the base32 secret); 6 px
      // per module and a 4-module quiet zone, as before the renderer moved to activation.
      qr = { svg: renderQrSvg({ text: uri, mode: 'auto' }), png: renderQrPng({ text: uri, mode: 'auto', scale: 6 }) };
    }
  }

  try {
    const sealedSecret = await ctx.keyRing.seal(kind, secret, bindingOf({ id: enrolmentId, userId }, meta));
    await ctx.store.enrolments.create({ id: enrolmentId, userId, secret: sealedSecret, meta: metaToJson(meta), expiresAt });
  } finally {
    secret.fill(0);
  }
  await record(ctx, 'enrolment.issued', { enrolmentId, userId, detail: { mode, otpType: otp.type, expiresAt } });
  return { enrolmentId, userId, mode, text, password, uri, qr, expiresAt, warnings };
}
