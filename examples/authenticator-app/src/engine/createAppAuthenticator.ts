// The one place the app turns its host into an authenticator: every seam of
// createAuthenticator filled from the Host (docs/client.md). No React here, so the Hermes run
// (hermes/story-entry.ts) builds its engine through the same function.
import { type Authenticator, createAuthenticator } from '@cloudmfa/client';
// Settings imports Aegis exports too: the importer (AES-GCM) is an opt-in subpath of the client.
import { importAegis } from '@cloudmfa/client/aegis';
import type { Host } from '../host/types';

export interface AppAuthenticatorOptions {
  host: Host;
  /** The push token to register at redemption (null: the app polls). */
  pushToken: string | null;
  /** Idle time before the vault locks itself, ms (0: never). */
  autoLockMs: number;
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  random?: (n: number) => Uint8Array;
}

export function createAppAuthenticator(options: AppAuthenticatorOptions): Promise<Authenticator> {
  const { host, pushToken, autoLockMs, fetch = globalThis.fetch.bind(globalThis), now, random } = options;
  return createAuthenticator({
    store: host.store,
    deviceKeys: host.deviceKeys,
    crypto: host.crypto,
    biometrics: host.biometrics,
    platform: host.platform,
    pushToken,
    fetch,
    now,
    random,
    vault: { autoLockMs },
    biometricPromptTitle: 'Unlock CloudMFA',
    aegis: importAegis,
  });
}

/** The auto-lock choices Settings offers, ms. */
export const AUTO_LOCK_CHOICES = [
  { label: '30 seconds', ms: 30_000 },
  { label: '1 minute', ms: 60_000 },
  { label: '5 minutes', ms: 300_000 },
  { label: 'Never', ms: 0 },
] as const;

export const DEFAULT_AUTO_LOCK_MS = 60_000;
