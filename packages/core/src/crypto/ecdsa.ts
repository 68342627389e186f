import { isBytes } from '../assert.js';
import { CloudMfaError } from '../errors.js';

// P-256 group order n and n/2, as big-endian bytes.
const N = /* @__PURE__ */ Uint8Array.from([
  0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
]);
const HALF_N = /* @__PURE__ */ Uint8Array.from([
  0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8,
]);

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number) ? -1 : 1;
  return 0;
}

function isZero(a: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
}

/**
 * True when `raw` is a 64-byte P-256 signature whose `s` is at most n/2 (the low-S form).
 * It does not check that `r` and `s` are in range; {@link normalizeP256Signature} does.
 *
 * @example
 * ```ts
 * isLowS(signature); // true for everything the SDK produces
 * ```
 */
export function isLowS(raw: Uint8Array): boolean {
  return isBytes(raw) && raw.length === 64 && compare(raw.subarray(32), HALF_N) <= 0;
}

function bad(message: string): never {
  throw new CloudMfaError('ERR_SIGNATURE_FORMAT', message);
}

/**
 * Converts a DER `ECDSA-Sig-Value` (what Secure Enclave, Android Keystore and most HSMs
 * return) into raw P-256 `r || s` (64 bytes), as JWS ES256 requires. Strict DER only:
 * long-form lengths, negative or non-minimal integers, integers wider than 32 bytes and
 * trailing bytes are refused with `ERR_SIGNATURE_FORMAT`. It converts and does not range-check
 * `r` and `s`; {@link normalizeP256Signature} does.
 *
 * @example
 * ```ts
 * const raw = derToRawSignature(await keystore.sign(bytes));
 * ```
 */
export function derToRawSignature(der: Uint8Array): Uint8Array {
  if (!isBytes(der) || der.length < 8 || der.length > 72) bad('DER signature has an invalid length');
  if (der[0] !== 0x30) bad('DER signature does not start with a SEQUENCE');
  if (der[1] !== der.length - 2) bad('DER signature SEQUENCE length does not match');
  let offset = 2;
  const out = new Uint8Array(64);
  for (let k = 0; k < 2; k++) {
    if (der[offset] !== 0x02) bad('DER signature expected an INTEGER');
    const len = der[offset + 1] as number;
    if (len === 0 || len > 33 || offset + 2 + len > der.length) bad('DER signature INTEGER has an invalid length');
    const int = der.subarray(offset + 2, offset + 2 + len);
    if ((int[0] as number) & 0x80) bad('DER signature INTEGER is negative');
    if (len > 1 && int[0] === 0 && !((int[1] as number) & 0x80)) bad('DER signature INTEGER is not minimally encoded');
    const value = int[0] === 0 ? int.subarray(1) : int;
    if (value.length > 32) bad('DER signature INTEGER is too large');
    out.set(value, k * 32 + 32 - value.length);
    offset += 2 + len;
  }
  if (offset !== der.length) bad('DER signature has trailing bytes');
  return out;
}

function derInt(v: Uint8Array): Uint8Array {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  const body = v.subarray(i);
  const pad = (body[0] as number) & 0x80 ? 1 : 0;
  const out = new Uint8Array(2 + pad + body.length);
  out[0] = 0x02;
  out[1] = pad + body.length;
  out.set(body, 2 + pad);
  return out;
}

/**
 * Converts raw P-256 `r || s` (64 bytes, else `ERR_SIGNATURE_FORMAT`) into minimal DER, for
 * platforms whose verifiers want DER.
 *
 * @example
 * ```ts
 * const der = rawToDerSignature(jwsSignatureBytes);
 * ```
 */
export function rawToDerSignature(raw: Uint8Array): Uint8Array {
  if (!isBytes(raw) || raw.length !== 64) bad('raw signature expected 64 bytes');
  const r = derInt(raw.subarray(0, 32));
  const s = derInt(raw.subarray(32));
  const out = new Uint8Array(2 + r.length + s.length);
  out[0] = 0x30;
  out[1] = r.length + s.length;
  out.set(r, 2);
  out.set(s, 2 + r.length);
  return out;
}

/**
 * How {@link normalizeP256Signature} reads its input: `'der'`, `'raw'` (64 bytes `r || s`), or
 * `'auto'` (64 bytes are raw, any other length is DER).
 *
 * @example
 * ```ts
 * const format: P256SignatureFormat = 'der'; // Android Keystore, Secure Enclave
 * ```
 */
export type P256SignatureFormat = 'auto' | 'der' | 'raw';

/**
 * Brings a P-256 signature (DER or raw) to the one form the SDK puts on the wire: raw
 * `r || s` with low S (`s' = n - s` when `s > n/2`, which is an equally valid signature).
 * Zero or out-of-range `r`/`s` and malformed input throw `ERR_SIGNATURE_FORMAT`. Returns a new
 * array; the input is not modified.
 *
 * With `format = 'auto'`, 64 bytes are read as raw and anything else as DER. A DER signature
 * is itself 64 bytes long about once in 2^47, so a caller that knows its format says so.
 *
 * @example
 * ```ts
 * const wire = normalizeP256Signature(await secureEnclave.sign(bytes), 'der');
 * ```
 */
export function normalizeP256Signature(signature: Uint8Array, format: P256SignatureFormat = 'auto'): Uint8Array {
  if (format !== 'auto' && format !== 'der' && format !== 'raw') {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"format" expected auto, der or raw');
  }
  if (!isBytes(signature)) bad('signature expected Uint8Array');
  let raw: Uint8Array;
  if (format === 'raw' || (format === 'auto' && signature.length === 64)) {
    if (signature.length !== 64) bad('raw signature expected 64 bytes');
    raw = Uint8Array.from(signature);
  } else {
    raw = derToRawSignature(signature);
  }
  const r = raw.subarray(0, 32);
  const s = raw.subarray(32);
  if (isZero(r) || isZero(s) || compare(r, N) >= 0 || compare(s, N) >= 0) bad('signature scalar out of range');
  if (compare(s, HALF_N) > 0) {
    // s := n - s, big-endian subtraction (n > s here, so no final borrow).
    let borrow = 0;
    for (let i = 31; i >= 0; i--) {
      let d = (N[i] as number) - (s[i] as number) - borrow;
      borrow = d < 0 ? 1 : 0;
      if (d < 0) d += 256;
      s[i] = d;
    }
  }
  return raw;
}
