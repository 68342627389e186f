// Key material (docs/guides/reference-server.md section 3): the KEKs that seal seeds at rest and
// the push-signing key, from the environment or from a local key file created on first start
// (the file through @cloudmfa/server's loadKeyRingFile, docs/server.md section 2.2).
// Nothing here ever prints, logs or puts in an error message a key or a key file's content.
import { createSoftwareSigner, decodeBase64Url, isCloudMfaError, systemRandom } from '@cloudmfa/core';
import { publicKeyThumbprint } from '@cloudmfa/push';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { loadKeyRingFile } from '@cloudmfa/server/key-file';
import { ConfigError } from './config.mjs';

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const B64_32 = /^[A-Za-z0-9_-]{43}$/;

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
  if (config.source !== 'env') {
    try {
      const file = loadKeyRingFile({ path: config.path, create: true, random });
      return { kek: file.kek, push: file.push, source: config.source, created: file.created, describe: file.describe, wipe: file.wipe };
    } catch (e) {
      if (isCloudMfaError(e, 'ERR_KEY_FILE_ACCESS') || isCloudMfaError(e, 'ERR_KEY_FILE_INVALID')) throw new ConfigError(e.message);
      throw e;
    }
  }
  const loaded = fromParts(config.kekCurrent, config.keks, config.pushKey, 'CLOUDMFA_KEKS/CLOUDMFA_PUSH_KEY');
  const thumbprint = publicKeyThumbprint({ algorithm: 'ES256', publicKey: loaded.push.publicKey });
  return {
    ...loaded,
    source: config.source,
    created: false,
    describe: () => `environment; KEK ${loaded.kek.current} (${Object.keys(loaded.kek.keys).length} configured); push key ES256 ${thumbprint}`,
    /** Zeroes this module's copies of the KEKs (the server keeps its own copy). */
    wipe: () => {
      for (const k of Object.values(loaded.kek.keys)) k.fill(0);
    },
  };
}

// A stored organisation's id (docs/server.md "Organisations"): a DNS label, so a file name as it
// is. The server only asks for ids it validated; this check keeps a path out of join() anyway.
const ORG_ID = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The `organisationKeys` of `createMfaServer` over a directory of key files, one per stored
 * organisation (`<dir>/<orgId>.json`, created on the organisation's first operation; docs/guides/
 * reference-server.md section 3.1). The directory is checked now: it must exist and must not be
 * open to group or others (it holds every organisation's keys).
 *
 * @param {string} dir
 * @param {{ random?: (n: number) => Uint8Array, log?: (entry: object) => void }} [options]
 * @returns {(organisationId: string) => { kek: import('@cloudmfa/server').KeyEncryptionKeys, push: import('@cloudmfa/core').SoftwareSigner }}
 */
export function organisationKeyFiles(dir, options = {}) {
  const random = options.random ?? systemRandom;
  const log = options.log ?? (() => {});
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new ConfigError('CLOUDMFA_ORG_KEY_DIR: the directory does not exist or cannot be read');
  }
  if (!st.isDirectory()) throw new ConfigError('CLOUDMFA_ORG_KEY_DIR expected a directory');
  if ((st.mode & 0o077) !== 0) throw new ConfigError('CLOUDMFA_ORG_KEY_DIR is open to group or others (expected mode 0700): it holds every organisation\'s keys');
  return (organisationId) => {
    if (typeof organisationId !== 'string' || !ORG_ID.test(organisationId)) throw new ConfigError('an organisation id is not a DNS label');
    // A missing or invalid file throws ERR_KEY_FILE_ACCESS / ERR_KEY_FILE_INVALID (messages name
    // no key); the server does not remember the rejection, so the next operation reads again.
    const file = loadKeyRingFile({ path: join(dir, `${organisationId}.json`), create: true, random });
    log({ event: 'organisation_keys', organisation: organisationId, created: file.created, keys: file.describe() });
    // createMfaServer copies the KEKs it is given; this object is dropped after that.
    return { kek: file.kek, push: file.push };
  };
}
