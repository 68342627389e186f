// SHA-1 (FIPS 180-4 section 6.1) on @noble/hashes' Merkle-Damgard base class.
//
// Why not `sha1` from `@noble/hashes/legacy.js`: that module also carries MD5 and RIPEMD-160,
// and Metro (React Native) does not tree-shake, so every app would ship both for nothing
// (2.0 KB min+gzip of the client's bundle, docs/benchmarks.md). The provider needs SHA-1 for
// HMAC-SHA1, the OTP default. test/sha1.test.ts checks it against noble's and FIPS 180-4's vectors.
import { HashMD } from '@noble/hashes/_md.js';
import { type CHash, createHasher } from '@noble/hashes/utils.js';

const IV = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
// The message schedule, shared by every instance (it is wiped after each block).
const W = /* @__PURE__ */ new Int32Array(80);
const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

class Sha1 extends HashMD<Sha1> {
  private readonly h = Int32Array.from(IV);
  constructor() {
    super(64, 20, 8, false);
  }
  protected get(): number[] {
    return Array.from(this.h);
  }
  protected set(...words: number[]): void {
    this.h.set(words);
  }
  protected process(view: DataView, offset: number): void {
    for (let i = 0; i < 16; i++) W[i] = view.getUint32(offset + 4 * i, false);
    for (let i = 16; i < 80; i++) W[i] = rotl((W[i - 3] as number) ^ (W[i - 8] as number) ^ (W[i - 14] as number) ^ (W[i - 16] as number), 1);
    const h = this.h;
    let a = h[0] as number;
    let b = h[1] as number;
    let c = h[2] as number;
    let d = h[3] as number;
    let e = h[4] as number;
    for (let i = 0; i < 80; i++) {
      // f_t and K_t of the four 20-round stages: Ch, Parity, Maj, Parity.
      const f = i < 20 ? (b & c) | (~b & d) : i < 40 || i >= 60 ? b ^ c ^ d : (b & c) | (b & d) | (c & d);
      const k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc : 0xca62c1d6;
      const t = (rotl(a, 5) + f + e + k + (W[i] as number)) | 0;
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = t;
    }
    h[0] = (h[0] as number) + a;
    h[1] = (h[1] as number) + b;
    h[2] = (h[2] as number) + c;
    h[3] = (h[3] as number) + d;
    h[4] = (h[4] as number) + e;
  }
  protected roundClean(): void {
    W.fill(0);
  }
  destroy(): void {
    this.destroyed = true;
    this.h.fill(0);
    this.buffer.fill(0);
  }
  _cloneInto(to?: Sha1): Sha1 {
    const out = to ?? new Sha1();
    out.h.set(this.h);
    return this._cloneIntoMeta(out);
  }
}

/** SHA-1 as a noble hash function (`sha1(message)`, `sha1.create()`, usable with noble's `hmac`). */
export const sha1: CHash = /* @__PURE__ */ createHasher(() => new Sha1());
