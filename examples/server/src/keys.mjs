// Key material (docs/guides/reference-server.md section 3): the KEKs that seal seeds at rest and
// the push-signing key, from the environment or from a local key file created on first start
// (the file through @cloudmfa/server's loadKeyRingFile, docs/server.md section 2.2).
// Nothing here ever prints, logs or puts in an error message a key or a key file's content.
import { createSoftwareSigner, decodeBase64Url, isCloudMfaError, systemRandom } from '@cloudmfa/core';
import { publicKeyThumbprint } from '@cloudmfa/push';
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
