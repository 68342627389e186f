// Compact JWS (RFC 7515) for the push messages: strict parsing with capped costs, signing with a
// core Signer, verification through a core CryptoProvider. Internal: the public operations wrap it.
import {
  CloudMfaError,
  type CryptoProvider,
  decodeBase64Url,
  encodeBase64Url,
  isCloudMfaError,
  normalizeP256Signature,
  type SignatureAlgorithm,
  type Signer,
  utf8Decode,
  utf8Encode,
} from '@cloudmfa/core';
import { sha256 } from '@cloudmfa/core/sha';
import { PUSH_LIMITS } from './constants.js';
import type { PushPublicKey } from './types.js';

/** A signature is 64 bytes for both ES256 (raw r || s) and Ed25519: 86 base64url characters. */
const SIGNATURE_SEGMENT_LENGTH = 86;
const KID_MAX = 128;

export interface ParsedJws {
  readonly alg: SignatureAlgorithm;
  readonly typ: string;
  readonly kid: string;
  /** ASCII bytes of `header "." payload`: what was signed. */
  readonly signingInput: Uint8Array;
  readonly payload: Uint8Array;
  readonly signature: Uint8Array;
}

/** ASCII bytes of `text[0, end)`. Callers only pass text whose characters are all below 128. */
export function asciiBytes(text: string, end = text.length): Uint8Array {
  const out = new Uint8Array(end);
  for (let i = 0; i < end; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** base64url SHA-256 of a token's exact characters (the response's `chash`). */
export function tokenHash(token: string): string {
  return encodeBase64Url(sha256(asciiBytes(token)));
}

/**
 * Strict UTF-8 to text. Headers and most claims are ASCII: those take a fast path (a byte below
 * 0x80 is its own code point); anything else goes through core's strict decoder.
 */
function decodeText(bytes: Uint8Array): string {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) >= 0x80) return utf8Decode(bytes);
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

function decodeSegment(segment: string): Uint8Array | null {
  try {
    return decodeBase64Url(segment);
  } catch {
    return null;
  }
}

function isExactHeader(value: unknown): value is { alg: string; typ: string; kid: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 3) return false;
  const v = value as Record<string, unknown>;
  for (const key of keys) if (key !== 'alg' && key !== 'typ' && key !== 'kid') return false;
  return typeof v.alg === 'string' && typeof v.typ === 'string' && typeof v.kid === 'string' && v.kid.length <= KID_MAX;
}

/**
 * Parses a compact JWS of one message kind, or returns `null` for anything malformed: too long
 * (checked first, before any decoding), not three segments, non-canonical base64url, a header
 * that is not exactly `{ alg, typ, kid }`, the wrong `typ`, an `alg` outside the allow-list.
 * Does not look at the payload's content and does not verify the signature.
 */
export function parseJws(
  token: unknown,
  maxLength: number,
  typ: string,
  algorithms: readonly SignatureAlgorithm[],
): ParsedJws | null {
  if (typeof token !== 'string' || token.length > maxLength) return null;
  const first = token.indexOf('.');
  if (first <= 0 || first > PUSH_LIMITS.headerLength) return null;
  const second = token.indexOf('.', first + 1);
  if (second <= first + 1 || token.indexOf('.', second + 1) !== -1) return null;
  if (token.length - second - 1 !== SIGNATURE_SEGMENT_LENGTH) return null;

  const headerBytes = decodeSegment(token.slice(0, first));
  if (!headerBytes) return null;
  let header: unknown;
  try {
    header = JSON.parse(decodeText(headerBytes));
  } catch {
    return null;
  }
  if (!isExactHeader(header) || header.typ !== typ) return null;
  const alg = header.alg as SignatureAlgorithm;
  if (!algorithms.includes(alg)) return null;

  const payload = decodeSegment(token.slice(first + 1, second));
  const signature = decodeSegment(token.slice(second + 1));
  if (!payload || !signature || signature.length !== 64) return null;
  // Every character before `second` passed the base64url decoder or is the dot: all ASCII.
  return { alg, typ, kid: header.kid, signingInput: asciiBytes(token, second), payload, signature };
}

/** JSON value of a verified payload, or `undefined` when it is not strict UTF-8 JSON. */
export function decodeJsonPayload(parsed: ParsedJws): unknown {
  try {
    return JSON.parse(decodeText(parsed.payload));
  } catch {
    return undefined;
  }
}

/**
 * True only when the token's `alg` and `kid` name `key` and its signature verifies under it.
 * ES256 signatures are brought to low S first: high S is a valid ES256 signature that other
 * JOSE libraries produce, and no rule of the protocol depends on one encoding per token.
 */
export async function verifyJwsSignature(
  parsed: ParsedJws,
  key: PushPublicKey,
  expectedKid: string,
  crypto: CryptoProvider,
): Promise<boolean> {
  if (parsed.alg !== key.algorithm || parsed.kid !== expectedKid) return false;
  try {
    if (key.algorithm === 'ES256') {
      const signature = normalizeP256Signature(parsed.signature);
      return (await crypto.p256Verify(key.publicKey, parsed.signingInput, signature)) === true;
    }
    return (await crypto.ed25519Verify(key.publicKey, parsed.signingInput, parsed.signature)) === true;
  } catch {
    return false;
  }
}

/**
 * Signs `claims` (already in wire order) as a compact JWS with header `{ alg, typ, kid }`.
 * A throwing signer becomes `ERR_PUSH_SIGN_FAILED` (its error as `cause`: host errors carry no
 * key material); ES256 output is normalised to raw low-S `r || s`, so a host key that returns
 * DER still yields a conformant token.
 */
export async function signJws(typ: string, kid: string, claims: object, signer: Signer): Promise<string> {
  const header = encodeBase64Url(utf8Encode(JSON.stringify({ alg: signer.algorithm, typ, kid })));
  const payload = encodeBase64Url(utf8Encode(JSON.stringify(claims)));
  const input = `${header}.${payload}`;
  let signature: Uint8Array;
  try {
    signature = await signer.sign(asciiBytes(input));
  } catch (cause) {
    // A signerFromHost wrapper already judged the host's output: its format verdict stands.
    if (isCloudMfaError(cause, 'ERR_SIGNATURE_FORMAT')) throw cause;
    throw new CloudMfaError('ERR_PUSH_SIGN_FAILED', 'the signer failed to sign the push message', { cause });
  }
  if (!(signature instanceof Uint8Array)) {
    throw new CloudMfaError('ERR_SIGNATURE_FORMAT', 'the signer returned something other than a Uint8Array');
  }
  if (signer.algorithm === 'ES256') signature = normalizeP256Signature(signature);
  else if (signature.length !== 64) {
    throw new CloudMfaError('ERR_SIGNATURE_FORMAT', 'Ed25519 signer returned a signature that is not 64 bytes');
  }
  return `${input}.${encodeBase64Url(signature)}`;
}
