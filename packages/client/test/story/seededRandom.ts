// The story's deterministic bytes: SHA-256(label || counter32) blocks. No Node APIs, so the
// Hermes and Chromium runs of the story bundle it too; the recorded replies depend on this
// stream (the same as the server tests' seededRandom), so all runs share this one copy.
import { type RandomSource, utf8Encode } from '@cloudmfa/core';
import { sha256 } from '@noble/hashes/sha2.js';

/** Deterministic bytes for the story. Tests only. */
export function seededRandom(seed: string): RandomSource {
  let counter = 0;
  const label = utf8Encode(seed);
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let o = 0; o < n; o += 32) {
      const block = new Uint8Array(label.length + 4);
      block.set(label);
      new DataView(block.buffer).setUint32(label.length, counter++);
      out.set(sha256(block).subarray(0, Math.min(32, n - o)), o);
    }
    return out;
  };
}
