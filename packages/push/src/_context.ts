// Turns the caller's PushContext into the `ctx` claim (refusing, never truncating) and back.
import { CloudMfaError } from '@cloudmfa/core';
import { type ContextClaim, contextClaimBytes } from './_claims.js';
import { hasForbiddenCharacter, isIpText } from './_text.js';
import { PUSH_LIMITS } from './constants.js';
import type { PushContext } from './types.js';

const FIELDS = ['service', 'message', 'ip', 'location', 'device', 'time'] as const;

function invalid(message: string): never {
  throw new CloudMfaError('ERR_PUSH_CONTEXT_INVALID', message);
}

function tooLarge(message: string): never {
  throw new CloudMfaError('ERR_PUSH_CONTEXT_TOO_LARGE', message);
}

// Optional text: `undefined` or '' means absent (a geo lookup that found nothing is not an error).
function optionalText(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined || value === '') return undefined;
  return requiredText(value, field, max);
}

function requiredText(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string') invalid(`context "${field}" expected a string`);
  if (value.length === 0) invalid(`context "${field}" must not be empty`);
  if (value.length > max) tooLarge(`context "${field}" is ${value.length} characters, the cap is ${max}`);
  if (hasForbiddenCharacter(value)) invalid(`context "${field}" contains control, bidi or separator characters`);
  return value;
}

/** Validates a caller's context and builds the `ctx` claim in wire order. */
export function contextToClaim(context: unknown): ContextClaim {
  if (typeof context !== 'object' || context === null || Array.isArray(context)) invalid('"context" expected an object');
  const c = context as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (!(FIELDS as readonly string[]).includes(key)) invalid(`context has an unknown field "${key.slice(0, 32)}"`);
  }
  const ctx: ContextClaim = { svc: requiredText(c.service, 'service', PUSH_LIMITS.contextService) };
  const msg = optionalText(c.message, 'message', PUSH_LIMITS.contextMessage);
  if (msg !== undefined) ctx.msg = msg;
  if (c.ip !== undefined && c.ip !== '') {
    if (typeof c.ip === 'string' && c.ip.length > PUSH_LIMITS.contextIp) tooLarge(`context "ip" is ${c.ip.length} characters, the cap is ${PUSH_LIMITS.contextIp}`);
    if (!isIpText(c.ip)) invalid('context "ip" expected an IPv4 or IPv6 address');
    ctx.ip = c.ip;
  }
  const loc = optionalText(c.location, 'location', PUSH_LIMITS.contextLocation);
  if (loc !== undefined) ctx.loc = loc;
  const dev = optionalText(c.device, 'device', PUSH_LIMITS.contextDevice);
  if (dev !== undefined) ctx.dev = dev;
  if (c.time !== undefined) {
    if (typeof c.time !== 'number' || !Number.isSafeInteger(c.time) || c.time < 0 || c.time > 253_402_300_799_000) {
      invalid('context "time" expected a time in ms since the epoch');
    }
    ctx.at = Math.floor(c.time / 1000);
  }
  const bytes = contextClaimBytes(ctx);
  if (bytes > PUSH_LIMITS.contextBytes) tooLarge(`context is ${bytes} bytes serialized, the cap is ${PUSH_LIMITS.contextBytes}`);
  return ctx;
}

/** The context a verified `ctx` claim shows. */
export function claimToContext(ctx: ContextClaim): PushContext {
  const out: { -readonly [K in keyof PushContext]: PushContext[K] } = { service: ctx.svc };
  if (ctx.msg !== undefined) out.message = ctx.msg;
  if (ctx.ip !== undefined) out.ip = ctx.ip;
  if (ctx.loc !== undefined) out.location = ctx.loc;
  if (ctx.dev !== undefined) out.device = ctx.dev;
  if (ctx.at !== undefined) out.time = ctx.at * 1000;
  return Object.freeze(out);
}
