// SHA-1, SHA-256 and SHA-512 as streaming hash objects in @noble/hashes' shape (callable,
// `.create()`, `update`/`digestInto`/`_cloneInto`), on the compressions of `sha.ts`, so that
// noble's HMAC, HKDF, PBKDF2, ECDSA (RFC 6979) and EdDSA run on them and no bundle carries a
// second SHA family. Misuse (non-bytes, a finished or destroyed instance, a short output
// buffer) throws ERR_INVALID_ARGUMENT. test/sha.test.ts checks them against @noble/hashes.
import type { CHash, Hash, TRet } from '@noble/hashes/utils.js';
import { assertBytes } from '../assert.js';
import { CloudMfaError } from '../errors.js';
import { type AlgIndex, BLOCK_BYTES, BUFFER_WORDS, COMPRESS, DIGEST_BYTES, IVS, readWord } from './sha.js';

const misuse = (what: string): CloudMfaError => new CloudMfaError('ERR_INVALID_ARGUMENT', `hash ${what}`);
// The block's words, shared by every instance of an algorithm: compression is synchronous.
// Wiped after each digest.
const WORDS = /* @__PURE__ */ BUFFER_WORDS.map((n) => new Int32Array(n));

class Sha implements Hash<Sha> {
  readonly blockLen: number;
  readonly outputLen: number;
  readonly canXOF = false;
  finished = false;
  destroyed = false;
  private readonly state: Int32Array;
  private readonly buffer: Uint8Array;
  private pos = 0;
  /** Bytes hashed so far (a double: exact up to 2^53). */
  private length = 0;

  constructor(private readonly alg: AlgIndex) {
    this.blockLen = BLOCK_BYTES[alg];
    this.outputLen = DIGEST_BYTES[alg];
    this.state = Int32Array.from(IVS[alg]);
    this.buffer = new Uint8Array(this.blockLen);
  }

  private check(): void {
    if (this.destroyed) throw misuse('instance was destroyed');
    if (this.finished) throw misuse('digest was already taken');
  }

  private compress(): void {
    const { buffer, alg } = this;
    const words = WORDS[alg] as Int32Array;
    for (let j = 0; j < this.blockLen / 4; j++) words[j] = readWord(buffer, 4 * j);
    COMPRESS[alg](this.state, words, this.state);
    this.pos = 0;
  }

  update(data: Uint8Array): this {
    this.check();
    assertBytes(data, 'data');
    const { buffer, blockLen } = this;
    for (let i = 0; i < data.length; ) {
      const take = Math.min(blockLen - this.pos, data.length - i);
      buffer.set(take === data.length ? data : data.subarray(i, i + take), this.pos);
      this.pos += take;
      i += take;
      if (this.pos === blockLen) this.compress();
    }
    this.length += data.length;
    return this;
  }

  digestInto(out: Uint8Array): void {
    this.check();
    assertBytes(out, 'output');
    if (out.length < this.outputLen) throw misuse(`output expected at least ${this.outputLen} bytes`);
    this.finished = true;
    // Padding (FIPS 180-4 5.1): 0x80, zeros, the bit length in the last 8 (SHA-1/256) or 16
    // (SHA-512, whose top 8 bytes stay zero) bytes of the block.
    const { buffer, blockLen } = this;
    buffer[this.pos++] = 0x80;
    if (this.pos > blockLen - blockLen / 8) {
      buffer.fill(0, this.pos);
      this.compress();
    }
    buffer.fill(0, this.pos);
    const bits = this.length * 8;
    const hi = Math.floor(bits / 4294967296);
    for (let i = 0; i < 4; i++) {
      buffer[blockLen - 1 - i] = bits >>> (8 * i);
      buffer[blockLen - 5 - i] = hi >>> (8 * i);
    }
    this.compress();
    const state = this.state;
    for (let i = 0; i < this.outputLen; i++) out[i] = (state[i >> 2] as number) >>> (24 - 8 * (i & 3));
    (WORDS[this.alg] as Int32Array).fill(0);
  }

  /** The digest; the instance is wiped and unusable after (noble's rule). */
  digest(): TRet<Uint8Array> {
    const out = new Uint8Array(this.outputLen);
    this.digestInto(out);
    this.destroy();
    return out;
  }

  _cloneInto(to?: Sha): Sha {
    const out = to ?? new Sha(this.alg);
    out.state.set(this.state);
    if (this.pos > 0) out.buffer.set(this.buffer.subarray(0, this.pos));
    out.pos = this.pos;
    out.length = this.length;
    out.finished = this.finished;
    out.destroyed = this.destroyed;
    return out;
  }

  clone(): Sha {
    return this._cloneInto();
  }

  /** Wipes the state and the buffered input; the instance is unusable after. */
  destroy(): void {
    this.destroyed = true;
    this.state.fill(0);
    this.buffer.fill(0);
  }
}

const hasher = (alg: AlgIndex): CHash =>
  Object.freeze(
    Object.assign((message: Uint8Array): TRet<Uint8Array> => new Sha(alg).update(message).digest(), {
      outputLen: DIGEST_BYTES[alg],
      blockLen: BLOCK_BYTES[alg],
      canXOF: false,
      create: () => new Sha(alg),
    }),
  );

/** SHA-1 (FIPS 180-4): `sha1(message)`, `sha1.create()`; usable with @noble/hashes' `hmac`. */
export const sha1: CHash = /* @__PURE__ */ hasher(0);
/**
 * SHA-256 (FIPS 180-4): `sha256(message)`, `sha256.create()`; usable with @noble/hashes' `hmac`.
 *
 * @example
 * ```ts
 * import { utf8Encode } from '@cloudmfa/core';
 * import { sha256 } from '@cloudmfa/core/sha';
 * const digest = sha256(utf8Encode('abc')); // 32 bytes, ba7816bf...
 * const streamed = sha256.create().update(utf8Encode('a')).update(utf8Encode('bc')).digest(); // the same
 * ```
 */
export const sha256: CHash = /* @__PURE__ */ hasher(1);
/** SHA-512 (FIPS 180-4): `sha512(message)`, `sha512.create()`; usable with @noble/hashes' `hmac`. */
export const sha512: CHash = /* @__PURE__ */ hasher(2);

