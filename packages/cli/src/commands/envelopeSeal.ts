import type { ActivationPayload, ActivationPolicy, KdfSettings } from '@cloudmfa/activation';
import { createActivationPayload, DEFAULT_POLICY, sealEnvelope } from '@cloudmfa/activation/server';
import { qrVersion } from '@cloudmfa/activation/qr';
import { encodeBase32 } from '@cloudmfa/core';
import { parseOtpauthUri } from '@cloudmfa/otp';
import type { Command } from '../internal/command.js';
import type { Context } from '../internal/context.js';
import { cliFail, usage } from '../internal/errors.js';
import { PASSWORD_OPTIONS, readPassword } from '../internal/inputs.js';
import { secretParameterOf } from '../internal/json.js';
import { nodeCryptoProvider } from '../internal/nodeCrypto.js';
import { QR_OPTIONS, readQrRequest, renderQr } from '../internal/qrOutput.js';
import { parseDuration, parseInteger, parseTime } from '../internal/values.js';

/** Fields an online JSON without activation id and secret may have (the CLI generates those two). */
const GENERATE_FIELDS = new Set(['mode', 'issuer', 'origin', 'policy', 'otp']);

/** The QR version the protocol promises for a typical online envelope at level M. */
const MAX_TYPICAL_QR_VERSION = 10;

/** `cloudmfa envelope seal`: an activation envelope's QR text, optionally its QR code. */
export const envelopeSealCommand: Command = {
  path: ['envelope', 'seal'],
  summary: 'seal an activation envelope (offline from --uri, online from --online-json) and print its QR text',
  usage:
    '(--uri OTPAUTH_URI | --online-json FILE) (--password-stdin | --password-env NAME | --password P) [--ttl S] [--now T] [--kdf scrypt|pbkdf2] [--pin-length N] [--no-biometrics] [--json] [--qr terminal|svg|png [--out FILE]]',
  description: `Seals an activation envelope (docs/protocol/activation.md) and prints its QR text (CMFA:...).
--uri OTPAUTH_URI makes an OFFLINE envelope carrying that identity, seed included: whoever has
the QR and the password has the seed, and the expiry protects nothing once the password is
known. --online-json FILE (- for stdin) makes an ONLINE envelope (no seed, no account) from a
JSON payload: either complete (mode "online", activationId, activationSecret, issuer, origin,
policy, otp), or just {issuer, origin[, policy][, otp]}, in which case a fresh activation id and
secret are generated and --json shows them. The account is not in an online envelope: the
server keeps it and returns it, encrypted to the device, at redemption. --ttl is the lifetime,
1..65535 s (18 h 12 min; default 300 s; 5m works); --now the issue time (default: now). The KDF
runs on Node's native scrypt/PBKDF2.
--json prints {"text","mode","issuedAt","expiresAt","qrVersion"[,"payload"]} instead of the text.`,
  options: [
    { name: 'uri', value: 'required', valueName: 'OTPAUTH_URI', help: 'offline envelope for this otpauth:// identity (carries the seed)' },
    { name: 'lenient', value: 'none', help: 'parse --uri leniently (see uri parse)' },
    { name: 'online-json', value: 'required', valueName: 'FILE', help: 'online envelope from this JSON payload file ("-": stdin)' },
    ...PASSWORD_OPTIONS,
    { name: 'ttl', value: 'required', valueName: 'S', help: 'lifetime in seconds, 1..65535 (default 300; 30s, 5m, 1h work)' },
    { name: 'now', value: 'required', valueName: 'T', help: 'issue time: Unix seconds, @SECONDS or "YYYY-MM-DD HH:MM:SS UTC" (default: now)' },
    { name: 'kdf', value: 'required', valueName: 'KDF', help: 'scrypt (default, N=2^15 r=8 p=1) or pbkdf2 (PBKDF2-SHA256, 600000 iterations)' },
    { name: 'pin-length', value: 'required', valueName: 'N', help: 'policy: require a PIN of at least N digits (4..16)' },
    { name: 'no-biometrics', value: 'none', help: 'policy: do not allow biometrics' },
    { name: 'json', value: 'none', help: 'print one JSON line with the text, times, QR version (and a generated payload)' },
    ...QR_OPTIONS,
  ],
  positionals: { name: 'argument', min: 0, max: 0 },
  async run(ctx) {
    const uri = ctx.value('uri');
    const jsonPath = ctx.value('online-json');
    if ((uri === undefined) === (jsonPath === undefined)) usage('give exactly one of --uri (offline) or --online-json (online)');
    if (ctx.flag('lenient') && uri === undefined) usage('--lenient applies to --uri only');
    const qr = readQrRequest(ctx);
    const ttlText = ctx.value('ttl');
    const ttlSeconds = ttlText === undefined ? 300 : parseDuration(ttlText, '--ttl', 'ERR_INVALID_ARGUMENT');
    const nowText = ctx.value('now');
    const nowMs = nowText === undefined ? undefined : parseTime(nowText, '--now', 'ERR_INVALID_ARGUMENT') * 1000;
    const now = nowMs === undefined ? ctx.now : () => nowMs;
    const kdf = readKdf(ctx.value('kdf'));
    const policy = readPolicy(ctx);

    // The password first: when it comes from stdin, `--online-json -` then fails as a usage error.
    const password = await readPassword(ctx);
    let payload: ActivationPayload;
    let generated = false;
    if (uri !== undefined) {
      ctx.sensitive(uri);
      const secret = secretParameterOf(uri);
      if (secret !== undefined) ctx.sensitive(secret);
      const parsed = parseOtpauthUri({ uri, lenient: ctx.flag('lenient') });
      for (const w of parsed.warnings) ctx.warn(w.code, w.message);
      if (parsed.labelIssuer !== undefined || parsed.extraParameters !== undefined) {
        ctx.warn('DROPPED', 'the envelope carries no label prefix or unknown parameters: they are dropped');
      }
      const base32 = encodeBase32(parsed.secret);
      ctx.sensitive(base32);
      payload = {
        mode: 'offline',
        secret: base32,
        issuer: parsed.issuer ?? '',
        account: parsed.account,
        policy: policy ?? { ...DEFAULT_POLICY },
        otp:
          parsed.type === 'totp'
            ? { type: 'totp', algorithm: parsed.algorithm, digits: parsed.digits, period: parsed.period }
            : { type: 'hotp', algorithm: parsed.algorithm, digits: parsed.digits, counter: parsed.counter },
      };
    } else {
      const text = jsonPath === '-' ? await ctx.readStdin('--online-json -') : await ctx.readTextFile(jsonPath as string, '--online-json');
      ({ payload, generated } = onlinePayload(ctx, text, policy));
    }

    const sealed = await sealEnvelope({
      payload,
      password,
      ttlSeconds,
      now,
      random: ctx.random,
      crypto: nodeCryptoProvider(),
      ...(kdf === undefined ? {} : { kdf }),
    });
    const version = qrVersion({ text: sealed.text });
    const terminal = qr === undefined ? undefined : await renderQr(ctx, qr, sealed.text, 'alphanumeric');
    if (ctx.flag('json')) {
      ctx.out(
        JSON.stringify({
          text: sealed.text,
          mode: sealed.mode,
          issuedAt: sealed.issuedAt / 1000,
          expiresAt: sealed.expiresAt / 1000,
          qrVersion: version,
          ...(generated ? { payload } : {}),
        }),
      );
    } else {
      ctx.out(sealed.text);
    }
    if (terminal !== undefined) ctx.write(terminal.endsWith('\n') ? terminal : `${terminal}\n`);
    if (payload.mode === 'offline') {
      ctx.warn('OFFLINE_ENVELOPE', 'this envelope carries the seed: with its password it is the seed, whatever its expiry');
    }
    if (version > MAX_TYPICAL_QR_VERSION) {
      ctx.warn('QR_DENSE', `the QR code needs version ${version} at level M (more than ${MAX_TYPICAL_QR_VERSION}): long names make it dense`);
    }
    if (generated && !ctx.flag('json')) {
      ctx.warn('ACTIVATION_GENERATED', 'a fresh activation id and secret were generated: use --json to see them, or the server cannot redeem this envelope');
    }
    return 0;
  },
};

function readKdf(text: string | undefined): KdfSettings | undefined {
  if (text === undefined) return undefined;
  if (text === 'scrypt') return { algorithm: 'scrypt' };
  if (text === 'pbkdf2' || text === 'pbkdf2-sha256') return { algorithm: 'pbkdf2-sha256' };
  return usage('--kdf expected scrypt or pbkdf2');
}

function readPolicy(ctx: Context): ActivationPolicy | undefined {
  const pinText = ctx.value('pin-length');
  const noBio = ctx.flag('no-biometrics');
  if (pinText === undefined && !noBio) return undefined;
  const policy: ActivationPolicy = { ...DEFAULT_POLICY };
  if (pinText !== undefined) {
    policy.pinRequired = true;
    policy.minPinLength = parseInteger(pinText, '--pin-length', 'ERR_INVALID_ARGUMENT');
  }
  if (noBio) policy.biometricsAllowed = false;
  return policy;
}

/** The online payload from `--online-json` text: complete, or completed with a fresh id and secret. */
function onlinePayload(ctx: Context, text: string, policy: ActivationPolicy | undefined): { payload: ActivationPayload; generated: boolean } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return cliFail('ERR_CLI_JSON', '--online-json is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) cliFail('ERR_CLI_JSON', '--online-json expected a JSON object');
  const obj = json as Record<string, unknown>;
  if (typeof obj.activationSecret === 'string') ctx.sensitive(obj.activationSecret);
  if (obj.mode !== undefined && obj.mode !== 'online') cliFail('ERR_CLI_JSON', '--online-json: "mode" must be "online" (use --uri for offline)');
  if (policy !== undefined && obj.policy !== undefined) usage('--pin-length / --no-biometrics and a "policy" in --online-json cannot be combined');
  if (obj.account !== undefined) {
    // Payloads written for the first draft of the format had one; say why it is refused.
    cliFail('ERR_CLI_JSON', '--online-json: an online envelope carries no "account" (the server keeps it and sends it at redemption): remove it');
  }

  if (obj.activationId !== undefined || obj.activationSecret !== undefined) {
    // A complete payload made by the server: sealEnvelope validates every field.
    return { payload: { ...obj, mode: 'online', ...(policy === undefined ? {} : { policy }) } as ActivationPayload, generated: false };
  }
  for (const key of Object.keys(obj)) {
    if (!GENERATE_FIELDS.has(key)) {
      cliFail('ERR_CLI_JSON', `--online-json has an unknown field ${/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(key) ? `"${key}"` : '(not shown)'}`);
    }
  }
  const payload = createActivationPayload({
    issuer: obj.issuer as string,
    origin: obj.origin as string,
    random: ctx.random,
    ...(policy !== undefined ? { policy } : obj.policy !== undefined ? { policy: obj.policy as ActivationPolicy } : {}),
    ...(obj.otp !== undefined ? { otp: obj.otp as { algorithm?: 'SHA1'; digits?: number; period?: number } } : {}),
  });
  ctx.sensitive(payload.activationSecret);
  return { payload, generated: true };
}
