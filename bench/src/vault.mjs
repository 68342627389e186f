// Vault unlock at the default PIN cost (docs/protocol/vault.md section 5.2): pure JS and
// node:crypto scrypt through the CryptoProvider seam, the KDF alone, and the non-KDF part
// (counter write, unwrap, header seal, contents, counter reset). Goal (issue 10): a native-KDF
// unlock well under 1 s on a phone (3-5x this machine).
import { loadavg } from 'node:os';
import { exportBackup, importBackup, openVault, DEFAULT_PIN_KDF, DEFAULT_BACKUP_KDF } from '@cloudmfa/client';
import { pureJsCryptoProvider } from '@cloudmfa/core';
import { createCryptoProvider } from '@cloudmfa/core/providers';
import { createMemorySecureStore } from '@cloudmfa/storage';
import { fmt, median, nodeScryptAsync, table, timeRuns } from './_measure.mjs';

const PIN = '482913';
// Record layout (spec section 3): 7-byte prefix, then the PIN slot's type, KDF id, log2N, r,
// p and the 16-byte salt.
const SALT_OFFSET = 12;

export default async function vault(ctx) {
  const loadAtStart = loadavg().map((x) => x.toFixed(2)).join(', ');
  const native = createCryptoProvider({ name: 'node-scrypt', scrypt: nodeScryptAsync });
  const store = createMemorySecureStore();
  const setup = await openVault({ store, crypto: native, autoLockMs: 0 });
  await setup.write(new Uint8Array(4096).fill(7)); // about 20 identities' worth
  await setup.setPin(PIN);

  const unlockWith = async (crypto) => {
    const v = await openVault({ store, crypto, autoLockMs: 0 });
    const r = await v.unlock(PIN);
    if (!r.ok) throw new Error('bench: unlock failed');
  };
  // The slot key, precomputed: a provider returning it measures the non-KDF part exactly.
  const record = (await store.get('cloudmfa.vault.v0')) ?? (await store.get('cloudmfa.vault.v1'));
  const salt = record.slice(SALT_OFFSET, SALT_OFFSET + 16);
  const pinBytes = new TextEncoder().encode(PIN);
  const slotKey = await nodeScryptAsync(pinBytes, salt, DEFAULT_PIN_KDF);
  const instant = createCryptoProvider({ name: 'precomputed', scrypt: async () => Uint8Array.from(slotKey) });

  ctx.log('unlock, pure JS ...');
  await unlockWith(pureJsCryptoProvider);
  const pure = await timeRuns(() => unlockWith(pureJsCryptoProvider), 9);
  const pureKdf = await timeRuns(() => pureJsCryptoProvider.scrypt(pinBytes, salt, DEFAULT_PIN_KDF), 9);
  ctx.log('unlock, node:crypto scrypt ...');
  await unlockWith(native);
  const nat = await timeRuns(() => unlockWith(native), 9);
  const natKdf = await timeRuns(() => nodeScryptAsync(pinBytes, salt, DEFAULT_PIN_KDF), 9);
  for (let i = 0; i < 20; i++) await unlockWith(instant);
  const overhead = await timeRuns(() => unlockWith(instant), 200);
  const n15 = { ...DEFAULT_PIN_KDF, N: 2 ** 15 };
  const nat15 = await timeRuns(() => nodeScryptAsync(pinBytes, salt, n15), 9);

  ctx.log('backup export/import, node:crypto scrypt ...');
  const contents = new Uint8Array(4096).fill(3);
  const file = await exportBackup({ contents, password: 'correct horse battery', crypto: native });
  const imp = await timeRuns(() => importBackup({ file, password: 'correct horse battery', crypto: native }), 5);

  const m = (xs) => `${fmt(median(xs))} ms`;
  const rows = [
    ['unlock, pure JS (core's scrypt, ported from @noble/hashes)', m(pure), '9', ''],
    ['  pure-JS scrypt alone', m(pureKdf), '9', ''],
    ['unlock, node:crypto scrypt via the CryptoProvider seam', m(nat), '9', 'phone (x3-5) well under 1 s'],
    ['  node:crypto scrypt alone', m(natKdf), '9', ''],
    ['  node:crypto scrypt at N=2^15 (for comparison)', m(nat15), '9', ''],
    ['  non-KDF part (open + counter + unwrap + 4 KiB contents)', m(overhead), '200', ''],
    [`importBackup, node:crypto scrypt (N=2^${Math.log2(DEFAULT_BACKUP_KDF.N)}, 4 KiB)`, m(imp), '5', ''],
  ];
  return [
    `Default PIN KDF: scrypt N=2^${Math.log2(DEFAULT_PIN_KDF.N)}, r=${DEFAULT_PIN_KDF.r}, p=${DEFAULT_PIN_KDF.p}; contents 4 KiB; memory secure store. Load average at the start of the run: ${loadAtStart}.`,
    '',
    table(['operation', 'median', 'runs', 'goal'], rows),
    '',
    `Projected phone unlock with a native KDF (3-5x this machine): ${fmt(median(nat) * 3)}-${fmt(median(nat) * 5)} ms.`,
  ].join('\n');
}
