// The narrow curves of @cloudmfa/core/curves are the same curves as @noble/curves' own entry
// points (which build FROST & co. at load, see src/curves.ts): same keys, same signatures, same
// verification outcomes, including the strict/ZIP-215 Ed25519 split and P-256 ECDH.
import { ed25519 as nobleEd25519 } from '@noble/curves/ed25519.js';
import { p256 as nobleP256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ed25519, p256 } from '@cloudmfa/core/curves';
import { describe, expect, it } from 'vitest';

const key = (label: string) => sha256(new Uint8Array([...label].map((c) => c.charCodeAt(0))));
const msg = new Uint8Array([0x63, 0x6c, 0x6f, 0x75, 0x64, 0x6d, 0x66, 0x61]);

describe('@cloudmfa/core/curves', () => {
  it('P-256: curve parameters, keys, signatures, verification and ECDH match @noble/curves/nist.js', () => {
    expect(p256.Point.CURVE()).toEqual(nobleP256.Point.CURVE());
    for (const label of ['a', 'b', 'c']) {
      const sk = key(label);
      const pk = p256.getPublicKey(sk, false);
      expect(pk).toEqual(nobleP256.getPublicKey(sk, false));
      const sig = p256.sign(msg, sk, { prehash: true, lowS: true, format: 'compact' });
      expect(sig).toEqual(nobleP256.sign(msg, sk, { prehash: true, lowS: true, format: 'compact' }));
      expect(p256.verify(sig, msg, pk, { prehash: true, lowS: true, format: 'compact' })).toBe(true);
      const bad = sig.slice();
      bad[5]! ^= 1;
      expect(p256.verify(bad, msg, pk, { prehash: true, lowS: true, format: 'compact' })).toBe(false);
      const other = nobleP256.getPublicKey(key(`${label}2`), false);
      expect(p256.getSharedSecret(sk, other, true)).toEqual(nobleP256.getSharedSecret(sk, other, true));
    }
    expect(p256.utils.randomSecretKey(new Uint8Array(48).fill(7))).toEqual(nobleP256.utils.randomSecretKey(new Uint8Array(48).fill(7)));
  });

  it('Ed25519: keys, signatures and strict / ZIP-215 verification match @noble/curves/ed25519.js', () => {
    expect(ed25519.Point.CURVE()).toEqual(nobleEd25519.Point.CURVE());
    for (const label of ['a', 'b', 'c']) {
      const sk = key(label);
      const pk = ed25519.getPublicKey(sk);
      expect(pk).toEqual(nobleEd25519.getPublicKey(sk));
      const sig = ed25519.sign(msg, sk);
      expect(sig).toEqual(nobleEd25519.sign(msg, sk));
      expect(ed25519.verify(sig, msg, pk, { zip215: false })).toBe(true);
      const bad = sig.slice();
      bad[40]! ^= 1;
      expect(ed25519.verify(bad, msg, pk, { zip215: false })).toBe(false);
    }
    // A small-order public key (the identity, encoded as 0x01 0x00..): ZIP-215 accepts what
    // RFC 8032 strict verification refuses; both libraries agree on each mode.
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const sigOfIdentity = new Uint8Array(64);
    sigOfIdentity[0] = 1;
    for (const zip215 of [true, false]) {
      expect(ed25519.verify(sigOfIdentity, msg, identity, { zip215 })).toBe(nobleEd25519.verify(sigOfIdentity, msg, identity, { zip215 }));
    }
  });
});
