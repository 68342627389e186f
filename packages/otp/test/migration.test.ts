// Google Authenticator migration URIs: third-party samples, a frozen export, batches, and a
// table of malformed payloads built by an independent protobuf writer in this file.
import { decodeBase32, encodeBase32, isCloudMfaError } from '@cloudmfa/core';
import { describe, expect, it } from 'vitest';
import type { OtpauthInput } from '../src/index.js';
import { importMigration } from '../src/migration.js';
import { exportMigration } from '../src/server.js';
import frozen from './vectors/migration-frozen.json';
import interop from './vectors/migration-interop.json';

const errorCode = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (isCloudMfaError(err)) return err.code;
    throw err;
  }
  return 'no error';
};

// ---- an independent, test-only protobuf writer/reader ------------------------------------
const varint = (n: number | bigint): number[] => {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
};
const field = (num: number, wire: number, body: number[]): number[] =>
  wire === 2 ? [...varint((num << 3) | 2), ...varint(body.length), ...body] : [...varint((num << 3) | wire), ...body];
const int = (num: number, n: number | bigint) => field(num, 0, varint(n));
const bytes = (num: number, b: ArrayLike<number>) => field(num, 2, Array.from(b));
const text = (num: number, s: string) => bytes(num, Buffer.from(s, 'utf8'));
const uriOf = (payload: number[]) => `otpauth-migration://offline?data=${encodeURIComponent(Buffer.from(payload).toString('base64'))}`;
const SECRET = Array.from({ length: 20 }, (_, i) => i + 1);
const account = (...extra: number[][]) => bytes(1, [...bytes(1, SECRET), ...text(2, 'alice'), ...text(3, 'Acme'), ...int(4, 1), ...int(5, 1), ...int(6, 2), ...extra.flat()]);

function readFields(buf: Uint8Array): Array<[number, number, bigint | Uint8Array]> {
  const out: Array<[number, number, bigint | Uint8Array]> = [];
  let i = 0;
  const v = (): bigint => {
    let r = 0n;
    for (let s = 0n; ; s += 7n) {
      const b = buf[i++] as number;
      r |= BigInt(b & 0x7f) << s;
      if (!(b & 0x80)) return r;
    }
  };
  while (i < buf.length) {
    const tag = Number(v());
    if ((tag & 7) === 0) out.push([tag >> 3, 0, v()]);
    else {
      const n = Number(v());
      out.push([tag >> 3, 2, buf.slice(i, i + n)]);
      i += n;
    }
  }
  return out;
}

describe('third-party samples (dim13/otpauth, scito/extract_otp_secrets)', () => {
  type Sample = { uri: string; version: number; batchSize: number; batchIndex: number; batchId: number; accounts: Array<Record<string, string | number | undefined>> };
  it.each(interop.samples.map((s) => [s.from, s as Sample] as const))('%s', (_, sample) => {
    const r = importMigration(sample.uri);
    expect({ version: r.version, batchSize: r.batchSize, batchId: r.batchId, indexes: r.indexes, complete: r.complete }).toEqual({
      version: sample.version,
      batchSize: sample.batchSize,
      batchId: sample.batchId,
      indexes: [sample.batchIndex],
      complete: true,
    });
    expect(r.accounts.length).toBe(sample.accounts.length);
    sample.accounts.forEach((a, i) => {
      const got = r.accounts[i];
      expect(got).toMatchObject({ type: a.type, account: a.account, algorithm: a.algorithm, digits: a.digits });
      expect(got?.issuer).toBe(a.issuer);
      expect(got?.secret).toEqual(decodeBase32(a.secretBase32 as string));
      if (a.type === 'hotp') expect(got).toMatchObject({ counter: a.counter });
      else expect(got).toMatchObject({ period: 30 });
    });
  });
});

describe('exportMigration', () => {
  it('matches the frozen export byte for byte', () => {
    const uris = exportMigration({ accounts: frozen.accounts as OtpauthInput[], batchId: frozen.batchId, maxPerUri: frozen.maxPerUri });
    expect(uris).toEqual(frozen.uris);
  });

  it('writes the published field numbers (checked by an independent reader)', () => {
    const data = decodeURIComponent((frozen.uris[0] as string).split('data=')[1] as string);
    const fields = readFields(new Uint8Array(Buffer.from(data, 'base64')));
    expect(fields.filter(([n]) => n !== 1)).toEqual([
      [2, 0, 1n],
      [3, 0, BigInt(frozen.uris.length)],
      [4, 0, 0n],
      [5, 0, BigInt.asUintN(64, BigInt(frozen.batchId))],
    ]);
    const first = readFields(fields[0]?.[2] as Uint8Array);
    const a = frozen.accounts[0] as { secret: string; account: string; issuer: string; algorithm: string; digits: number };
    expect(first).toEqual([
      [1, 2, decodeBase32(a.secret)],
      [2, 2, new Uint8Array(Buffer.from(a.account))],
      [3, 2, new Uint8Array(Buffer.from(a.issuer))],
      [4, 0, { SHA1: 1n, SHA256: 2n, SHA512: 3n }[a.algorithm]],
      [5, 0, a.digits === 8 ? 2n : 1n],
      [6, 0, 2n],
    ]);
  });

  it('round-trips through importMigration, batches included', () => {
    const accounts: OtpauthInput[] = Array.from({ length: 25 }, (_, i) => ({
      type: i % 5 === 0 ? 'hotp' : 'totp',
      secret: Uint8Array.from({ length: 10 + i }, (_, j) => (i * 31 + j) & 0xff),
      account: `user${i}@example.com`,
      ...(i % 3 ? { issuer: `Issuer ${i}` } : {}),
      algorithm: (['SHA1', 'SHA256', 'SHA512'] as const)[i % 3],
      digits: i % 2 ? 8 : 6,
      ...(i % 5 === 0 ? { counter: i * 1000 } : {}),
    })) as OtpauthInput[];
    let n = 0;
    const uris = exportMigration({ accounts, random: (k) => new Uint8Array(k).fill(++n) });
    expect(uris.length).toBe(3);
    const all = importMigration([uris[2] as string, uris[0] as string, uris[1] as string]);
    expect(all.complete).toBe(true);
    expect(all.indexes).toEqual([0, 1, 2]);
    expect(all.batchSize).toBe(3);
    expect(all.batchId).toBe(0x01010101);
    expect(all.accounts.map(({ warnings: _, ...a }) => a)).toEqual(
      accounts.map((a) => ({
        ...a,
        secret: a.secret,
        ...(a.type === 'totp' ? { period: 30 } : {}),
      })),
    );
    const part = importMigration(uris[1] as string);
    expect(part).toMatchObject({ complete: false, indexes: [1], batchSize: 3 });
    expect(part.accounts.length).toBe(10);
  });

  it('keeps an account that starts with "issuer:" intact', () => {
    const [uri] = exportMigration({ accounts: [{ type: 'totp', secret: new Uint8Array(16), issuer: 'Acme', account: 'Acme: alice' }], batchId: 1 });
    expect(importMigration(uri as string).accounts[0]).toMatchObject({ issuer: 'Acme', account: 'Acme: alice' });
  });
});

describe('batches', () => {
  const one = (batchId: number, index: number, size = 2) => uriOf([...account(), ...int(2, 1), ...int(3, size), ...int(4, index), ...int(5, batchId)]);
  it('refuses mixed exports, repeated and out-of-range indexes', () => {
    expect(errorCode(() => importMigration([one(7, 0), one(8, 1)]))).toBe('ERR_MIGRATION_BATCH');
    expect(errorCode(() => importMigration([one(7, 0), one(7, 1, 3)]))).toBe('ERR_MIGRATION_BATCH');
    expect(errorCode(() => importMigration([one(7, 1), one(7, 1)]))).toBe('ERR_MIGRATION_BATCH');
    expect(errorCode(() => importMigration(one(7, 2)))).toBe('ERR_MIGRATION_BATCH');
    expect(errorCode(() => importMigration(one(7, -1)))).toBe('ERR_MIGRATION_BATCH');
    expect(errorCode(() => importMigration(one(7, 0, 1001)))).toBe('ERR_MIGRATION_BATCH');
    expect(errorCode(() => importMigration([]))).toBe('ERR_MIGRATION_BATCH');
    expect(importMigration([one(-5, 1), one(-5, 0)])).toMatchObject({ complete: true, indexes: [0, 1], batchId: -5 });
  });
});

// Malformed input: each must fail with its code, never a generic error.
const BAD: Array<[string, string, string]> = [
  ['wrong scheme', 'otpauth://totp/a?secret=AAAA', 'ERR_MIGRATION_SCHEME'],
  ['wrong host', 'otpauth-migration://online?data=AA', 'ERR_MIGRATION_SCHEME'],
  ['no query', 'otpauth-migration://offline', 'ERR_MIGRATION_SCHEME'],
  ['no data', 'otpauth-migration://offline?foo=1', 'ERR_MIGRATION_DATA'],
  ['empty data', 'otpauth-migration://offline?data=', 'ERR_MIGRATION_DATA'],
  ['two data', `${uriOf(account())}&data=AA`, 'ERR_MIGRATION_DATA'],
  ['bad escape', 'otpauth-migration://offline?data=%ZZ', 'ERR_MIGRATION_DATA'],
  ['bad base64 char', 'otpauth-migration://offline?data=AB*D', 'ERR_MIGRATION_DATA'],
  ['bad base64 length', 'otpauth-migration://offline?data=ABCDE', 'ERR_MIGRATION_DATA'],
  ['bad padding', 'otpauth-migration://offline?data=AB%3D%3D%3D', 'ERR_MIGRATION_DATA'],
  ['trailing bits', 'otpauth-migration://offline?data=AB%3D%3D', 'ERR_MIGRATION_DATA'],
  ['too long URI', `otpauth-migration://offline?data=${'A'.repeat(16400)}`, 'ERR_MIGRATION_TOO_LARGE'],
  ['payload over 12 KB', `otpauth-migration://offline?data=${'A'.repeat(16360)}`, 'ERR_MIGRATION_TOO_LARGE'],
  ['truncated varint', uriOf([0x10, 0x80]), 'ERR_MIGRATION_VARINT'],
  ['truncated tag', uriOf([0x80]), 'ERR_MIGRATION_VARINT'],
  ['11-byte varint', uriOf([0x10, ...Array(10).fill(0x80), 0x01]), 'ERR_MIGRATION_VARINT'],
  ['varint beyond 64 bits', uriOf([0x10, ...Array(9).fill(0xff), 0x02]), 'ERR_MIGRATION_VARINT'],
  ['tag beyond 32 bits', uriOf([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 'ERR_MIGRATION_PROTOBUF'],
  ['field 0', uriOf([0x00, 0x01]), 'ERR_MIGRATION_PROTOBUF'],
  ['length past the end', uriOf([0x0a, 0x05, 0x01]), 'ERR_MIGRATION_PROTOBUF'],
  ['group wire type', uriOf([0x0b]), 'ERR_MIGRATION_PROTOBUF'],
  ['wire type 7', uriOf([0x37]), 'ERR_MIGRATION_PROTOBUF'],
  ['fixed64 past the end', uriOf([0x31, 1, 2, 3]), 'ERR_MIGRATION_PROTOBUF'],
  ['accounts as varint', uriOf([0x08, 0x01]), 'ERR_MIGRATION_PROTOBUF'],
  ['version as bytes', uriOf(bytes(2, [1])), 'ERR_MIGRATION_PROTOBUF'],
  ['secret as varint', uriOf(bytes(1, int(1, 5))), 'ERR_MIGRATION_PROTOBUF'],
  ['name not UTF-8', uriOf(bytes(1, [...bytes(1, SECRET), ...bytes(2, [0xc3]), ...int(6, 2)])), 'ERR_MIGRATION_PROTOBUF'],
  ['nested truncation', uriOf(bytes(1, [0x0a, 0x30, 1, 2])), 'ERR_MIGRATION_PROTOBUF'],
  ['no secret', uriOf(bytes(1, [...text(2, 'a'), ...int(6, 2)])), 'ERR_MIGRATION_SECRET'],
  ['9-byte secret', uriOf(bytes(1, [...bytes(1, SECRET.slice(0, 9)), ...text(2, 'a'), ...int(6, 2)])), 'ERR_MIGRATION_SECRET'],
  ['1025-byte secret', uriOf(bytes(1, [...bytes(1, new Array(1025).fill(1)), ...text(2, 'a'), ...int(6, 2)])), 'ERR_MIGRATION_SECRET'],
  ['MD5', uriOf(account(int(4, 4))), 'ERR_MIGRATION_ALGORITHM'],
  ['algorithm 9', uriOf(account(int(4, 9))), 'ERR_MIGRATION_ALGORITHM'],
  ['digits enum 3', uriOf(account(int(5, 3))), 'ERR_MIGRATION_DIGITS'],
  ['digits negative', uriOf(account(int(5, -1))), 'ERR_MIGRATION_DIGITS'],
  ['type 0', uriOf(account(int(6, 0))), 'ERR_MIGRATION_TYPE'],
  ['type 3', uriOf(account(int(6, 3))), 'ERR_MIGRATION_TYPE'],
  ['counter 2^53', uriOf(account(int(6, 1), int(7, 2n ** 53n))), 'ERR_MIGRATION_COUNTER'],
  ['counter negative', uriOf(account(int(6, 1), int(7, -1))), 'ERR_MIGRATION_COUNTER'],
  ['empty name', uriOf(bytes(1, [...bytes(1, SECRET), ...int(6, 2)])), 'ERR_MIGRATION_NAME'],
  ['name only the prefix', uriOf(bytes(1, [...bytes(1, SECRET), ...text(2, 'Acme:'), ...text(3, 'Acme'), ...int(6, 2)])), 'ERR_MIGRATION_NAME'],
  ['long name', uriOf(bytes(1, [...bytes(1, SECRET), ...text(2, 'n'.repeat(257)), ...int(6, 2)])), 'ERR_MIGRATION_NAME'],
  ['name bytes over the cap', uriOf(bytes(1, [...bytes(1, SECRET), ...text(2, 'n'.repeat(1025)), ...int(6, 2)])), 'ERR_MIGRATION_NAME'],
  ['control character', uriOf(bytes(1, [...bytes(1, SECRET), ...text(2, 'a\u0000b'), ...int(6, 2)])), 'ERR_MIGRATION_NAME'],
  ['long issuer', uriOf(account(text(3, 'i'.repeat(300)))), 'ERR_MIGRATION_NAME'],
];

describe('importMigration refuses malformed input with a code', () => {
  it.each(BAD)('%s -> %s', (_, uri, expected) => {
    expect(errorCode(() => importMigration(uri))).toBe(expected);
  });
  it('accepts unknown fields of every skippable wire type', () => {
    const r = importMigration(uriOf([...account(int(9, 5), field(10, 1, [1, 2, 3, 4, 5, 6, 7, 8]), field(11, 5, [1, 2, 3, 4]), bytes(12, [1])), ...int(15, 3)]));
    expect(r.accounts[0]).toMatchObject({ account: 'alice', issuer: 'Acme', algorithm: 'SHA1', digits: 6, type: 'totp' });
  });
  it('accepts URL-safe base64 without padding', () => {
    const b64 = Buffer.from(account()).toString('base64url');
    expect(importMigration(`otpauth-migration://offline?data=${b64}`).accounts[0]?.account).toBe('alice');
  });
  it('non-string input', () => {
    expect(errorCode(() => importMigration(5 as never))).toBe('ERR_MIGRATION_BATCH');
    expect(errorCode(() => importMigration([5] as never))).toBe('ERR_MIGRATION_SCHEME');
  });
});

const BAD_EXPORT: Array<[string, string, Record<string, unknown>]> = [
  ['7 digits', 'ERR_MIGRATION_DIGITS', { digits: 7 }],
  ['10 digits', 'ERR_MIGRATION_DIGITS', { digits: 10 }],
  ['60 s period', 'ERR_MIGRATION_PERIOD', { period: 60 }],
  ['MD5', 'ERR_MIGRATION_ALGORITHM', { algorithm: 'MD5' }],
  ['short secret', 'ERR_MIGRATION_SECRET', { secret: new Uint8Array(9) }],
  ['bad base32', 'ERR_MIGRATION_SECRET', { secret: 'A1' }],
  ['empty account', 'ERR_MIGRATION_NAME', { account: '' }],
  ['space-led account', 'ERR_MIGRATION_NAME', { account: ' a' }],
  ['empty issuer', 'ERR_MIGRATION_NAME', { issuer: '' }],
  ['type', 'ERR_MIGRATION_TYPE', { type: 'motp' }],
  ['hotp without counter', 'ERR_MIGRATION_COUNTER', { type: 'hotp' }],
];

describe('exportMigration refuses what Google cannot carry', () => {
  it.each(BAD_EXPORT)('%s -> %s', (_, expected, patch) => {
    expect(errorCode(() => exportMigration({ accounts: [{ type: 'totp', secret: new Uint8Array(20), account: 'a', issuer: 'i', ...patch } as never] }))).toBe(expected);
  });
  it('batch options and sizes', () => {
    const a = { type: 'totp', secret: new Uint8Array(20), account: 'a' } as const;
    expect(errorCode(() => exportMigration({ accounts: [] }))).toBe('ERR_MIGRATION_BATCH');
    expect(errorCode(() => exportMigration({ accounts: [a], maxPerUri: 0 }))).toBe('ERR_MIGRATION_BATCH');
    expect(errorCode(() => exportMigration({ accounts: [a], batchId: 2 ** 31 }))).toBe('ERR_MIGRATION_BATCH');
    expect(errorCode(() => exportMigration({ accounts: [a], batchId: 1, random: () => new Uint8Array(0) }))).toBe('no error');
    expect(errorCode(() => exportMigration({ accounts: [a], random: () => new Uint8Array(0) }))).toBe('ERR_NO_RANDOM_SOURCE');
    const big = Array.from({ length: 100 }, () => ({ ...a, secret: new Uint8Array(1024) }));
    expect(errorCode(() => exportMigration({ accounts: big, batchId: 1, maxPerUri: 100 }))).toBe('ERR_MIGRATION_TOO_LARGE');
    expect(exportMigration({ accounts: big, batchId: 1, maxPerUri: 10 }).length).toBe(10);
  });
  it('secrets never appear in errors', () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PX1';
    try {
      exportMigration({ accounts: [{ type: 'totp', secret, account: 'a' }] });
      expect.unreachable();
    } catch (err) {
      expect(JSON.stringify({ m: (err as Error).message, c: String((err as Error).cause) })).not.toContain(secret.slice(0, 8));
    }
  });
});

