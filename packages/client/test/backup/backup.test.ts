import { concatBytes, type CryptoProvider, pureJsCryptoProvider, utf8Decode, utf8Encode } from '@cloudmfa/core';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { exportBackup, importBackup } from '../../src/backup/index.js';
import { FAST_KDF, rejection, seededRandom } from '../vault/helpers.js';

const PASSWORD = 'correct horse battery';

function countingCrypto(): CryptoProvider & { calls: number } {
  const c = {
    ...pureJsCryptoProvider,
    calls: 0,
    scrypt: async (pw: Uint8Array, salt: Uint8Array, params: Parameters<CryptoProvider['scrypt']>[2]) => {
      c.calls++;
      return pureJsCryptoProvider.scrypt(pw, salt, params);
    },
  };
  return c;
}

const withChecksum = (edited: Uint8Array): Uint8Array => {
  const body = edited.subarray(0, edited.length - 32);
  return concatBytes(body, sha256(body));
};

describe('exportBackup / importBackup', () => {
  it('round trip; the password is NFKC-normalised', async () => {
    const contents = utf8Encode('{"identities":[1,2,3]}');
    const file = await exportBackup({ contents, password: 'ｃｏｒｒｅｃｔ horse battery', kdf: FAST_KDF, random: seededRandom('b') });
    expect(utf8Decode(await importBackup({ file, password: PASSWORD }))).toBe('{"identities":[1,2,3]}');
  });

  it('the default KDF is N = 2^16 and a fresh salt and keys each export', async () => {
    const contents = utf8Encode('x');
    const a = await exportBackup({ contents, password: PASSWORD });
    const b = await exportBackup({ contents, password: PASSWORD, kdf: FAST_KDF });
    expect(a[9]).toBe(16); // log2N of the password slot
    expect(b[9]).toBe(10);
    expect(utf8Decode(await importBackup({ file: a, password: PASSWORD }))).toBe('x');
  });

  it('wrong password and damage are told apart', async () => {
    const file = await exportBackup({ contents: utf8Encode('secret'), password: PASSWORD, kdf: FAST_KDF, random: seededRandom('c') });
    expect((await rejection(importBackup({ file, password: 'wrong password' }))).code).toBe('ERR_BACKUP_PASSWORD');
    // Every single-bit flip: never reported as a wrong password, and no KDF runs.
    for (let bit = 0; bit < file.length * 8; bit++) {
      const flipped = file.slice();
      flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ 1 << (bit & 7);
      const crypto = countingCrypto();
      const code = (await rejection(importBackup({ file: flipped, password: PASSWORD, crypto }))).code;
      expect(code, `bit ${bit}`).toBe(bit < 32 ? 'ERR_BACKUP_FORMAT' : 'ERR_BACKUP_DAMAGED');
      expect(crypto.calls).toBe(0);
    }
    expect((await rejection(importBackup({ file: file.subarray(0, 100), password: PASSWORD }))).code).toBe('ERR_BACKUP_DAMAGED');
  });

  it('deliberate edits: cheaper or costlier KDF, another header, another contents', async () => {
    const file = await exportBackup({ contents: utf8Encode('secret'), password: PASSWORD, kdf: FAST_KDF, random: seededRandom('d') });
    const edit = (offset: number, value: number) => {
      const e = file.slice();
      e[offset] = value;
      return withChecksum(e);
    };
    // r 8 -> 1: the slot binds its parameters, no password opens it (and it costs nothing extra).
    expect((await rejection(importBackup({ file: edit(10, 1), password: PASSWORD }))).code).toBe('ERR_BACKUP_PASSWORD');
    const crypto = countingCrypto();
    expect((await rejection(importBackup({ file: edit(9, 20), password: PASSWORD, crypto }))).code).toBe('ERR_BACKUP_KDF_COST');
    expect((await rejection(importBackup({ file: edit(9, 9), password: PASSWORD, crypto }))).code).toBe('ERR_BACKUP_DAMAGED');
    expect(crypto.calls).toBe(0);
    const headerNonce = 7 + 21 + 72;
    expect((await rejection(importBackup({ file: edit(headerNonce, (file[headerNonce] as number) ^ 1), password: PASSWORD }))).code).toBe('ERR_BACKUP_DAMAGED');
    expect((await rejection(importBackup({ file: edit(file.length - 40, (file[file.length - 40] as number) ^ 1), password: PASSWORD }))).code).toBe(
      'ERR_BACKUP_DAMAGED',
    );
    expect((await rejection(importBackup({ file: edit(4, 2), password: PASSWORD }))).code).toBe('ERR_BACKUP_VERSION');
    // A vault record is not a backup.
    expect((await rejection(importBackup({ file: edit(5, 1), password: PASSWORD }))).code).toBe('ERR_BACKUP_FORMAT');
  });

  it('misuse throws ERR_INVALID_ARGUMENT; a short export password is refused', async () => {
    expect((await rejection(exportBackup({ contents: utf8Encode('x'), password: 'short' }))).code).toBe('ERR_INVALID_ARGUMENT');
    expect((await rejection(exportBackup({ contents: 'x' as never, password: PASSWORD }))).code).toBe('ERR_INVALID_ARGUMENT');
    expect((await rejection(exportBackup({ contents: utf8Encode('x'), password: PASSWORD, kdf: { N: 2 ** 18, r: 8, p: 1, dkLen: 32 } }))).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect((await rejection(importBackup({ file: new Uint8Array(10), password: 3 as never }))).code).toBe('ERR_INVALID_ARGUMENT');
  });
});
