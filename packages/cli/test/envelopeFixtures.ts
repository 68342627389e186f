// Envelopes for the envelope and bad-input tests, sealed in-process with a pinned clock and
// random source, and byte-level edits of them made through base45 (so each edit reaches the
// decoder's check it is meant for, not the text parser).
import { decodeBase45, encodeBase45 } from '@cloudmfa/core';
import { NOW_MS, run } from './helpers.js';

export const PASSWORD = 'K7QM-2XRD-9HPT';
export const SEED_B32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
export const OFFLINE_URI = `otpauth://totp/Acme%20Corp:jane@acme.test?secret=${SEED_B32}&issuer=Acme%20Corp`;
export const NOW_S = NOW_MS / 1000;

/** Seals an offline envelope for {@link OFFLINE_URI} at `NOW_S`, default TTL. */
export async function sealOffline(extra: string[] = []): Promise<string> {
  const r = await run(['envelope', 'seal', '--uri', OFFLINE_URI, '--password', PASSWORD, '--now', String(NOW_S), ...extra]);
  if (r.status !== 0) throw new Error(`seal failed: ${r.stderr}`);
  return r.stdout.trim();
}

const PREFIX = 'CMFA:';

/** Applies `edit` to the envelope bytes and re-encodes the text. */
export function editEnvelope(text: string, edit: (bytes: Uint8Array) => Uint8Array): string {
  return PREFIX + encodeBase45(edit(decodeBase45(text.slice(PREFIX.length)).slice()));
}

/** Flips one bit of byte `index` (negative counts from the end). */
export function flipBit(text: string, index: number, bit = 0): string {
  return editEnvelope(text, (b) => {
    const i = index < 0 ? b.length + index : index;
    b[i] = (b[i] as number) ^ (1 << bit);
    return b;
  });
}
