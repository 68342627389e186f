import { CloudMfaError } from './errors.js';

/**
 * True for a `Uint8Array`, including one from another realm (an iframe, a VM context) where
 * `instanceof` fails. Internal: the public check is {@link assertBytes}.
 */
export function isBytes(value: unknown): value is Uint8Array {
  return (
    value instanceof Uint8Array ||
    (ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]')
  );
}

/**
 * Asserts `value` is a `Uint8Array`, optionally of an exact length or a length range.
 * The message names the argument and what was expected, never its contents.
 *
 * @example
 * ```ts
 * assertBytes(key, 'secret', { min: 10 }); // throws ERR_INVALID_ARGUMENT: '"secret" expected at least 10 bytes, got 8'
 * assertBytes(salt, 'salt', 16);
 * ```
 */
export function assertBytes(
  value: unknown,
  title: string,
  length?: number | { min?: number; max?: number },
): asserts value is Uint8Array {
  if (!isBytes(value)) {
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
 * assertInteger(digits, 'digits', 6, 10); // throws ERR_INVALID_ARGUMENT: '"digits" expected an integer in [6, 10], got 12'
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
 * assertString(issuer, 'issuer', 256); // throws ERR_INVALID_ARGUMENT: '"issuer" expected at most 256 characters, got 300'
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

/**
 * Describes a value's type without echoing it: an argument may be a secret. Objects are named
 * by their built-in tag, not by `constructor.name`, which parsed JSON can set to any text.
 * Internal.
 */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'object') {
    const tag = Object.prototype.toString.call(value).slice(8, -1);
    return /^[A-Za-z0-9]{1,32}$/.test(tag) ? tag : 'object';
  }
  return typeof value;
}
