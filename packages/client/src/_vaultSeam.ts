// The vault seam (CLIENT-CONTRACT.md): the engine owns what is inside the vault (an opaque
// Uint8Array it encodes itself); the vault never interprets it. Types only.
import type { CryptoProvider, ScryptParams } from '@cloudmfa/core';
import type { SecureKeyValueStore } from '@cloudmfa/storage';

/** The host's biometric-protected key storage. */
export interface BiometricKeySeam {
  save(key: Uint8Array): Promise<void>;
  load(prompt: { title: string }): Promise<Uint8Array | null>;
  remove(): Promise<void>;
}

export interface OpenVaultOptions {
  store: SecureKeyValueStore;
  keyPrefix?: string;
  crypto?: CryptoProvider;
  now?: () => number;
  random?: (n: number) => Uint8Array;
  biometrics?: BiometricKeySeam;
  pinKdf?: ScryptParams;
  autoLockMs?: number;
  maxPinAttempts?: number;
}

export interface VaultStatus {
  readonly state: 'locked' | 'unlocked';
  readonly hasPin: boolean;
  readonly hasBiometrics: boolean;
  readonly failedPinAttempts: number;
  readonly retryAt: number | null;
}

export type UnlockResult =
  | { ok: true }
  | { ok: false; reason: 'wrong-pin'; failedPinAttempts: number; retryAt: number | null; attemptsLeft: number | null }
  | { ok: false; reason: 'too-soon'; retryAt: number }
  | { ok: false; reason: 'wiped' }
  | { ok: false; reason: 'cancelled' };

export interface Vault {
  status(): VaultStatus;
  unlock(pin: string): Promise<UnlockResult>;
  unlockWithBiometrics(prompt: { title: string }): Promise<UnlockResult>;
  lock(): void;
  touch(): void;
  read(): Uint8Array;
  write(contents: Uint8Array): Promise<void>;
  setPin(pin: string): Promise<void>;
  changePin(newPin: string): Promise<void>;
  removePin(): Promise<void>;
  enableBiometrics(): Promise<void>;
  disableBiometrics(): Promise<void>;
  subscribe(listener: (status: VaultStatus) => void): () => void;
  wipe(): Promise<void>;
}
