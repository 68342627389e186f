// Public types of @cloudmfa/otp. Types only: no runtime code lives here.

/**
 * The HMAC hash of an OTP. SHA1 is the RFC 4226 default and the only one every authenticator
 * app honours.
 *
 * @example
 * ```ts
 * const algorithm: OtpAlgorithm = 'SHA256';
 * ```
 */
export type OtpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

/**
 * Stable codes of the errors `@cloudmfa/otp` throws (as `CloudMfaError.code`). Besides these,
 * core's `ERR_BASE32_INVALID`, `ERR_NO_RANDOM_SOURCE` and `ERR_INVALID_ARGUMENT` can surface.
 * See docs/otp.md for when each is thrown.
 *
 * @example
 * ```ts
 * if (isCloudMfaError(err, 'ERR_OTPAUTH_SECRET' satisfies OtpErrorCode)) askAgain();
 * ```
 */
export type OtpErrorCode =
  | 'ERR_OTP_SECRET'
  | 'ERR_OTP_ALGORITHM'
  | 'ERR_OTP_DIGITS'
  | 'ERR_OTP_COUNTER'
  | 'ERR_OTP_PERIOD'
  | 'ERR_OTP_T0'
  | 'ERR_OTP_TIME'
  | 'ERR_OTP_WINDOW'
  | 'ERR_OTP_AFTER_STEP'
  | 'ERR_OTP_CODES'
  | 'ERR_OTP_CRYPTO'
  | 'ERR_OTPAUTH_TOO_LONG'
  | 'ERR_OTPAUTH_SCHEME'
  | 'ERR_OTPAUTH_TYPE'
  | 'ERR_OTPAUTH_ENCODING'
  | 'ERR_OTPAUTH_LABEL'
  | 'ERR_OTPAUTH_ISSUER'
  | 'ERR_OTPAUTH_ISSUER_MISMATCH'
  | 'ERR_OTPAUTH_PARAMETER'
  | 'ERR_OTPAUTH_SECRET'
  | 'ERR_OTPAUTH_ALGORITHM'
  | 'ERR_OTPAUTH_DIGITS'
  | 'ERR_OTPAUTH_PERIOD'
  | 'ERR_OTPAUTH_COUNTER'
  | 'ERR_MIGRATION_SCHEME'
  | 'ERR_MIGRATION_DATA'
  | 'ERR_MIGRATION_TOO_LARGE'
  | 'ERR_MIGRATION_VARINT'
  | 'ERR_MIGRATION_PROTOBUF'
  | 'ERR_MIGRATION_SECRET'
  | 'ERR_MIGRATION_NAME'
  | 'ERR_MIGRATION_ALGORITHM'
  | 'ERR_MIGRATION_DIGITS'
  | 'ERR_MIGRATION_TYPE'
  | 'ERR_MIGRATION_COUNTER'
  | 'ERR_MIGRATION_PERIOD'
  | 'ERR_MIGRATION_BATCH';

/**
 * Stable codes of the warnings returned beside a result: something was accepted that a careful
 * caller may want to show or log. Never contains secret material.
 *
 * @example
 * ```ts
 * const { warnings } = parseOtpauthUri({ uri, lenient: true });
 * if (warnings.some((w) => w.code === 'SECRET_SHORT')) suggestReEnrolment();
 * ```
 */
export type OtpWarningCode =
  | 'SECRET_SHORT'
  | 'ISSUER_MISSING'
  | 'ISSUER_MISMATCH'
  | 'GA_ALGORITHM'
  | 'GA_DIGITS'
  | 'GA_PERIOD'
  | 'PLUS_AS_SPACE'
  | 'UNENCODED_CHARACTER'
  | 'LABEL_ENCODED_SEPARATOR'
  | 'LABEL_COLON'
  | 'UNKNOWN_PARAMETER'
  | 'PARAMETER_NOT_FOR_TYPE'
  | 'PARAMETER_CASE'
  | 'EMPTY_PARAMETER'
  | 'ALGORITHM_SPELLING'
  | 'COUNTER_MISSING';

/**
 * A warning: a stable `code` and a human-readable `message` (wording may change; test the code).
 *
 * @example
 * ```ts
 * for (const w of key.warnings) console.warn(`${w.code}: ${w.message}`);
 * ```
 */
export interface OtpWarning {
  readonly code: OtpWarningCode;
  readonly message: string;
}

/**
 * A reusable, opaque OTP key made by `createOtpKey`: the HMAC state of one secret, computed
 * once. Only these descriptive fields are visible; the secret-derived state is not reachable
 * from the object (it does not show in `JSON.stringify` or `console.log`).
 *
 * @example
 * ```ts
 * const key = createOtpKey({ secret: 'JBSWY3DPEHPK3PXP' });
 * key.algorithm; // 'SHA1'
 * key.bits; // 80
 * key.warnings; // [{ code: 'SECRET_SHORT', ... }]
 * ```
 */
export interface OtpKey {
  readonly algorithm: OtpAlgorithm;
  /** Secret length in bits. */
  readonly bits: number;
  readonly warnings: readonly OtpWarning[];
}

/**
 * What `hotp`, `totp` and the verify functions accept as the secret: an {@link OtpKey} (fastest:
 * made once and reused) or raw bytes. For a base32 secret, make a key:
 * `createOtpKey({ secret: base32 })`; keeping base32 out of these functions keeps them small to bundle.
 *
 * @example
 * ```ts
 * const secret: OtpSecret = createOtpKey({ secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', algorithm: 'SHA256' });
 * ```
 */
export type OtpSecret = OtpKey | Uint8Array;

/**
 * Result of `verifyTotp`. On success, **store `step` and pass it back as `afterStep`**, or the
 * same code can be replayed within its window.
 *
 * @example
 * ```ts
 * const r = verifyTotp({ secret: key, code, afterStep: user.lastStep });
 * if (r.ok) user.lastStep = r.step; else show(r.reason);
 * ```
 */
export type TotpVerifyResult =
  | { readonly ok: true; readonly delta: number; readonly step: number }
  | { readonly ok: false; readonly reason: 'format' | 'length' | 'mismatch' | 'replayed' };

/**
 * Result of `verifyHotp` and `resyncHotp`. On success, **store `counter + 1`** as the next
 * expected counter, or the code can be replayed.
 *
 * @example
 * ```ts
 * const r = verifyHotp({ secret: key, code, counter: user.counter });
 * if (r.ok) user.counter = r.counter + 1;
 * ```
 */
export type HotpVerifyResult =
  | { readonly ok: true; readonly delta: number; readonly counter: number }
  | { readonly ok: false; readonly reason: 'format' | 'length' | 'mismatch' };

/**
 * The fields of an `otpauth://` URI, as `parseOtpauthUri` returns them (all defaults filled).
 *
 * @example
 * ```ts
 * const p: OtpauthParams = { type: 'totp', secret, account: 'alice@example.com', issuer: 'Acme', algorithm: 'SHA1', digits: 6, period: 30 };
 * ```
 */
export type OtpauthParams = OtpauthCommon & ({ type: 'totp'; period: number } | { type: 'hotp'; counter: number });

/**
 * Fields shared by TOTP and HOTP `otpauth://` URIs.
 *
 * @example
 * ```ts
 * const common: OtpauthCommon = { secret, account: 'alice', algorithm: 'SHA1', digits: 6 };
 * ```
 */
export interface OtpauthCommon {
  secret: Uint8Array;
  /** The account name (the label after the issuer prefix). */
  account: string;
  /** The effective issuer: the `issuer` parameter, else the label prefix. */
  issuer?: string;
  /**
   * The label prefix, only when it differs from `issuer` (accepted in lenient mode). The
   * formatter writes it back as the prefix so the URI round-trips.
   */
  labelIssuer?: string;
  algorithm: OtpAlgorithm;
  digits: number;
  /** Parameters the parser did not interpret (lenient mode), in order; written back by the formatter. */
  extraParameters?: Array<[name: string, value: string]>;
}

/**
 * Input of `formatOtpauthUri` and `exportMigration`: like {@link OtpauthParams} with defaults
 * (`algorithm` SHA1, `digits` 6, `period` 30) optional and the secret as bytes or base32.
 *
 * @example
 * ```ts
 * formatOtpauthUri({ type: 'totp', secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', issuer: 'Acme', account: 'alice' });
 * ```
 */
export type OtpauthInput = Omit<OtpauthCommon, 'secret' | 'algorithm' | 'digits'> & {
  secret: Uint8Array | string;
  algorithm?: OtpAlgorithm;
  digits?: number;
} & ({ type: 'totp'; period?: number } | { type: 'hotp'; counter: number });

/**
 * A parsed `otpauth://` URI and what the parser tolerated.
 *
 * @example
 * ```ts
 * const { issuer, account, warnings } = parseOtpauthUri({ uri });
 * ```
 */
export type ParsedOtpauthUri = OtpauthParams & { warnings: OtpWarning[] };

/**
 * Result of `importMigration`.
 *
 * @example
 * ```ts
 * const { accounts, complete, batchSize, indexes } = importMigration(scanned);
 * if (!complete) askForTheNextQr(batchSize - indexes.length);
 * ```
 */
export interface MigrationImport {
  /** Accounts in batch-index order, then payload order. */
  accounts: ParsedOtpauthUri[];
  version: number;
  batchId: number;
  batchSize: number;
  /** The batch indexes seen, sorted. */
  indexes: number[];
  /** Every index `0 .. batchSize - 1` was seen. */
  complete: boolean;
}
