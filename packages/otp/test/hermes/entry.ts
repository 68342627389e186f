// Runs inside Hermes (no Node, no TextEncoder, no crypto.getRandomValues): see ../hermes.test.ts.
// Bundled against the *built* @cloudmfa/otp, as a React Native app would ship it.
import { bytesToHex, encodeBase32, utf8Encode } from '@cloudmfa/core';
import { createOtpKey, hotp, type OtpAlgorithm, parseOtpauthUri, totp } from '@cloudmfa/otp';
import { importMigration } from '@cloudmfa/otp/migration';
import { exportMigration, formatOtpauthUri, generateSecret, resyncHotp, verifyHotp, verifyTotp } from '@cloudmfa/otp/server';
import rfc4226 from '../vectors/rfc4226.json';
import rfc6238 from '../vectors/rfc6238.json';

declare const print: (line: string) => void;

// Deterministic bytes for the test only: the Hermes CLI has no secure random source.
const seeded = (n: number): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 37 + 11) & 0xff;
  return out;
};

function main(): Record<string, unknown> {
  const hotpKey = createOtpKey({ secret: utf8Encode(rfc4226.secretAscii) });
  const hotpCodes = rfc4226.vectors.map((v) => hotp({ secret: hotpKey, counter: v.counter }));
  const seeds: Record<string, Uint8Array> = {
    SHA1: utf8Encode(rfc6238.seedsAscii.SHA1),
    SHA256: utf8Encode(rfc6238.seedsAscii.SHA256),
    SHA512: utf8Encode(rfc6238.seedsAscii.SHA512),
  };
  const totpCodes = rfc6238.vectors.map((v) => {
    const algorithm = v.algorithm as OtpAlgorithm;
    return totp({ secret: createOtpKey({ secret: seeds[algorithm] as Uint8Array, algorithm }), now: () => v.time * 1000, digits: 8 });
  });
  const verified = rfc6238.vectors.map((v) => {
    const algorithm = v.algorithm as OtpAlgorithm;
    const r = verifyTotp({ secret: seeds[algorithm] as Uint8Array, algorithm, code: v.totp, now: () => v.time * 1000 + 30_000, digits: 8 });
    return r.ok ? r.delta : r.reason;
  });

  const secret = generateSecret({ random: seeded });
  const { uri, warnings } = formatOtpauthUri({ type: 'totp', secret, issuer: 'Acme Co: EU', account: 'alice@example.com', digits: 8 });
  const parsed = parseOtpauthUri({ uri });
  const lenient = parseOtpauthUri({ uri: `otpauth://totp/Some+Company:bob?secret=${encodeBase32(secret)}&issuer=Microsoft&image=x`, lenient: true });
  const migration = exportMigration({ accounts: [parsed, { type: 'hotp', secret, account: 'bob', counter: 4294967301 }], batchId: -5, maxPerUri: 1 });
  const imported = importMigration(migration);

  return {
    hotpCodes,
    totpCodes,
    verified,
    hotpVerify: verifyHotp({ secret: hotpKey, code: '520489', counter: 0, lookAhead: 9 }),
    resync: resyncHotp({ secret: hotpKey, codes: ['399871', '520489'], counter: 0 }),
    notDigits: verifyTotp({ secret: hotpKey, code: '12a456', now: () => 0 }),
    uri,
    warnings: warnings.map((w) => w.code),
    parsed: { ...parsed, secret: bytesToHex(parsed.secret) },
    lenient: { issuer: lenient.issuer, labelIssuer: lenient.labelIssuer, account: lenient.account, extra: lenient.extraParameters, warnings: lenient.warnings.map((w) => w.code) },
    migration: { count: migration.length, complete: imported.complete, batchId: imported.batchId, accounts: imported.accounts.map((a) => [a.type, a.account, a.issuer ?? null, bytesToHex(a.secret)]) },
  };
}

try {
  print(`HERMES-RESULT ${JSON.stringify(main())}`);
} catch (e) {
  print(`HERMES-ERROR ${String(e)}`);
}
