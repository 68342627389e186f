import { CloudMfaError } from './errors.js';

/**
 * Asserts `value` is a `Uint8Array`, optionally of an exact length or a length range.
 * The message names the argument and what was expected, never its contents.
 *
 * @example
 * ```ts
 * assertBytes(key, 'secret', { min: 10 }); // '"secret" expected at least 10 bytes, got 8'
 * ```
 */
export function assertBytes(
  value: unknown,
  title: string,
  length?: number | { min?: number; max?: number },
): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected Uint8Array, got ${describe(value)}`);
  }
  if (typeof length === 'number') {
    if (value.length !== length) {
      throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected ${length} bytes, got ${value.length}`);
    }
  } else if (length) {
    if (length.min !== undefined && value.length < length.min) {
      throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected at least ${length.min} bytes, got ${value.length}`);
    }
    if (length.max !== undefined && value.length > length.max) {
      throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected at most ${length.max} bytes, got ${value.length}`);
    }
  }
}

/**
 * Asserts `value` is a safe integer within `[min, max]`.
 *
 * @example
 * ```ts
 * assertInteger(digits, 'digits', 6, 10);
 * ```
 */
export function assertInteger(value: unknown, title: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected an integer, got ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected an integer in [${min}, ${max}], got ${value}`);
  }
}

/**
 * Asserts `value` is a string of at most `maxLength` UTF-16 code units.
 *
 * @example
 * ```ts
 * assertString(issuer, 'issuer', 256);
 * ```
 */
export function assertString(value: unknown, title: string, maxLength = Infinity): asserts value is string {
  if (typeof value !== 'string') {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected a string, got ${describe(value)}`);
  }
  if (value.length > maxLength) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected at most ${maxLength} characters, got ${value.length}`);
  }
}

// Describes a value's type without echoing it: an argument may be a secret.
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
