import { CloudMfaError } from '@cloudmfa/core';
import pkcs11js from 'pkcs11js';
import { ckr, configError } from './errors.js';

/**
 * An open, logged-in PKCS#11 token: a pool of sessions the KEK provider and the signer share.
 * Close it when the server stops.
 *
 * @example
 * ```ts
 * const token = openPkcs11Token({ library: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: 'cloudmfa', pin });
 * process.on('SIGTERM', () => token.close());
 * ```
 */
export interface Pkcs11Token {
  readonly tokenLabel: string;
  /** Logs out, closes the sessions, and finalizes the library when no other token of it is open. */
  close(): void;
}

/**
 * Options of {@link openPkcs11Token}.
 *
 * @example
 * ```ts
 * const options: OpenPkcs11TokenOptions = { library: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: 'cloudmfa', pin: process.env.HSM_PIN ?? '' };
 * ```
 */
export interface OpenPkcs11TokenOptions {
  /** Path of the PKCS#11 module (`.so`). */
  library: string;
  /** The token's label (`CK_TOKEN_INFO.label`, trailing spaces ignored). */
  tokenLabel: string;
  /** The user PIN. Never logged or put into an error. */
  pin: string;
  /** Sessions opened for concurrent calls: 1..64, default 4. */
  sessions?: number;
}

type Pkcs11 = InstanceType<typeof pkcs11js.PKCS11>;
export type Handle = Buffer;

/** What the provider and the signer use; not exported from the package. */
export interface TokenInternals {
  readonly module: Pkcs11;
  /** Runs `fn` on a free session (waits for one), one operation at a time per session. */
  run<T>(fn: (session: Handle) => Promise<T>): Promise<T>;
  /** Finds objects by template on a free session. */
  find(template: pkcs11js.Template): Promise<Handle[]>;
  readonly closed: () => boolean;
}

export const INTERNALS = new WeakMap<Pkcs11Token, TokenInternals>();

// One loaded module per library path: C_Initialize may run once per process. The login state
// is per application and token too, so the last token object of a slot logs out.
const LOADED = new Map<string, { module: Pkcs11; refs: number; logins: Map<string, number> }>();

function loadModule(library: string): Pkcs11 {
  const loaded = LOADED.get(library);
  if (loaded) {
    loaded.refs++;
    return loaded.module;
  }
  const module = new pkcs11js.PKCS11();
  try {
    module.load(library);
  } catch {
    throw configError(`cannot load the PKCS#11 library ${library}`);
  }
  try {
    module.C_Initialize();
  } catch (e) {
    if (ckr(e) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
      module.close();
      throw configError(`C_Initialize of ${library} failed (${ckr(e)})`);
    }
  }
  LOADED.set(library, { module, refs: 1, logins: new Map() });
  return module;
}

function unloadModule(library: string): void {
  const loaded = LOADED.get(library);
  if (!loaded || --loaded.refs > 0) return;
  LOADED.delete(library);
  try {
    loaded.module.C_Finalize();
  } finally {
    loaded.module.close();
  }
}

/**
 * Opens the token labelled `tokenLabel` in the PKCS#11 module `library`, logs in with the user
 * PIN and opens a pool of sessions. A wrong library, token label or PIN throws
 * `ERR_PKCS11_CONFIG` (the message names the label and the `CKR_` code, never the PIN).
 *
 * @example
 * ```ts
 * const token = openPkcs11Token({ library: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: 'cloudmfa', pin });
 * const kek = createPkcs11KekProvider({ token, currentKeyId: 'kek-2026' });
 * ```
 */
export function openPkcs11Token({ library, tokenLabel, pin, sessions = 4 }: OpenPkcs11TokenOptions): Pkcs11Token {
  if (typeof library !== 'string' || library.length === 0) throw configError('"library" expected the path of a PKCS#11 module');
  if (typeof tokenLabel !== 'string' || tokenLabel.length === 0 || tokenLabel.length > 32) throw configError('"tokenLabel" expected 1..32 characters');
  if (typeof pin !== 'string') throw configError('"pin" expected a string');
  if (!Number.isSafeInteger(sessions) || sessions < 1 || sessions > 64) throw configError('"sessions" expected an integer 1..64');
  const module = loadModule(library);
  const logins = (LOADED.get(library) as { logins: Map<string, number> }).logins;
  let slotKey = '';
  const handles: Handle[] = [];
  try {
    let slot: Handle | undefined;
    for (const s of module.C_GetSlotList(true)) {
      if (module.C_GetTokenInfo(s).label.trim() === tokenLabel) {
        slot = s;
        break;
      }
    }
    if (!slot) throw configError(`no PKCS#11 token labelled ${JSON.stringify(tokenLabel)} in ${library}`);
    for (let i = 0; i < sessions; i++) handles.push(module.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION));
    try {
      module.C_Login(handles[0] as Handle, pkcs11js.CKU_USER, pin);
    } catch (e) {
      if (ckr(e) !== 'CKR_USER_ALREADY_LOGGED_IN') throw configError(`login to the PKCS#11 token ${JSON.stringify(tokenLabel)} failed (${ckr(e)})`);
    }
    slotKey = slot.toString('hex');
    logins.set(slotKey, (logins.get(slotKey) ?? 0) + 1);
  } catch (e) {
    for (const h of handles) module.C_CloseSession(h);
    unloadModule(library);
    if (e instanceof CloudMfaError) throw e;
    throw configError(`opening the PKCS#11 token ${JSON.stringify(tokenLabel)} failed (${ckr(e)})`);
  }

  const free = [...handles];
  const waiting: ((h: Handle) => void)[] = [];
  let closed = false;
  const acquire = (): Promise<Handle> => {
    const h = free.pop();
    return h ? Promise.resolve(h) : new Promise((resolve) => waiting.push(resolve));
  };
  const release = (h: Handle) => {
    const next = waiting.shift();
    if (next) next(h);
    else free.push(h);
  };
  const run = async <T>(fn: (session: Handle) => Promise<T>): Promise<T> => {
    if (closed) throw new CloudMfaError('ERR_KEK_UNAVAILABLE', 'the PKCS#11 token is closed');
    const h = await acquire();
    try {
      return await fn(h);
    } finally {
      release(h);
    }
  };
  const token: Pkcs11Token = Object.freeze({
    tokenLabel,
    close() {
      if (closed) return;
      closed = true;
      const left = (logins.get(slotKey) ?? 1) - 1;
      if (left > 0) logins.set(slotKey, left);
      else {
        logins.delete(slotKey);
        try {
          module.C_Logout(handles[0] as Handle);
        } catch {
          // The token already dropped the login: nothing to undo.
        }
      }
      for (const h of handles) {
        try {
          module.C_CloseSession(h);
        } catch {
          // A session the token already dropped.
        }
      }
      unloadModule(library);
    },
  });
  INTERNALS.set(token, {
    module,
    run,
    find: (template) =>
      run(async (s) => {
        module.C_FindObjectsInit(s, template);
        try {
          return module.C_FindObjects(s, 16);
        } finally {
          module.C_FindObjectsFinal(s);
        }
      }),
    closed: () => closed,
  });
  return token;
}

export function internalsOf(token: Pkcs11Token, field = 'token'): TokenInternals {
  const t = typeof token === 'object' && token !== null ? INTERNALS.get(token) : undefined;
  if (!t) throw configError(`"${field}" expected a token from openPkcs11Token`);
  return t;
}
