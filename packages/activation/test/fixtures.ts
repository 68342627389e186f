// Shared test fixtures: cheap envelopes sealed through the internal sealer (below the public
// sealing floor, so the flip and fuzz tests can run thousands of opens).
import type { ActivationPayload, KdfParameters } from '@cloudmfa/activation';
import { pureJsCryptoProvider } from '@cloudmfa/core';
import { sealWithParameters } from '../src/internal/seal.js';
import { normalizePassword } from '../src/normalizePassword.js';
import { seededRandom, T0 } from './helpers.js';

export const CHEAP_KDF: KdfParameters = { algorithm: 'scrypt', log2N: 4, r: 1, p: 1 };
export const CHEAP_PASSWORD = 'ABCD-EFGH-JKMN';

export function cheapEnvelope(payload: ActivationPayload, password = CHEAP_PASSWORD, kdf = CHEAP_KDF, ttlSeconds = 300) {
  return sealWithParameters({
    payload,
    normalizedPassword: normalizePassword(password),
    kdf,
    issuedAtSeconds: T0 / 1000,
    lifetimeSeconds: ttlSeconds,
    random: seededRandom('cheap'),
    crypto: pureJsCryptoProvider,
  });
}
