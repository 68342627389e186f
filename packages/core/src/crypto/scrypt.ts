// scrypt (RFC 7914) on this package's PBKDF2-HMAC-SHA256 (kdf.ts), for the pure-JS provider.
// The Salsa20/8 core, BlockMix and the ROMix loops are those of @noble/hashes 2.4.0's `scrypt.js` (MIT, (c) 2022
// Paul Miller; the licence is in this package's THIRD_PARTY_NOTICES.md), unchanged but for types. Why not that module: it imports noble's `sha2.js`,
// which would put a second SHA-2 (with `_md.js`, `_u64.js`) in every phone bundle (Metro does
// not tree-shake; docs/benchmarks.md). Parameters are validated by `checkScrypt` before this
// runs (power-of-two N, r and p >= 1, the memory and work ceilings). test/kdf.test.ts checks the
// RFC 7914 vectors and noble's own scrypt.
import { asyncLoop, clean, rotl, swap32IfBE, u32 } from '@noble/hashes/utils.js';
import { pbkdf2Sha256 } from './kdf.js';
import type { ScryptParams } from './types.js';

// prettier-ignore
function XorAndSalsa(prev: Uint32Array, pi: number, input: Uint32Array, ii: number, out: Uint32Array, oi: number): void {
    // Based on https://cr.yp.to/salsa20.html and RFC 7914's Salsa20/8 core.
    // Xor blocks
    let y00 = (prev[pi++] as number) ^ (input[ii++] as number), y01 = (prev[pi++] as number) ^ (input[ii++] as number);
    let y02 = (prev[pi++] as number) ^ (input[ii++] as number), y03 = (prev[pi++] as number) ^ (input[ii++] as number);
    let y04 = (prev[pi++] as number) ^ (input[ii++] as number), y05 = (prev[pi++] as number) ^ (input[ii++] as number);
    let y06 = (prev[pi++] as number) ^ (input[ii++] as number), y07 = (prev[pi++] as number) ^ (input[ii++] as number);
    let y08 = (prev[pi++] as number) ^ (input[ii++] as number), y09 = (prev[pi++] as number) ^ (input[ii++] as number);
    let y10 = (prev[pi++] as number) ^ (input[ii++] as number), y11 = (prev[pi++] as number) ^ (input[ii++] as number);
    let y12 = (prev[pi++] as number) ^ (input[ii++] as number), y13 = (prev[pi++] as number) ^ (input[ii++] as number);
    let y14 = (prev[pi++] as number) ^ (input[ii++] as number), y15 = (prev[pi++] as number) ^ (input[ii++] as number);
    // Save state to temporary variables (salsa)
    let x00 = y00, x01 = y01, x02 = y02, x03 = y03, x04 = y04, x05 = y05, x06 = y06, x07 = y07, x08 = y08, x09 = y09, x10 = y10, x11 = y11, x12 = y12, x13 = y13, x14 = y14, x15 = y15;
    // Main loop (salsa)
    for (let i = 0; i < 8; i += 2) {
        x04 ^= rotl(x00 + x12 | 0, 7);
        x08 ^= rotl(x04 + x00 | 0, 9);
        x12 ^= rotl(x08 + x04 | 0, 13);
        x00 ^= rotl(x12 + x08 | 0, 18);
        x09 ^= rotl(x05 + x01 | 0, 7);
        x13 ^= rotl(x09 + x05 | 0, 9);
        x01 ^= rotl(x13 + x09 | 0, 13);
        x05 ^= rotl(x01 + x13 | 0, 18);
        x14 ^= rotl(x10 + x06 | 0, 7);
        x02 ^= rotl(x14 + x10 | 0, 9);
        x06 ^= rotl(x02 + x14 | 0, 13);
        x10 ^= rotl(x06 + x02 | 0, 18);
        x03 ^= rotl(x15 + x11 | 0, 7);
        x07 ^= rotl(x03 + x15 | 0, 9);
        x11 ^= rotl(x07 + x03 | 0, 13);
        x15 ^= rotl(x11 + x07 | 0, 18);
        x01 ^= rotl(x00 + x03 | 0, 7);
        x02 ^= rotl(x01 + x00 | 0, 9);
        x03 ^= rotl(x02 + x01 | 0, 13);
        x00 ^= rotl(x03 + x02 | 0, 18);
        x06 ^= rotl(x05 + x04 | 0, 7);
        x07 ^= rotl(x06 + x05 | 0, 9);
        x04 ^= rotl(x07 + x06 | 0, 13);
        x05 ^= rotl(x04 + x07 | 0, 18);
        x11 ^= rotl(x10 + x09 | 0, 7);
        x08 ^= rotl(x11 + x10 | 0, 9);
        x09 ^= rotl(x08 + x11 | 0, 13);
        x10 ^= rotl(x09 + x08 | 0, 18);
        x12 ^= rotl(x15 + x14 | 0, 7);
        x13 ^= rotl(x12 + x15 | 0, 9);
        x14 ^= rotl(x13 + x12 | 0, 13);
        x15 ^= rotl(x14 + x13 | 0, 18);
    }
    // Write output (salsa)
    out[oi++] = (y00 + x00) | 0;
    out[oi++] = (y01 + x01) | 0;
    out[oi++] = (y02 + x02) | 0;
    out[oi++] = (y03 + x03) | 0;
    out[oi++] = (y04 + x04) | 0;
    out[oi++] = (y05 + x05) | 0;
    out[oi++] = (y06 + x06) | 0;
    out[oi++] = (y07 + x07) | 0;
    out[oi++] = (y08 + x08) | 0;
    out[oi++] = (y09 + x09) | 0;
    out[oi++] = (y10 + x10) | 0;
    out[oi++] = (y11 + x11) | 0;
    out[oi++] = (y12 + x12) | 0;
    out[oi++] = (y13 + x13) | 0;
    out[oi++] = (y14 + x14) | 0;
    out[oi++] = (y15 + x15) | 0;
}
function BlockMix(input: Uint32Array, ii: number, out: Uint32Array, oi: number, r: number): void {
    // The block B is `r` 128-byte chunks, i.e. `2r` 16-word (64-byte) Salsa blocks.
    let head = oi + 0;
    let tail = oi + 16 * r;
    for (let i = 0; i < 16; i++)
        out[tail + i] = input[ii + (2 * r - 1) * 16 + i] as number; // X ← B[2r−1]
    for (let i = 0; i < r; i++, head += 16, ii += 16) {
        // RFC 7914 §4 step 3 outputs `Y[0], Y[2], ...` first, then `Y[1], Y[3], ...`;
        // `head` and `tail` lay out those even/odd halves in place.
        XorAndSalsa(out, tail, input, ii, out, head); // head[i] = Salsa(blockIn[2*i] ^ tail[i-1])
        if (i > 0)
            tail += 16; // First iteration overwrites tmp value in tail
        // tail[i] = Salsa(blockIn[2*i+1] ^ head[i])
        XorAndSalsa(out, head, input, (ii += 16), out, tail);
    }
}
// 128*r*(N+p+1) for N=2**20, r=8, p=1: 1 GiB main table plus 2 KiB workspace.
/** scrypt(password, salt, N, r, p, dkLen); yields to the event loop every 10 ms. */
export async function scryptAsync(password: Uint8Array, salt: Uint8Array, { N, r, p, dkLen }: ScryptParams): Promise<Uint8Array> {
  const blockSize = 128 * r;
  const blockSize32 = blockSize / 4;
  const B = await pbkdf2Sha256(password, salt, 1, blockSize * p);
  const B32 = u32(B);
  const V = u32(new Uint8Array(blockSize * N));
  const tmp = u32(new Uint8Array(blockSize));
  const abort = () => clean(B, V, tmp);
  swap32IfBE(B32);
  for (let pi = 0; pi < p; pi++) {
    const Pi = blockSize32 * pi;
    for (let i = 0; i < blockSize32; i++) V[i] = B32[Pi + i] as number; // V[0] = B[i]
    let pos = 0;
    await asyncLoop(
      N - 1,
      10,
      () => {
        BlockMix(V, pos, V, (pos += blockSize32), r); // V[i] = BlockMix(V[i-1]);
      },
      abort,
    );
    BlockMix(V, (N - 1) * blockSize32, B32, Pi, r); // Process last element
    await asyncLoop(
      N,
      10,
      () => {
        const j = ((B32[Pi + blockSize32 - 16] as number) & (N - 1)) >>> 0; // j = Integrify(X) % iterations
        for (let k = 0; k < blockSize32; k++) tmp[k] = (B32[Pi + k] as number) ^ (V[j * blockSize32 + k] as number);
        BlockMix(tmp, 0, B32, Pi, r); // B = BlockMix(B ^ V[j])
      },
      abort,
    );
  }
  swap32IfBE(B32);
  const res = await pbkdf2Sha256(password, B, 1, dkLen);
  clean(B, V, tmp);
  return res;
}
