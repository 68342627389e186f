import { assertBytes, assertString, describe, isBytes } from '../assert.js';
import { CloudMfaError } from '../errors.js';
import { checkHashAlgorithm, checkHkdf, checkPbkdf2, checkScrypt, checkVerify, HASH_OUTPUT_LENGTH } from './checks.js';
import { type CryptoProvider, pureJsCryptoProvider } from './provider.js';

const OPERATIONS = ['hmac', 'hash', 'hkdfSha256', 'scrypt', 'pbkdf2Sha256', 'p256Verify', 'ed25519Verify'] as const;
type Operation = (typeof OPERATIONS)[number];
type AnyFunction = (...args: any[]) => any;

// Wrappers this module made: they are not wrapped a second time when providers are layered.
const GUARDED = /* @__PURE__ */ new WeakSet<AnyFunction>();

/**
 * Options of {@link createCryptoProvider}: the operations to replace, the provider's `name`,
 * and the `base` provider the other operations come from.
 *
 * @example
 * ```ts
 * const options: CreateCryptoProviderOptions = { name: 'host-kdf', base: webCryptoProvider(), pbkdf2Sha256: hostPbkdf2 };
 * ```
 */
export type CreateCryptoProviderOptions = Partial<CryptoProvider> & {
  /** Where the operations not replaced here come from; default `pureJsCryptoProvider`. */
  base?: CryptoProvider;
};

/**
 * Builds a provider from a base (the pure-JS default unless given) with some operations
 * replaced by native ones, for example the host's PBKDF2/scrypt on a phone or Node's.
 *
 * - An operation comes from `options` when defined there (an `undefined` entry is ignored),
 *   otherwise from `base`; methods are called on their own object, so class instances work.
 * - An unknown key in a plain-object `options` (a typo such as `scrpyt`) or an operation that
 *   is not a function throws `ERR_INVALID_ARGUMENT`.
 * - Every host-supplied operation is guarded: its arguments are checked as the pure provider
 *   checks them (cost ceilings included) before the host sees them; a throw or an output of the
 *   wrong type or length becomes `ERR_CRYPTO_PROVIDER`, without the host's error as cause (it
 *   could quote a password); a host verifier counts only an exact `true` as valid and a
 *   verifier that throws returns `false`.
 * - `name` defaults to `` `${base.name}+custom` ``; the result is frozen.
 *
 * @example
 * ```ts
 * import { scrypt } from 'node:crypto';
 * const provider = createCryptoProvider({
 *   name: 'node-scrypt',
 *   scrypt: (pw, salt, { N, r, p, dkLen }) =>
 *     new Promise((ok, fail) =>
 *       scrypt(pw, salt, dkLen, { N, r, p, maxmem: 256 * N * r * p + (1 << 20) }, (e, k) => (e ? fail(e) : ok(new Uint8Array(k))))),
 * });
 * ```
 */
export function createCryptoProvider(options: CreateCryptoProviderOptions): CryptoProvider {
  if (typeof options !== 'object' || options === null) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"options" expected an object, got ${describe(options)}`);
  }
  // Read, not destructured: a class instance's operations live on its prototype.
  const overrides = options;
  const base = options.base === undefined ? pureJsCryptoProvider : options.base;
  if (typeof base !== 'object' || base === null) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"base" expected a CryptoProvider, got ${describe(base)}`);
  }
  // Only plain objects are checked for typos: a class instance may carry its own state.
  const proto = Object.getPrototypeOf(overrides);
  const plain = proto === Object.prototype || proto === null;
  for (const key of plain ? Object.keys(overrides) : []) {
    if (key !== 'name' && key !== 'base' && !(OPERATIONS as readonly string[]).includes(key)) {
      const shown = /^[A-Za-z0-9_$]{1,40}$/.test(key) ? `"${key}"` : 'with an unprintable name';
      throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"options" has an unknown operation ${shown}`);
    }
  }
  const name = overrides.name ?? (typeof base.name === 'string' ? `${base.name}+custom` : 'custom');
  assertString(name, 'name', 128);
  const merged: Record<string, unknown> = { name };
  for (const op of OPERATIONS) {
    const own = overrides[op];
    const source: object = own !== undefined ? overrides : base;
    const fn: unknown = own !== undefined ? own : base[op];
    if (typeof fn !== 'function') {
      throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${op}" expected a function, got ${describe(fn)}`);
    }
    merged[op] = guard(op, fn as AnyFunction, source, name);
  }
  return Object.freeze(merged) as unknown as CryptoProvider;
}

// A host error's `code` is kept when it looks like a Node or errno code (ERR_..., ENOMEM):
// diagnosable, and too constrained to carry a password.
function codeOf(err: unknown): string {
  try {
    const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
    return typeof code === 'string' && /^E[A-Z0-9_]{2,63}$/.test(code) ? ` (${code})` : '';
  } catch {
    return '';
  }
}

function guard(op: Operation, fn: AnyFunction, self: object, providerName: string): AnyFunction {
  if (fn === pureJsCryptoProvider[op] || GUARDED.has(fn)) return fn;
  const failed = (err: unknown): CloudMfaError =>
    new CloudMfaError('ERR_CRYPTO_PROVIDER', `"${op}" failed in crypto provider "${providerName}"${codeOf(err)}`);
  const malformed = (): CloudMfaError =>
    new CloudMfaError('ERR_CRYPTO_PROVIDER', `"${op}" returned malformed output in crypto provider "${providerName}"`);
  const bytesOf = (out: unknown, length: number): Uint8Array => {
    if (!isBytes(out) || out.length !== length) throw malformed();
    return out;
  };
  const callSync = (args: unknown[]): unknown => {
    try {
      return fn.apply(self, args);
    } catch (err) {
      throw failed(err);
    }
  };
  const callAsync = async (args: unknown[]): Promise<unknown> => {
    try {
      return await fn.apply(self, args);
    } catch (err) {
      throw failed(err);
    }
  };

  let wrapped: AnyFunction;
  switch (op) {
    case 'hmac':
      wrapped = (algorithm: unknown, key: unknown, message: unknown) => {
        const alg = checkHashAlgorithm(algorithm);
        assertBytes(key, 'key');
        assertBytes(message, 'message');
        return bytesOf(callSync([alg, key, message]), HASH_OUTPUT_LENGTH[alg]);
      };
      break;
    case 'hash':
      wrapped = (algorithm: unknown, message: unknown) => {
        const alg = checkHashAlgorithm(algorithm);
        assertBytes(message, 'message');
        return bytesOf(callSync([alg, message]), HASH_OUTPUT_LENGTH[alg]);
      };
      break;
    case 'hkdfSha256':
      wrapped = (ikm: unknown, salt: unknown, info: unknown, length: unknown) => {
        const len = checkHkdf(ikm, salt, info, length);
        return bytesOf(callSync([ikm, salt, info, len]), len);
      };
      break;
    case 'scrypt':
      wrapped = async (password: unknown, salt: unknown, params: unknown) => {
        const checked = checkScrypt(password, salt, params);
        return bytesOf(await callAsync([password, salt, checked]), checked.dkLen);
      };
      break;
    case 'pbkdf2Sha256':
      wrapped = async (password: unknown, salt: unknown, params: unknown) => {
        const checked = checkPbkdf2(password, salt, params);
        return bytesOf(await callAsync([password, salt, checked]), checked.dkLen);
      };
      break;
    case 'p256Verify':
    case 'ed25519Verify':
      wrapped = async (publicKey: unknown, message: unknown, signature: unknown) => {
        checkVerify(publicKey, message, signature);
        try {
          // Fail closed: only an exact `true` from the host is a valid signature.
          return (await fn.call(self, publicKey, message, signature)) === true;
        } catch {
          return false;
        }
      };
      break;
  }
  GUARDED.add(wrapped);
  return wrapped;
}
