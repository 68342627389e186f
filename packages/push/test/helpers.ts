// Test fixtures shared by the push tests, the vector generator and the Hermes entry.
// Keys and randomness are derived from fixed labels, so every value is reproducible.
import { concatBytes, createSoftwareSigner, type RandomSource, type SoftwareSigner, utf8Encode } from '@cloudmfa/core';
import { sha256 } from '@noble/hashes/sha2.js';

/** A private key for tests: SHA-256 of a label (a valid P-256 / Ed25519 scalar for these labels). */
export function labelKey(label: string): Uint8Array {
  return sha256(utf8Encode(label));
}

export const LABELS = {
  serverEs256: 'cloudmfa push v1 test vector: server ES256 key',
  serverEd25519: 'cloudmfa push v1 test vector: server Ed25519 key',
  device: 'cloudmfa push v1 test vector: device ES256 key',
  otherDevice: 'cloudmfa push v1 test vector: another device ES256 key',
  random: 'cloudmfa push v1 test vector: random',
} as const;

/**
 * A deterministic byte stream: block i is SHA-256(label || uint32be(i)); calls consume it in
 * order. Test use only.
 */
export function seededRandom(label: string = LABELS.random): RandomSource {
  let buffer: Uint8Array = new Uint8Array(0);
  let block = 0;
  const seed = utf8Encode(label);
  return (n: number) => {
    while (buffer.length < n) {
      const counter = new Uint8Array([block >>> 24, (block >>> 16) & 255, (block >>> 8) & 255, block & 255]);
      buffer = concatBytes(buffer, sha256(concatBytes(seed, counter)));
      block++;
    }
    const out = buffer.slice(0, n);
    buffer = buffer.slice(n);
    return out;
  };
}

export interface TestKeys {
  serverEs256: SoftwareSigner;
  serverEd25519: SoftwareSigner;
  device: SoftwareSigner;
  otherDevice: SoftwareSigner;
}

export function testKeys(): TestKeys {
  return {
    serverEs256: createSoftwareSigner({ algorithm: 'ES256', privateKey: labelKey(LABELS.serverEs256) }),
    serverEd25519: createSoftwareSigner({ algorithm: 'EdDSA', privateKey: labelKey(LABELS.serverEd25519) }),
    device: createSoftwareSigner({ algorithm: 'ES256', privateKey: labelKey(LABELS.device) }),
    otherDevice: createSoftwareSigner({ algorithm: 'ES256', privateKey: labelKey(LABELS.otherDevice) }),
  };
}

export const NOW = 1_700_000_000_000;
export const ENROLMENT_ID = 'enr_01HZX3K9';
export const CONTEXT = Object.freeze({
  service: 'Acme VPN',
  message: 'Sign in to the VPN',
  ip: '203.0.113.9',
  location: 'Berlin, DE',
  device: 'Firefox on Linux',
  time: 1_699_999_998_000,
});
