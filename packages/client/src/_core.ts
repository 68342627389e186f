// What the activation flow and the inbox need from the engine.
import type { DevicePlatform } from '@cloudmfa/activation';
import type { CryptoProvider, RandomSource } from '@cloudmfa/core';
import type { HttpContext } from './_http.js';
import type { StoredIdentity, StoredPush } from './_state.js';
import type { UnlockResult, Vault } from './_vaultSeam.js';
import type { ClockStatus, DeviceKeySeam } from './types.js';

export interface EngineCore {
  /** The corrected clock (server time as best known), ms. */
  now: () => number;
  /** The phone's own clock, ms. */
  phoneNow: () => number;
  random: RandomSource;
  crypto: CryptoProvider;
  http: HttpContext;
  deviceKeys: DeviceKeySeam;
  platform: DevicePlatform;
  pushToken(): string | null;
  vault: Vault;
  unlock(pin: string): Promise<UnlockResult>;
  learnClock(serverTime: number, sentAt: number, receivedAt: number, source: ClockStatus['source']): void;
  syncClock(origin: string): Promise<boolean>;
  clockSource(): ClockStatus['source'];
  addIdentities(list: StoredIdentity[]): Promise<void>;
  newId(): string;
  unregisterRemote(push: StoredPush): Promise<boolean>;
}
