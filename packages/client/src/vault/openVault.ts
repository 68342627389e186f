import { checkedRandom, CloudMfaError, constantTimeEqual, type CryptoProvider, pureJsCryptoProvider, systemClock, systemRandom } from '@cloudmfa/core';
import { assertBytes } from '../_assertBytes.js';
import type { SecureKeyValueStore } from '@cloudmfa/storage';
import type { VaultErrorCode } from './errors.js';
import {
  encodeRecord,
  KEY_LENGTH,
  KIND_VAULT,
  NONCE_LENGTH,
  openWithMasterKey,
  type ParsedRecord,
  parseRecord,
  resealHeader,
  SALT_LENGTH,
  type Slot,
  SLOT_BIOMETRIC,
  SLOT_DEVICE,
  SLOT_PIN,
  seal,
  contentsAd,
  sealRecord,
  shortHash,
  unwrapKey,
  wrapKey,
} from './format.js';
import { checkKdfOption, DEFAULT_PIN_KDF, deriveSlotKey, kdfStanding, normalizeSecret } from './kdf.js';
import { type Counter, decodeCounter, decodePointer, encodeCounter, encodePointer, type Pointer, RECORD_HASH_LENGTH } from './records.js';
import type { OpenVaultOptions, UnlockResult, Vault, VaultStatus } from './types.js';

/**
 * Default waits after wrong PINs in a row (ms; index n-1 is the wait after the n-th): four
 * free attempts, then 30 s, 1 min, 5 min, 15 min, and 1 h for every further one.
 *
 * @example
 * ```ts
 * await openVault({ store, pinDelays: DEFAULT_PIN_DELAYS });
 * ```
 */
export const DEFAULT_PIN_DELAYS: readonly number[] = Object.freeze([0, 0, 0, 0, 30_000, 60_000, 300_000, 900_000, 3_600_000]);

/**
 * A PIN has at least this many characters (after NFKC). Organisation policies may ask for more.
 *
 * @example
 * ```ts
 * if (pin.length < MIN_PIN_LENGTH) showTooShort();
 * ```
 */
export const MIN_PIN_LENGTH = 4;

/** The largest record the vault writes: one secure-store value (`STORAGE_LIMITS.clientValueBytes`). */
const MAX_RECORD_BYTES = 65536;
/** Store key prefixes: what `SecureKeyValueStore` keys allow, leaving room for the suffixes. */
export const PREFIX_RE = /^[A-Za-z0-9._-]{1,100}$/;

interface Sealed {
  pointer: Pointer;
  bytes: Uint8Array;
  record: ParsedRecord;
}

interface Secrets {
  masterKey: Uint8Array;
  contentsKey: Uint8Array;
  contents: Uint8Array;
}

const err = (code: VaultErrorCode, message: string): CloudMfaError => new CloudMfaError(code, message);
const damaged = (): CloudMfaError => err('ERR_VAULT_DAMAGED', 'the stored vault is damaged');

function slotOf(record: ParsedRecord, type: number): Slot | undefined {
  return record.slots.find((s) => s.type === type);
}

/** The slot rules of a vault record (spec section 3.3); `undefined` when they hold. */
function checkVaultSlots(record: ParsedRecord): 'damaged' | 'kdf-cost' | undefined {
  const types = record.slots.map((s) => s.type);
  if (new Set(types).size !== types.length) return 'damaged';
  const hasDevice = types.includes(SLOT_DEVICE);
  const hasPin = types.includes(SLOT_PIN);
  if (hasDevice === hasPin) return 'damaged';
  if (types.includes(SLOT_BIOMETRIC) && !hasPin) return 'damaged';
  if (types.some((t) => t !== SLOT_DEVICE && t !== SLOT_PIN && t !== SLOT_BIOMETRIC)) return 'damaged';
  const pin = slotOf(record, SLOT_PIN);
  if (pin?.kdf !== undefined) {
    const standing = kdfStanding(pin.kdf);
    if (standing === 'invalid') return 'damaged';
    if (standing === 'too-costly') return 'kdf-cost';
  }
  return undefined;
}

export function checkOptions(options: Pick<OpenVaultOptions, 'store'>): void {
  if (typeof options !== 'object' || options === null) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"options" expected an object');
  }
  const { store } = options;
  if (
    typeof store !== 'object' ||
    store === null ||
    typeof store.get !== 'function' ||
    typeof store.set !== 'function' ||
    typeof store.delete !== 'function'
  ) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"store" expected a SecureKeyValueStore (get, set, delete)');
  }
}

function checkPinDelays(delays: unknown): readonly number[] {
  if (
    !Array.isArray(delays) ||
    delays.length > 100 ||
    !delays.every((d) => typeof d === 'number' && Number.isFinite(d) && d >= 0 && d <= 365 * 86_400_000)
  ) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"pinDelays" expected at most 100 waits in ms, each in [0, 1 year]');
  }
  return Object.freeze([...delays]);
}

/**
 * Opens the vault in `store`, or creates one when the store holds none: a new vault has a
 * device slot (no PIN) and is unlocked, with empty contents. A vault with a PIN opens locked.
 * The format, the write protocol and the PIN rules are in `docs/protocol/vault.md`.
 *
 * Throws `ERR_VAULT_DAMAGED` when the stored vault fails its integrity checks,
 * `ERR_VAULT_VERSION` for a newer format, `ERR_VAULT_KDF_COST` when its PIN slot asks for more
 * than {@link VAULT_KDF_LIMITS} (before any KDF runs), `ERR_VAULT_STORE` when the store fails.
 * To start over after damage, use {@link wipeVault} (then restore a backup).
 *
 * @example
 * ```ts
 * import { createMemorySecureStore } from '@cloudmfa/storage';
 *
 * const vault = await openVault({ store: createMemorySecureStore(), autoLockMs: 60_000 });
 * vault.status().state; // 'unlocked' (new vault, no PIN yet)
 * await vault.write(new Uint8Array([1, 2, 3]));
 * await vault.setPin('482913');
 * vault.lock();
 * await vault.unlock('000000'); // { ok: false, reason: 'wrong-pin', failedPinAttempts: 1, ... }
 * await vault.unlock('482913'); // { ok: true }
 * vault.read(); // Uint8Array [1, 2, 3]
 * ```
 */
export async function openVault(options: OpenVaultOptions): Promise<Vault> {
  checkOptions(options);
  const {
    store,
    keyPrefix = 'cloudmfa.vault',
    crypto = pureJsCryptoProvider,
    now = systemClock,
    biometrics,
    autoLockMs = 60_000,
    maxPinAttempts,
  } = options;
  if (typeof keyPrefix !== 'string' || !PREFIX_RE.test(keyPrefix)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"keyPrefix" expected 1..100 characters of [A-Za-z0-9._-]');
  }
  if (typeof crypto !== 'object' || crypto === null || typeof crypto.scrypt !== 'function') {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"crypto" expected a CryptoProvider');
  }
  if (typeof now !== 'function') throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"now" expected a function');
  if (typeof autoLockMs !== 'number' || !Number.isSafeInteger(autoLockMs) || autoLockMs < 0) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"autoLockMs" expected a non-negative integer of ms');
  }
  if (maxPinAttempts !== undefined && (!Number.isSafeInteger(maxPinAttempts) || maxPinAttempts < 1 || maxPinAttempts > 1000)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"maxPinAttempts" expected an integer in [1, 1000]');
  }
  if (
    biometrics !== undefined &&
    (typeof biometrics !== 'object' ||
      biometrics === null ||
      typeof biometrics.save !== 'function' ||
      typeof biometrics.load !== 'function' ||
      typeof biometrics.remove !== 'function')
  ) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"biometrics" expected a BiometricKeySeam (save, load, remove)');
  }
  const pinDelays = checkPinDelays(options.pinDelays ?? DEFAULT_PIN_DELAYS);
  const pinKdf = checkKdfOption(options.pinKdf ?? DEFAULT_PIN_KDF, 'pinKdf');
  const random = checkedRandom(options.random ?? systemRandom);

  const engine = new VaultEngine({
    store,
    keys: {
      record: [`${keyPrefix}.v0`, `${keyPrefix}.v1`],
      pointer: `${keyPrefix}.ptr`,
      counter: `${keyPrefix}.pin`,
      device: `${keyPrefix}.dev`,
    },
    crypto,
    now,
    random,
    biometrics,
    autoLockMs,
    maxPinAttempts,
    pinDelays,
    pinKdf,
  });
  await engine.open();
  engine.settle();
  return engine.api();
}

interface EngineConfig {
  store: SecureKeyValueStore;
  keys: { record: [string, string]; pointer: string; counter: string; device: string };
  crypto: CryptoProvider;
  now: () => number;
  random: (n: number) => Uint8Array;
  biometrics: OpenVaultOptions['biometrics'];
  autoLockMs: number;
  maxPinAttempts: number | undefined;
  pinDelays: readonly number[];
  pinKdf: { log2N: number; r: number; p: number };
}

// The vault's machinery. Not exported: `openVault` hands out only the `Vault` interface.
class VaultEngine {
  private sealed: Sealed | undefined;
  private secrets: Secrets | undefined;
  private counter: Counter = { failed: 0, lastAt: 0 };
  private wiped = false;
  private lastActivity = 0;
  /** A commit whose pointer write failed without telling whether it landed. */
  private pending: { sealed: Sealed; secrets: Secrets | undefined; old: Sealed } | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(status: VaultStatus) => void>();
  private lastEmitted = '';

  constructor(private readonly c: EngineConfig) {}

  // -------------------------------------------------------------------------------------------
  // Store access: every host failure becomes ERR_VAULT_STORE. No cause: a host error may echo
  // the value it was given.

  private async get(key: string): Promise<Uint8Array | null> {
    let v: unknown;
    try {
      v = await this.c.store.get(key);
    } catch {
      throw err('ERR_VAULT_STORE', 'the secure store failed to read');
    }
    if (v === null || v === undefined) return null;
    if (!(v instanceof Uint8Array)) throw damaged();
    return v;
  }

  private async set(key: string, value: Uint8Array): Promise<void> {
    try {
      await this.c.store.set(key, value);
    } catch {
      throw err('ERR_VAULT_STORE', 'the secure store failed to write');
    }
  }

  private async del(key: string): Promise<void> {
    try {
      await this.c.store.delete(key);
    } catch {
      throw err('ERR_VAULT_STORE', 'the secure store failed to delete');
    }
  }

  private async delQuietly(key: string): Promise<void> {
    await this.del(key).catch(() => undefined);
  }

  /** Runs `fn` after every earlier operation: one PIN attempt or commit at a time. */
  private run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(async () => {
      await this.resync();
      return fn();
    });
    this.chain = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  // -------------------------------------------------------------------------------------------
  // Loading

  private async loadSealed(): Promise<Sealed | undefined> {
    const ptrBytes = await this.get(this.c.keys.pointer);
    if (ptrBytes === null) return undefined;
    const pointer = decodePointer(ptrBytes);
    if (pointer === undefined) throw damaged();
    const bytes = await this.get(this.c.keys.record[pointer.which]);
    if (bytes === null || !constantTimeEqual(shortHash(bytes, RECORD_HASH_LENGTH), pointer.recordHash)) throw damaged();
    const parsed = parseRecord(bytes, KIND_VAULT);
    if (!parsed.ok) {
      if (parsed.reason === 'version') throw err('ERR_VAULT_VERSION', 'the vault was written in a newer format version');
      throw damaged();
    }
    const rules = checkVaultSlots(parsed.record);
    if (rules === 'kdf-cost') throw err('ERR_VAULT_KDF_COST', 'the vault PIN slot asks for KDF parameters above the caps');
    if (rules === 'damaged') throw damaged();
    return { pointer, bytes, record: parsed.record };
  }

  private async loadCounter(): Promise<Counter> {
    const bytes = await this.get(this.c.keys.counter);
    if (bytes === null) return { failed: 0, lastAt: 0 };
    const counter = decodeCounter(bytes);
    if (counter === undefined) throw damaged();
    return counter;
  }

  async open(): Promise<void> {
    const sealed = await this.loadSealed();
    if (sealed === undefined) {
      await this.create();
      return;
    }
    this.counter = await this.loadCounter();
    this.sealed = sealed;
    const device = slotOf(sealed.record, SLOT_DEVICE);
    if (device !== undefined) {
      const deviceKey = await this.get(this.c.keys.device);
      if (deviceKey === null || deviceKey.length !== KEY_LENGTH) throw damaged();
      const masterKey = unwrapKey(deviceKey, KIND_VAULT, device);
      if (masterKey === undefined) throw damaged();
      const opened = openWithMasterKey(sealed.record, masterKey);
      if (opened === undefined) throw damaged();
      this.secrets = { masterKey, ...opened };
    } else {
      // An interrupted removePin may have left a device key behind: it opens nothing now.
      await this.delQuietly(this.c.keys.device);
    }
    // The other generation is an older record or an interrupted write: either way not the vault.
    await this.delQuietly(this.c.keys.record[1 - sealed.pointer.which] as string);
    this.lastActivity = this.c.now();
  }

  private async create(): Promise<void> {
    const { random } = this.c;
    const masterKey = random(KEY_LENGTH);
    const contentsKey = random(KEY_LENGTH);
    const deviceKey = random(KEY_LENGTH);
    const slot = wrapKey(deviceKey, random(NONCE_LENGTH), KIND_VAULT, { type: SLOT_DEVICE }, masterKey);
    const contents = new Uint8Array(0);
    const { bytes, record } = sealRecord({
      kind: KIND_VAULT,
      slots: [slot],
      masterKey,
      contentsKey,
      headerNonce: random(NONCE_LENGTH),
      contentsNonce: random(NONCE_LENGTH),
      contents,
    });
    // Order: the device key and the record before the pointer that makes them the vault.
    await this.del(this.c.keys.counter);
    await this.set(this.c.keys.device, deviceKey);
    await this.set(this.c.keys.record[0], bytes);
    const pointer: Pointer = { which: 0, generation: 1, recordHash: shortHash(bytes, RECORD_HASH_LENGTH) };
    await this.set(this.c.keys.pointer, encodePointer(pointer));
    await this.delQuietly(this.c.keys.record[1]);
    this.sealed = { pointer, bytes, record };
    this.secrets = { masterKey, contentsKey, contents };
    this.counter = { failed: 0, lastAt: 0 };
    this.lastActivity = this.c.now();
  }

  // -------------------------------------------------------------------------------------------
  // Committing (spec section 6): new record into the other generation key, then the pointer.

  private async commit(bytes: Uint8Array, record: ParsedRecord, secrets: Secrets): Promise<void> {
    if (bytes.length > MAX_RECORD_BYTES) throw err('ERR_VAULT_TOO_LARGE', `the vault would take ${bytes.length} bytes, above ${MAX_RECORD_BYTES}`);
    const old = this.current();
    const which = (1 - old.pointer.which) as 0 | 1;
    const pointer: Pointer = {
      which,
      generation: (old.pointer.generation + 1) >>> 0,
      recordHash: shortHash(bytes, RECORD_HASH_LENGTH),
    };
    const next: Sealed = { pointer, bytes, record };
    await this.set(this.c.keys.record[which], bytes);
    try {
      await this.set(this.c.keys.pointer, encodePointer(pointer));
    } catch (e) {
      // The host may have written the pointer and then failed: find out which vault is stored.
      this.pending = { sealed: next, secrets, old };
      await this.resync().catch(() => undefined);
      if (this.pending !== undefined || this.sealed !== next) throw e;
      // The new pointer landed: the commit happened.
      await this.delQuietly(this.c.keys.record[old.pointer.which]);
      return;
    }
    this.sealed = next;
    if (this.secrets !== undefined) this.secrets = secrets;
    await this.delQuietly(this.c.keys.record[old.pointer.which]);
  }

  /** After an uncertain pointer write: adopt whichever of the two vaults the store holds. */
  private async resync(): Promise<void> {
    const p = this.pending;
    if (p === undefined) return;
    const bytes = await this.get(this.c.keys.pointer);
    const stored = bytes === null ? undefined : decodePointer(bytes);
    if (stored === undefined) throw damaged();
    this.pending = undefined;
    if (stored.which === p.sealed.pointer.which && constantTimeEqual(stored.recordHash, p.sealed.pointer.recordHash)) {
      this.sealed = p.sealed;
      if (this.secrets !== undefined && p.secrets !== undefined) this.secrets = p.secrets;
    } else if (!(stored.which === p.old.pointer.which && constantTimeEqual(stored.recordHash, p.old.pointer.recordHash))) {
      throw damaged();
    }
  }

  private current(): Sealed {
    if (this.sealed === undefined) throw damaged();
    return this.sealed;
  }

  // -------------------------------------------------------------------------------------------
  // State

  private hasPin(): boolean {
    return this.sealed !== undefined && slotOf(this.sealed.record, SLOT_PIN) !== undefined;
  }

  private retryAtFor(counter: Counter): number | null {
    if (counter.failed === 0) return null;
    const { pinDelays } = this.c;
    if (pinDelays.length === 0) return null;
    const delay = pinDelays[Math.min(counter.failed, pinDelays.length) - 1] as number;
    return delay > 0 ? counter.lastAt + delay : null;
  }

  private expireIfIdle(): void {
    if (this.secrets === undefined || !this.hasPin() || this.c.autoLockMs === 0) return;
    if (this.c.now() - this.lastActivity >= this.c.autoLockMs) this.forget();
  }

  private forget(): void {
    if (this.secrets === undefined) return;
    this.clearSecrets();
    this.emit();
  }

  private clearSecrets(): void {
    if (this.secrets === undefined) return;
    this.secrets.masterKey.fill(0);
    this.secrets.contentsKey.fill(0);
    this.secrets.contents.fill(0);
    this.secrets = undefined;
  }

  private snapshot(): VaultStatus {
    const sealed = this.sealed;
    return {
      state: this.wiped ? 'wiped' : this.secrets !== undefined ? 'unlocked' : 'locked',
      hasPin: !this.wiped && this.hasPin(),
      hasBiometrics: !this.wiped && sealed !== undefined && slotOf(sealed.record, SLOT_BIOMETRIC) !== undefined,
      failedPinAttempts: this.wiped ? 0 : this.counter.failed,
      retryAt: this.wiped ? null : this.retryAtFor(this.counter),
    };
  }

  /** The status at open is the baseline: subscribers hear of changes only. */
  settle(): void {
    this.lastEmitted = JSON.stringify(this.snapshot());
  }

  private emit(): void {
    const status = this.snapshot();
    const key = JSON.stringify(status);
    if (key === this.lastEmitted) return;
    this.lastEmitted = key;
    for (const listener of [...this.listeners]) {
      try {
        listener(status);
      } catch {
        // A listener's failure is the UI's; the vault's state is already settled.
      }
    }
  }

  private assertNotWiped(): void {
    if (this.wiped) throw err('ERR_VAULT_WIPED', 'the vault was wiped; open a new one');
  }

  private unlocked(): Secrets {
    this.assertNotWiped();
    this.expireIfIdle();
    if (this.secrets === undefined) throw err('ERR_VAULT_LOCKED', 'the vault is locked');
    return this.secrets;
  }

  private async setCounter(counter: Counter): Promise<void> {
    if (counter.failed === 0) await this.del(this.c.keys.counter);
    else await this.set(this.c.keys.counter, encodeCounter(counter));
    this.counter = counter;
    this.emit();
  }

  private async wipeAll(): Promise<void> {
    const hadBiometrics = this.sealed !== undefined && slotOf(this.sealed.record, SLOT_BIOMETRIC) !== undefined;
    // The pointer first: without it no vault exists, whatever else survives a failure below.
    await this.del(this.c.keys.pointer);
    for (const key of [...this.c.keys.record, this.c.keys.device, this.c.keys.counter]) await this.delQuietly(key);
    if (hadBiometrics) await this.c.biometrics?.remove().catch(() => undefined);
    this.forget();
    this.wiped = true;
    this.sealed = undefined;
    this.pending = undefined;
    this.counter = { failed: 0, lastAt: 0 };
    this.emit();
  }

  private unlockedWith(secrets: Secrets): void {
    this.secrets = secrets;
    this.lastActivity = this.c.now();
    this.emit();
  }

  private async newPinSlot(pin: Uint8Array, masterKey: Uint8Array): Promise<Slot> {
    const kdf = { ...this.c.pinKdf, salt: this.c.random(SALT_LENGTH) };
    const key = await deriveSlotKey(this.c.crypto, pin, kdf, 'ERR_VAULT_KDF_FAILED');
    return wrapKey(key, this.c.random(NONCE_LENGTH), KIND_VAULT, { type: SLOT_PIN, kdf }, masterKey);
  }

  /** Re-seals the header around the unchanged contents ciphertext, then commits. */
  private async commitSlots(slots: Slot[], secrets: Secrets): Promise<void> {
    const record = this.current().record;
    const next = resealHeader({
      kind: KIND_VAULT,
      slots,
      masterKey: secrets.masterKey,
      contentsKey: secrets.contentsKey,
      headerNonce: this.c.random(NONCE_LENGTH),
      contentsNonce: record.contentsNonce,
      contentsCiphertext: record.contentsCiphertext,
    });
    await this.commit(next.bytes, next.record, secrets);
  }

  // -------------------------------------------------------------------------------------------
  // Operations

  private async unlockPin(pin: string): Promise<UnlockResult> {
    if (this.wiped) return { ok: false, reason: 'wiped' };
    const pinSlot = this.sealed === undefined ? undefined : slotOf(this.sealed.record, SLOT_PIN);
    if (pinSlot?.kdf === undefined) throw err('ERR_VAULT_STATE', 'the vault has no PIN');
    // A malformed PIN is the developer's misuse, not an attempt: checked before counting.
    const secret = normalizeSecret(pin, 'pin', MIN_PIN_LENGTH);
    const { maxPinAttempts } = this.c;
    let counter = await this.loadCounter();
    this.counter = counter;
    const t = this.c.now();
    if (maxPinAttempts !== undefined && counter.failed >= maxPinAttempts) {
      await this.wipeAll();
      return { ok: false, reason: 'wiped' };
    }
    if (counter.failed > 0 && counter.lastAt > t) {
      // The clock went back: the wait restarts from now instead of never ending or vanishing.
      counter = { failed: counter.failed, lastAt: t };
      await this.setCounter(counter);
    }
    const retryAt = this.retryAtFor(counter);
    if (retryAt !== null && t < retryAt) {
      this.emit();
      return { ok: false, reason: 'too-soon', retryAt };
    }
    // Counted and persisted BEFORE the KDF: a crash, a kill or a parallel call gains nothing.
    const counted: Counter = { failed: counter.failed + 1, lastAt: t };
    await this.setCounter(counted);
    const key = await deriveSlotKey(this.c.crypto, secret, pinSlot.kdf, 'ERR_VAULT_KDF_FAILED');
    const masterKey = unwrapKey(key, KIND_VAULT, pinSlot);
    if (masterKey === undefined) {
      if (maxPinAttempts !== undefined && counted.failed >= maxPinAttempts) {
        await this.wipeAll();
        return { ok: false, reason: 'wiped' };
      }
      return {
        ok: false,
        reason: 'wrong-pin',
        failedPinAttempts: counted.failed,
        retryAt: this.retryAtFor(counted),
        attemptsLeft: maxPinAttempts === undefined ? null : maxPinAttempts - counted.failed,
      };
    }
    // The PIN opened its slot, so the master key is right: any failure now is damage.
    const opened = openWithMasterKey(this.current().record, masterKey);
    if (opened === undefined) throw damaged();
    await this.setCounter({ failed: 0, lastAt: 0 });
    this.clearSecrets();
    this.unlockedWith({ masterKey, ...opened });
    return { ok: true };
  }

  private async unlockBiometric(prompt: { title: string }): Promise<UnlockResult> {
    if (this.wiped) return { ok: false, reason: 'wiped' };
    if (typeof prompt !== 'object' || prompt === null || typeof prompt.title !== 'string') {
      throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"prompt" expected { title: string }');
    }
    const slot = this.sealed === undefined ? undefined : slotOf(this.sealed.record, SLOT_BIOMETRIC);
    const { biometrics } = this.c;
    if (slot === undefined || biometrics === undefined) throw err('ERR_VAULT_STATE', 'biometric unlock is not enabled');
    let key: unknown;
    try {
      key = await biometrics.load({ title: prompt.title });
    } catch {
      return { ok: false, reason: 'cancelled' };
    }
    if (key === null || key === undefined) return { ok: false, reason: 'cancelled' };
    if (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH) return { ok: false, reason: 'biometrics-invalid' };
    const masterKey = unwrapKey(key, KIND_VAULT, slot);
    if (masterKey === undefined) return { ok: false, reason: 'biometrics-invalid' };
    const opened = openWithMasterKey(this.current().record, masterKey);
    if (opened === undefined) throw damaged();
    this.clearSecrets();
    this.unlockedWith({ masterKey, ...opened });
    return { ok: true };
  }

  private async write(contents: Uint8Array): Promise<void> {
    assertBytes(contents, 'contents');
    const secrets = this.unlocked();
    const copy = Uint8Array.from(contents);
    const record = this.current().record;
    const contentsNonce = this.c.random(NONCE_LENGTH);
    const contentsCiphertext = seal(secrets.contentsKey, contentsNonce, contentsAd(KIND_VAULT), copy);
    const parts = { ...record, contentsNonce, contentsCiphertext };
    const bytes = encodeRecord(parts);
    await this.commit(bytes, parts, { ...secrets, contents: copy });
  }

  private async setPin(pin: string): Promise<void> {
    const secrets = this.unlocked();
    if (this.hasPin()) throw err('ERR_VAULT_STATE', 'the vault already has a PIN; use changePin');
    const secret = normalizeSecret(pin, 'pin', MIN_PIN_LENGTH);
    const { random } = this.c;
    // A fresh master key: the old one was readable by anyone holding the device key.
    const masterKey = random(KEY_LENGTH);
    const contentsKey = random(KEY_LENGTH);
    const slot = await this.newPinSlot(secret, masterKey);
    const contents = Uint8Array.from(secrets.contents);
    const next = sealRecord({
      kind: KIND_VAULT,
      slots: [slot],
      masterKey,
      contentsKey,
      headerNonce: random(NONCE_LENGTH),
      contentsNonce: random(NONCE_LENGTH),
      contents,
    });
    await this.commit(next.bytes, next.record, { masterKey, contentsKey, contents });
    await this.delQuietly(this.c.keys.device);
    this.lastActivity = this.c.now();
    this.emit();
  }

  private async changePin(newPin: string): Promise<void> {
    const secrets = this.unlocked();
    if (!this.hasPin()) throw err('ERR_VAULT_STATE', 'the vault has no PIN; use setPin');
    const secret = normalizeSecret(newPin, 'newPin', MIN_PIN_LENGTH);
    const slot = await this.newPinSlot(secret, secrets.masterKey);
    const others = this.current().record.slots.filter((s) => s.type !== SLOT_PIN);
    await this.commitSlots([slot, ...others], secrets);
    this.lastActivity = this.c.now();
  }

  private async removePin(): Promise<void> {
    const secrets = this.unlocked();
    if (!this.hasPin()) throw err('ERR_VAULT_STATE', 'the vault has no PIN');
    const hadBiometrics = slotOf(this.current().record, SLOT_BIOMETRIC) !== undefined;
    const deviceKey = this.c.random(KEY_LENGTH);
    // The key before the record that needs it; a leftover key is deleted at the next open.
    await this.set(this.c.keys.device, deviceKey);
    const slot = wrapKey(deviceKey, this.c.random(NONCE_LENGTH), KIND_VAULT, { type: SLOT_DEVICE }, secrets.masterKey);
    await this.commitSlots([slot], secrets);
    if (hadBiometrics) await this.c.biometrics?.remove().catch(() => undefined);
    await this.setCounter({ failed: 0, lastAt: 0 }).catch(() => undefined);
    this.emit();
  }

  private async enableBiometrics(): Promise<void> {
    const secrets = this.unlocked();
    const { biometrics } = this.c;
    if (!this.hasPin()) throw err('ERR_VAULT_STATE', 'biometric unlock needs a PIN first');
    if (biometrics === undefined) throw err('ERR_VAULT_STATE', 'no biometrics seam was given to openVault');
    const key = this.c.random(KEY_LENGTH);
    try {
      await biometrics.save(Uint8Array.from(key));
    } catch {
      throw err('ERR_VAULT_STORE', 'the host failed to keep the biometric key');
    }
    const slot = wrapKey(key, this.c.random(NONCE_LENGTH), KIND_VAULT, { type: SLOT_BIOMETRIC }, secrets.masterKey);
    const others = this.current().record.slots.filter((s) => s.type !== SLOT_BIOMETRIC);
    await this.commitSlots([...others, slot], secrets);
    this.emit();
  }

  private async disableBiometrics(): Promise<void> {
    const secrets = this.unlocked();
    const slots = this.current().record.slots;
    if (!slots.some((s) => s.type === SLOT_BIOMETRIC)) return;
    await this.commitSlots(
      slots.filter((s) => s.type !== SLOT_BIOMETRIC),
      secrets,
    );
    await this.c.biometrics?.remove().catch(() => undefined);
    this.emit();
  }

  api(): Vault {
    return Object.freeze({
      status: (): VaultStatus => {
        this.expireIfIdle();
        return this.snapshot();
      },
      unlock: (pin: string) => this.run(() => this.unlockPin(pin)),
      unlockWithBiometrics: (prompt: { title: string }) => this.run(() => this.unlockBiometric(prompt)),
      lock: (): void => {
        if (this.hasPin()) this.forget();
      },
      touch: (): void => {
        this.expireIfIdle();
        if (this.secrets !== undefined) this.lastActivity = this.c.now();
      },
      read: (): Uint8Array => Uint8Array.from(this.unlocked().contents),
      write: (contents: Uint8Array) => this.run(() => this.write(contents)),
      setPin: (pin: string) => this.run(() => this.setPin(pin)),
      changePin: (newPin: string) => this.run(() => this.changePin(newPin)),
      removePin: () => this.run(() => this.removePin()),
      enableBiometrics: () => this.run(() => this.enableBiometrics()),
      disableBiometrics: () => this.run(() => this.disableBiometrics()),
      subscribe: (listener: (status: VaultStatus) => void): (() => void) => {
        if (typeof listener !== 'function') throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"listener" expected a function');
        this.listeners.add(listener);
        return () => {
          this.listeners.delete(listener);
        };
      },
      wipe: () =>
        this.run(async () => {
          if (!this.wiped) await this.wipeAll();
        }),
    });
  }
}
