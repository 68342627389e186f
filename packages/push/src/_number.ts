import { CloudMfaError, type RandomSource } from '@cloudmfa/core';

const MAX_DRAWS = 64;

// Uniform in [10^(d-1), 10^d - 1] by rejection sampling over 32-bit draws: no modulo bias,
// no leading zero (so "07" and "7" never compete).
export function drawNumber(random: RandomSource, digits: number): string {
  const low = 10 ** (digits - 1);
  const span = 9 * low;
  const limit = Math.floor(0x1_0000_0000 / span) * span;
  for (let i = 0; i < MAX_DRAWS; i++) {
    const b = random(4);
    const v = (((b[0] as number) << 24) >>> 0) + ((b[1] as number) << 16) + ((b[2] as number) << 8) + (b[3] as number);
    if (v < limit) return String(low + (v % span));
  }
  throw new CloudMfaError('ERR_NO_RANDOM_SOURCE', 'the random source keeps returning values outside the sampling range');
}
