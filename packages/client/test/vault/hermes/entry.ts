// Runs inside Hermes (no Node, no TextEncoder, no crypto.getRandomValues), bundled against the
// BUILT package: see ../hermes.test.ts. Seeded randomness is injected.
import { exportBackup, importBackup, openVault } from '@cloudmfa/client';
import { importAegis } from '@cloudmfa/client/aegis';
import { bytesToHex, hexToBytes, isCloudMfaError, utf8Decode, utf8Encode } from '@cloudmfa/core';
import { createMemorySecureStore } from '@cloudmfa/storage';
import aegisPlain from '../../vectors/aegis-format/plain.json';
import vectorFile from '../../vectors/vault-v1.json';

declare const print: (line: string) => void;

let counter = 0;
const seeded = (n: number): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (counter++ * 131 + 7) & 0xff;
  return out;
};
let t = 1_767_225_600_000;
const now = () => t;
const CHEAP = { N: 1024, r: 8, p: 1, dkLen: 32 };

async function main() {
  const result: Record<string, unknown> = {};
  // The frozen vector, at its real cost (N = 2^14), opens in Hermes with the pure-JS scrypt
  // (one attempt only: each costs seconds in this interpreter; wrong PINs are tested cheaply below).
  const v = vectorFile.vectors.find((x) => x.name === 'pin-vault') as { record: string; pointer: string; inputs: { pin: string } };
  const store = createMemorySecureStore();
  await store.set('cloudmfa.vault.v0', hexToBytes(v.record));
  await store.set('cloudmfa.vault.ptr', hexToBytes(v.pointer));
  const frozen = await openVault({ store, now, random: seeded });
  const started = Date.now();
  result.frozenRight = await frozen.unlock(v.inputs.pin);
  result.frozenUnlockMs = Date.now() - started;
  result.frozenContents = utf8Decode(frozen.read());

  // A whole life cycle on a fresh store.
  const s2 = createMemorySecureStore();
  let bioKey: Uint8Array | null = null;
  const biometrics = {
    save: async (k: Uint8Array) => {
      bioKey = k;
    },
    load: async () => bioKey,
    remove: async () => {
      bioKey = null;
    },
  };
  const vault = await openVault({ store: s2, now, random: seeded, pinKdf: CHEAP, biometrics, pinDelays: [] });
  await vault.write(utf8Encode('contents in hermes'));
  await vault.setPin('1234');
  await vault.changePin('5678');
  await vault.enableBiometrics();
  vault.lock();
  result.oldPin = (await vault.unlock('1234')).ok;
  result.newPin = (await vault.unlock('5678')).ok;
  vault.lock();
  result.bio = (await vault.unlockWithBiometrics({ title: 'Unlock' })).ok;
  t += 120_000;
  result.autoLocked = vault.status().state;
  try {
    result.nonAsciiPin = (await vault.unlock('５６７８')).ok;
  } catch (err) {
    result.nonAsciiPin = isCloudMfaError(err) ? err.code : String(err);
  }
  const reopened = await openVault({ store: s2, now, random: seeded, pinKdf: CHEAP });
  result.reopened = (await reopened.unlock('5678')).ok && utf8Decode(reopened.read());

  const file = await exportBackup({ contents: utf8Encode('backup in hermes'), password: 'correct horse battery', kdf: CHEAP, random: seeded });
  result.backupBack = utf8Decode(await importBackup({ file, password: 'correct horse battery' }));
  try {
    await importBackup({ file, password: 'wrong password' });
  } catch (err) {
    result.backupWrong = isCloudMfaError(err) ? err.code : String(err);
  }
  const aegis = await importAegis({ json: JSON.stringify(aegisPlain) });
  result.aegis = aegis.entries.map((e) => `${e.type}:${e.issuer}:${e.account}:${bytesToHex(e.secret).slice(0, 8)}`);
  result.aegisSkipped = aegis.skipped.map((s) => s.type);
  print(`HERMES-RESULT ${JSON.stringify(result)}`);
}

main().catch((err) => print(`HERMES-ERROR ${String(err)} ${(err as Error).stack ?? ''}`));
