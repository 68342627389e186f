// Runs inside Hermes (no Node, no TextEncoder, no crypto.getRandomValues, no WebCrypto) against
// the BUILT package: see ../hermes.test.ts. The whole vector set is regenerated here, and a
// frozen challenge is verified and answered exactly as the app does.
import { hexToBytes, pureJsCryptoProvider } from '@cloudmfa/core';
import { createPushResponse, peekPushMessage, verifyPushChallenge } from '@cloudmfa/push';
import { verifyPushResponse } from '@cloudmfa/push/server';
import { ENROLMENT_ID, NOW, testKeys } from '../helpers.js';
import frozen from '../vectors/push-v1.json';
import { generateVectors } from '../vectors/generate.js';

declare const print: (line: string) => void;

async function main(): Promise<Record<string, unknown>> {
  const keys = testKeys();
  const serverKey = { algorithm: 'ES256' as const, publicKey: hexToBytes(frozen.keys.serverEs256.publicKey) };
  const now = () => NOW + 15_000;
  const token = frozen.challengeEs256NumberMatch.token;

  const verified = await verifyPushChallenge({ challenge: token, serverKey, expectedEnrolmentId: ENROLMENT_ID, now, crypto: pureJsCryptoProvider });
  if (!verified.ok) return { error: `challenge refused: ${verified.reason}` };
  const tampered = await verifyPushChallenge({ challenge: `${token.slice(0, 200)}${token[200] === 'A' ? 'B' : 'A'}${token.slice(201)}`, serverKey, expectedEnrolmentId: ENROLMENT_ID, now });
  const expired = await verifyPushChallenge({ challenge: token, serverKey, expectedEnrolmentId: ENROLMENT_ID, now: () => NOW + 200_000 });

  const response = await createPushResponse({
    challenge: verified.challenge,
    decision: 'confirm',
    number: frozen.challengeEs256NumberMatch.number,
    userVerified: true,
    signer: keys.device,
    now,
  });
  const record = { ...frozen.challengeEs256NumberMatch.record, state: 'pending' as const };
  const serverSide = await verifyPushResponse({ response, expectedChallenge: record, devicePublicKey: keys.device.publicKey, now });

  return {
    context: verified.challenge.context,
    numberMatch: verified.challenge.numberMatch,
    hash: verified.challenge.hash,
    tampered: tampered.ok ? 'accepted' : tampered.reason,
    expired: expired.ok ? 'accepted' : expired.reason,
    response,
    serverSide: serverSide.ok ? serverSide.outcome : serverSide.reason,
    peek: peekPushMessage(response),
    vectors: await generateVectors(),
  };
}

main().then(
  (r) => print(`HERMES-RESULT ${JSON.stringify(r)}`),
  (e) => print(`HERMES-ERROR ${String(e)} ${(e && e.stack) || ''}`),
);
