// Key material (docs/guides/reference-server.md section 3): the KEKs that seal seeds at rest and
// the push-signing key, from the environment or from a local key file created on first start.
// Nothing here ever prints, logs or puts in an error message a key or a key file's content.
import { closeSync, fsyncSync, linkSync, lstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { createSoftwareSigner, decodeBase64Url, encodeBase64Url, systemRandom } from '@cloudmfa/core';
import { publicKeyThumbprint } from '@cloudmfa/push';
import { ConfigError } from './config.mjs';

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const B64_32 = /^[A-Za-z0-9_-]{43}$/;
const MAX_KEY_FILE_BYTES = 64 * 1024;

function decodeKey(text, what) {
  if (typeof text !== 'string' || !B64_32.test(text)) throw new ConfigError(`${what} expected base64url of 32 bytes`);
  let bytes;
  try {
    bytes = decodeBase64Url(text);
  } catch {
    bytes = null;
  }
  if (!bytes || bytes.length !== 32) throw new ConfigError(`${what} expected base64url of 32 bytes`);
  return bytes;
}

function pushSigner(privateKey, what) {
  try {
    return createSoftwareSigner({ algorithm: 'ES256', privateKey });
  } catch {
    throw new ConfigError(`${what} is not a valid P-256 private key`);
  } finally {
    privateKey.fill(0);
  }
}

function fromParts(kekCurrent, keks, pushKey, where) {
  const keys = {};
  for (const [id, text] of Object.entries(keks)) {
    if (!KEY_ID.test(id)) throw new ConfigError(`${where}: a KEK id is not [A-Za-z0-9._-]{1,64}`);
    keys[id] = decodeKey(text, `${where}: KEK ${id}`);
  }
  if (!Object.hasOwn(keys, kekCurrent)) throw new ConfigError(`${where}: the current KEK id is not among the keys`);
  const push = pushSigner(decodeKey(pushKey, `${where}: push key`), `${where}: push key`);
  return { kek: { current: kekCurrent, keys }, push };
}

// Creates the key file without ever exposing a partial one: write a private temporary file,
// fsync it, then link(2) it into place, which fails if the file already exists (another process
// starting at the same moment won): then that process's file is used.
function createKeyFile(path, random) {
  const kek = random(32);
  const signer = createSoftwareSigner({ algorithm: 'ES256', random });
  const privateKey = signer.exportPrivateKey();
  const content = `${JSON.stringify(
    {
      version: 1,
      kek: { current: 'k1', keys: { k1: encodeBase64Url(kek) } },
      push: { algorithm: 'ES256', privateKey: encodeBase64Url(privateKey) },
    },
    null,
    2,
  )}\n`;
  kek.fill(0);
  privateKey.fill(0);
  const tmp = `${path}.${process.pid}.${encodeBase64Url(random(6))}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
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
    if (e?.code !== 'EEXIST') throw new ConfigError(`cannot create the key file ${path} (${e?.code ?? 'error'})`);
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

function readKeyFile(path) {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (e) {
    if (e?.code === 'ENOENT') return null;
    throw new ConfigError(`cannot read the key file ${path} (${e?.code ?? 'error'})`);
  }
  if (!stat.isFile()) throw new ConfigError(`the key file ${path} is not a regular file`);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new ConfigError(`the key file ${path} is accessible by group or others (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`);
  }
  if (stat.size > MAX_KEY_FILE_BYTES) throw new ConfigError(`the key file ${path} is too large`);
  let data;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new ConfigError(`the key file ${path} is not valid JSON`);
  }
  if (
    typeof data !== 'object' ||
    data === null ||
    data.version !== 1 ||
    typeof data.kek !== 'object' ||
    data.kek === null ||
    typeof data.kek.current !== 'string' ||
    typeof data.kek.keys !== 'object' ||
    data.kek.keys === null ||
    typeof data.push !== 'object' ||
    data.push === null ||
    data.push.algorithm !== 'ES256'
  ) {
    throw new ConfigError(`the key file ${path} does not have the expected shape (version 1, kek, push)`);
  }
  return fromParts(data.kek.current, data.kek.keys, data.push.privateKey, `key file ${path}`);
}

/**
 * Loads the server keys as configured: `{ kek, push, source, created }`. `kek` is the
 * `KeyEncryptionKeys` of `createMfaServer`, `push` an ES256 signer. `describe()` is safe to print
 * (key ids and the push key's public thumbprint only).
 *
 * @param {import('./config.mjs').ServerConfig['keys']} config
 * @param {{ random?: (n: number) => Uint8Array }} [options]
 */
export function loadKeys(config, options = {}) {
  const random = options.random ?? systemRandom;
  let loaded;
  let created = false;
  if (config.source === 'env') {
    loaded = fromParts(config.kekCurrent, config.keks, config.pushKey, 'CLOUDMFA_KEKS/CLOUDMFA_PUSH_KEY');
  } else {
    loaded = readKeyFile(config.path);
    if (!loaded) {
      created = createKeyFile(config.path, random);
      loaded = readKeyFile(config.path);
      if (!loaded) throw new ConfigError(`the key file ${config.path} vanished while starting`);
    }
  }
  const thumbprint = publicKeyThumbprint({ algorithm: 'ES256', publicKey: loaded.push.publicKey });
  const where = config.source === 'env' ? 'environment' : `key file ${config.path}${created ? ' (created, mode 0600)' : ''}`;
  return {
    ...loaded,
    source: config.source,
    created,
    describe: () => `${where}; KEK ${loaded.kek.current} (${Object.keys(loaded.kek.keys).length} configured); push key ES256 ${thumbprint}`,
    /** Zeroes this module's copies of the KEKs (the server keeps its own copy). */
    wipe: () => {
      for (const k of Object.values(loaded.kek.keys)) k.fill(0);
    },
  };
}
