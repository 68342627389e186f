import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hexToBytes } from '@cloudmfa/core';
import { PUSH_TYP, publicKeyToJwk } from '@cloudmfa/push';
import { importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { runInHermes } from '../../../scripts/hermes/harness.mjs';
import { CONTEXT, NOW } from './helpers.js';

// Needs the built package: `cd packages/push && npx tsup` (the test command builds first).
describe('@cloudmfa/push inside Hermes', () => {
  it('verifies a challenge and signs a response with the built package, and reproduces every frozen vector', async () => {
    const frozen = JSON.parse(readFileSync(fileURLToPath(new URL('./vectors/push-v1.json', import.meta.url)), 'utf8'));
    const { result } = await runInHermes(fileURLToPath(new URL('./hermes/entry.ts', import.meta.url)), 'push');
    expect(result).toMatchObject({
      context: CONTEXT,
      numberMatch: true,
      hash: frozen.challengeEs256NumberMatch.record.hash,
      tampered: 'bad_signature',
      expired: 'expired',
      serverSide: 'approved',
      peek: { ok: true, kind: 'response', challengeId: frozen.challengeEs256NumberMatch.record.id },
    });
    // RFC 6979: the response signed in Hermes is byte-identical to the one signed in Node.
    expect(result.response).toBe(frozen.responses.confirm);
    expect(result.vectors).toEqual(frozen);
    const device = await importJWK(publicKeyToJwk({ algorithm: 'ES256', publicKey: hexToBytes(frozen.keys.device.publicKey) }));
    await jwtVerify(result.response, device, { typ: PUSH_TYP.response, algorithms: ['ES256'], currentDate: new Date(NOW + 15_000) });
  });
});
