/// <reference types="node" />
// The key file of docs/server.md section 2.2: the KEKs and the push-signing key, read (or
// created on first start) from a local JSON file. Node, Bun and Deno only (it reads the file
// system), hence its own subpath: `@cloudmfa/server/key-file`. Nothing here ever puts a key or
// any of the file's content into an error message.
import { closeSync, fsyncSync, linkSync, lstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { CloudMfaError, checkedRandom, createSoftwareSigner, decodeBase64Url, encodeBase64Url, type RandomSource, type SoftwareSigner, systemRandom } from '@cloudmfa/core';
import { publicKeyThumbprint } from '@cloudmfa/push';
import type { KeyEncryptionKeys } from './types.js';

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const B64_32 = /^[A-Za-z0-9_-]{43}$/;
const MAX_KEY_FILE_BYTES = 64 * 1024;

/**
 * Options of {@link loadKeyRingFile}.
 *
 * @example
 * ```ts
 * const options: LoadKeyRingFileOptions = { path: '/var/lib/mfa/keys.json', create: true };
 * ```
 */
export interface LoadKeyRingFileOptions {
  path: string;
  /** Create the file (one KEK `k1`, a new ES256 push key, mode 0600) when it does not exist. Default `false`. */
  create?: boolean;
  /** For a created file's keys. Default `systemRandom`. */
  random?: RandomSource;
}

/**
 * What {@link loadKeyRingFile} read: `kek` and `push` for `createMfaServer`'s `keys`.
 *
 * @example
 * ```ts
 * const loaded: LoadedKeyRingFile = loadKeyRingFile({ path });
 * console.log(loaded.describe()); // key ids and the push key's thumbprint only
 * ```
 */
export interface LoadedKeyRingFile {
  kek: KeyEncryptionKeys;
  push: SoftwareSigner;
  /** True when this call created the file. */
  created: boolean;
  /** Safe to print: the path, the KEK ids, the push key's public thumbprint. */
  describe(): string;
  /** Zeroes the loaded copies of the KEKs (`createMfaServer` keeps its own copy). */
  wipe(): void;
}

const access = (message: string) => new CloudMfaError('ERR_KEY_FILE_ACCESS', message);
const invalid = (message: string) => new CloudMfaError('ERR_KEY_FILE_INVALID', message);

function decodeKey(text: unknown, what: string): Uint8Array {
  let bytes: Uint8Array | null = null;
  if (typeof text === 'string' && B64_32.test(text)) {
    try {
      bytes = decodeBase64Url(text);
    } catch {
      bytes = null;
    }
  }
  if (!bytes || bytes.length !== 32) throw invalid(`${what} expected base64url of 32 bytes`);
  return bytes;
}

function parse(data: unknown, where: string): { kek: KeyEncryptionKeys; push: SoftwareSigner } {
  const d = data as { version?: unknown; kek?: { current?: unknown; keys?: unknown }; push?: { algorithm?: unknown; privateKey?: unknown } } | null;
  if (
    typeof d !== 'object' ||
    d === null ||
    d.version !== 1 ||
    typeof d.kek !== 'object' ||
    d.kek === null ||
    typeof d.kek.current !== 'string' ||
    typeof d.kek.keys !== 'object' ||
    d.kek.keys === null ||
    Array.isArray(d.kek.keys) ||
    typeof d.push !== 'object' ||
    d.push === null ||
    d.push.algorithm !== 'ES256'
  ) {
    throw invalid(`${where} does not have the expected shape (version 1, kek, push)`);
  }
  const keys: Record<string, Uint8Array> = {};
  for (const [id, text] of Object.entries(d.kek.keys as Record<string, unknown>)) {
    if (!KEY_ID.test(id)) throw invalid(`${where}: a KEK id is not [A-Za-z0-9._-]{1,64}`);
    keys[id] = decodeKey(text, `${where}: KEK ${id}`);
  }
  if (!Object.hasOwn(keys, d.kek.current)) throw invalid(`${where}: the current KEK id is not among the keys`);
  const privateKey = decodeKey(d.push.privateKey, `${where}: push key`);
  try {
    return { kek: { current: d.kek.current, keys }, push: createSoftwareSigner({ algorithm: 'ES256', privateKey }) };
  } catch {
    throw invalid(`${where}: push key is not a valid P-256 private key`);
  } finally {
    privateKey.fill(0);
  }
}

function read(path: string): { kek: KeyEncryptionKeys; push: SoftwareSigner } | null {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch (e) {
    if ((e as { code?: unknown })?.code === 'ENOENT') return null;
    throw access(`cannot read the key file ${path} (${String((e as { code?: unknown })?.code ?? 'error')})`);
  }
  if (!stat.isFile()) throw access(`the key file ${path} is not a regular file`);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw access(`the key file ${path} is accessible by group or others (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`);
  }
  if (stat.size > MAX_KEY_FILE_BYTES) throw access(`the key file ${path} is too large`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    if (typeof (e as { code?: unknown })?.code === 'string') throw access(`cannot read the key file ${path} (${(e as { code: string }).code})`);
    throw invalid(`the key file ${path} is not valid JSON`);
  }
  return parse(data, `the key file ${path}`);
}

// Creates the key file without ever exposing a partial one: write a private temporary file,
// fsync it, then link(2) it into place, which fails if the file already exists (another process
// starting at the same moment won): then that process's file is used.
function create(path: string, random: RandomSource): boolean {
  const kek = random(32);
  const privateKey = createSoftwareSigner({ algorithm: 'ES256', random }).exportPrivateKey();
  const content = `${JSON.stringify(
    { version: 1, kek: { current: 'k1', keys: { k1: encodeBase64Url(kek) } }, push: { algorithm: 'ES256', privateKey: encodeBase64Url(privateKey) } },
    null,
    2,
  )}\n`;
  kek.fill(0);
  privateKey.fill(0);
  const tmp = `${path}.${process.pid}.${encodeBase64Url(random(6))}.tmp`;
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o600);
  } catch (e) {
    throw access(`cannot create the key file ${path} (${String((e as { code?: unknown })?.code ?? 'error')})`);
  }
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  let created = false;
  try {
    linkSync(tmp, path);
    created = true;
  } catch (e) {
    if ((e as { code?: unknown })?.code !== 'EEXIST') throw access(`cannot create the key file ${path} (${String((e as { code?: unknown })?.code ?? 'error')})`);
  } finally {
    unlinkSync(tmp);
  }
  if (created) {
    try {
      const dir = openSync(dirname(path), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch {
      // Some file systems cannot fsync a directory; the file itself is synced.
    }
  }
  return created;
}

/**
 * Loads the server keys from a key file (docs/server.md section 2.2): `{ version: 1, kek:
 * { current, keys: { id: base64url(32 bytes) } }, push: { algorithm: 'ES256', privateKey } }`.
 * The file must be a regular file (not a symlink), at most 64 KiB, and on POSIX not accessible
 * by group or others. With `create: true` a missing file is created atomically (mode 0600).
 *
 * Problems with the file itself throw `ERR_KEY_FILE_ACCESS`, content that is not the format
 * throws `ERR_KEY_FILE_INVALID`; messages name the path and the field, never a key or any of
 * the file's content.
 *
 * @example
 * ```ts
 * import { loadKeyRingFile } from '@cloudmfa/server/key-file';
 * const { kek, push, describe } = loadKeyRingFile({ path: '/var/lib/mfa/keys.json', create: true });
 * const server = createMfaServer({ store, keys: { kek, push }, issuer: 'Acme' });
 * console.log(describe());
 * ```
 */
export function loadKeyRingFile({ path, create: allowCreate = false, random = systemRandom }: LoadKeyRingFileOptions): LoadedKeyRingFile {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"path" expected a file path');
  let loaded = read(path);
  let created = false;
  if (!loaded) {
    if (!allowCreate) throw access(`the key file ${path} does not exist`);
    created = create(path, checkedRandom(random));
    loaded = read(path);
    if (!loaded) throw access(`the key file ${path} vanished while it was created`);
  }
  const { kek, push } = loaded;
  const thumbprint = publicKeyThumbprint({ algorithm: 'ES256', publicKey: push.publicKey });
  return Object.freeze({
    kek,
    push,
    created,
    describe: () => `key file ${path}${created ? ' (created, mode 0600)' : ''}; KEK ${kek.current} (${Object.keys(kek.keys).length} configured); push key ES256 ${thumbprint}`,
    wipe: () => {
      for (const k of Object.values(kek.keys)) k.fill(0);
    },
  });
}
