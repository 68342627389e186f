import { DEFAULT_THROTTLE_POLICY } from '@cloudmfa/storage';
import * as z from 'zod';
import { serverError } from './internal/errors.js';

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const MAX_DELAY_MS = 366 * 24 * 3600 * 1000;

const throttleShape = (d: { freeFailures: number; baseDelayMs: number; maxDelayMs: number; lockoutFailures: number; lockoutMs: number }) => ({
  freeFailures: int(0, 99_999).default(d.freeFailures),
  baseDelayMs: int(0, MAX_DELAY_MS).default(d.baseDelayMs),
  maxDelayMs: int(0, MAX_DELAY_MS).default(d.maxDelayMs),
  lockoutFailures: int(1, 100_000).default(d.lockoutFailures),
  lockoutMs: int(0, MAX_DELAY_MS).default(d.lockoutMs),
});

const throttleSchema = (d: { freeFailures: number; baseDelayMs: number; maxDelayMs: number; lockoutFailures: number; lockoutMs: number }) =>
  z
    .object(throttleShape(d))
    .strict()
    .refine((t) => t.freeFailures < t.lockoutFailures, { message: 'freeFailures must be below lockoutFailures', path: ['freeFailures'] })
    .prefault({});

// One fixed-window rate limit (docs/server.md section 12.2): at most `limit` requests per window.
const rateWindow = z
  .object({ limit: int(1, 99_999), windowMs: int(1000, MAX_DELAY_MS) })
  .strict()
  .nullable()
  .default(null);
const rateLimitsOf = z.object({ perIp: rateWindow, perUser: rateWindow }).strict().prefault({});

export const policySchema = z
  .object({
    app: z
      .object({
        pinRequired: z.boolean().default(true),
        minPinLength: int(4, 16).default(6),
        biometricsAllowed: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    otp: z
      .object({
        algorithm: z.enum(['SHA1', 'SHA256', 'SHA512']).default('SHA1'),
        digits: int(6, 10).default(6),
        period: int(1, 3600).default(30),
        secretBytes: int(16, 64).default(20),
        window: z
          .object({ past: int(0, 10).default(1), future: int(0, 10).default(1) })
          .strict()
          .prefault({}),
        maxDriftSteps: int(0, 10).default(4),
        hotpLookAhead: int(0, 1000).default(10),
        hotpResyncLookAhead: int(1, 10_000).default(100),
      })
      .strict()
      .prefault({}),
    throttle: throttleSchema(DEFAULT_THROTTLE_POLICY),
    activation: z
      .object({
        // Envelope v1 stores the lifetime as u16 seconds (docs/protocol/activation.md 2).
        lifetimeSeconds: z
          .number()
          .int()
          .min(10)
          .max(65_535, { error: 'at most 65535 s (18 h 12 min): the envelope stores the lifetime in 16 bits' })
          .default(300),
        maxFailures: int(1, 1000).default(5),
        maxClockSkewSeconds: int(0, 86_400).default(600),
        // Sent to the app in the redemption response (docs/protocol/activation.md 5.5): it may
        // then put the TOTP seed of online identities in the user's encrypted backups.
        seedExportAllowed: z.boolean().default(false),
        kdf: z
          .union([
            z
              .object({
                algorithm: z.literal('scrypt'),
                log2N: int(1, 32).optional(),
                r: int(1, 255).optional(),
                p: int(1, 255).optional(),
              })
              .strict(),
            z.object({ algorithm: z.literal('pbkdf2-sha256'), iterations: int(1, 0xffffffff).optional() }).strict(),
          ])
          .default({ algorithm: 'scrypt' }),
        // A time-based throttle: an address's count is forgotten (and its row removed) an hour
        // after its last attempt or the end of its lock (issue 11 §3).
        ipThrottle: z
          .object({
            ...throttleShape({ freeFailures: 20, baseDelayMs: 1000, maxDelayMs: 60_000, lockoutFailures: 200, lockoutMs: 3_600_000 }),
            forgetAfterMs: int(1, MAX_DELAY_MS).default(3_600_000),
          })
          .strict()
          .refine((t) => t.freeFailures < t.lockoutFailures, { message: 'freeFailures must be below lockoutFailures', path: ['freeFailures'] })
          .prefault({}),
      })
      .strict()
      .prefault({}),
    push: z
      .object({
        ttlSeconds: int(10, 600).default(120),
        numberMatchDigits: int(2, 6).default(2),
        numberMatch: z.boolean().default(true),
        maxPendingPerUser: int(1, 1000).default(3),
        requireUserVerification: z.boolean().default(false),
        suspiciousPauseMs: int(0, MAX_DELAY_MS).default(900_000),
        maxSkewMs: int(0, 300_000).default(60_000),
        pollLimit: int(1, 100).default(10),
      })
      .strict()
      .prefault({}),
    maxEnrolmentsPerUser: int(1, 100).default(10),
    // Off by default: each configured limit costs one store write per request.
    rateLimits: z.object({ verify: rateLimitsOf, push: rateLimitsOf }).strict().prefault({}),
  })
  .strict();

/**
 * The resolved server policy (every field present). See docs/server.md section 8 for the
 * meaning and default of each field.
 *
 * @example
 * ```ts
 * const p: MfaServerPolicy = server.policy;
 * console.log(p.throttle.lockoutFailures); // 10
 * ```
 */
export type MfaServerPolicy = z.output<typeof policySchema>;

/**
 * What `createMfaServer({ policy })` accepts: any subset of {@link MfaServerPolicy}, nested
 * objects partial too.
 *
 * @example
 * ```ts
 * const policy: MfaServerPolicyInput = { app: { pinRequired: false }, throttle: { lockoutFailures: 5 } };
 * ```
 */
export type MfaServerPolicyInput = z.input<typeof policySchema>;

/**
 * Validates a partial policy and fills the documented defaults. Throws `ERR_SERVER_POLICY`
 * naming the first offending path (never its value).
 *
 * @example
 * ```ts
 * const policy = resolveServerPolicy({ otp: { digits: 8 } });
 * policy.otp.period; // 30
 * ```
 */
export function resolveServerPolicy(input: MfaServerPolicyInput | undefined = {}): MfaServerPolicy {
  const parsed = policySchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    throw serverError('ERR_SERVER_POLICY', `"policy.${path}": ${issue?.message ?? 'invalid'}`);
  }
  return deepFreeze(parsed.data);
}

/**
 * The defaults: what `resolveServerPolicy({})` returns (frozen).
 *
 * @example
 * ```ts
 * DEFAULT_SERVER_POLICY.activation.lifetimeSeconds; // 300
 * ```
 */
export const DEFAULT_SERVER_POLICY: Readonly<MfaServerPolicy> = /* @__PURE__ */ resolveServerPolicy({});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
