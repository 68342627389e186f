// What the component tests share: a host made of in-memory parts (the phone's secure store is
// a memory store; device keys are the SDK's software keys; scrypt is Node's native one so a PIN
// costs milliseconds), a real @cloudmfa/server in-process behind its HTTP handler (the engine's
// `fetch`), one pinned clock for both, and seeded randomness.
import { type BiometricKeySeam, createSoftwareDeviceKeys, type DeviceKeySeam } from '@cloudmfa/client';
import { createSoftwareSigner, fixedClock } from '@cloudmfa/core';
import { createCryptoProvider } from '@cloudmfa/core/providers';
import { createHttpHandler, createMfaServer, type MfaEvent } from '@cloudmfa/server';
import { createMemorySecureStore, createMemoryStore } from '@cloudmfa/storage';
import { fireEvent, render, screen } from '@testing-library/react-native';
import { createHash, scryptSync } from 'node:crypto';
import { AppShell } from '../../src/App';
import type { Host } from '../../src/host/types';

const T0 = Date.UTC(2026, 0, 1, 8, 0, 12);
const ORIGIN = 'https://mfa.acme.example';
export const PIN = '482913';

/** Deterministic bytes: SHA-256(label || counter) blocks. Tests only. */
function seededRandom(label: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let o = 0; o < n; o += 32) {
      const block = createHash('sha256').update(label).update(String(counter++)).digest();
      out.set(block.subarray(0, Math.min(32, n - o)), o);
    }
    return out;
  };
}

const nodeCrypto = createCryptoProvider({
  scrypt: async (password, salt, p) => new Uint8Array(scryptSync(password, salt, p.dkLen, { N: p.N, r: p.r, p: p.p, maxmem: 256 * 1024 * 1024 })),
});

/** A biometric seam whose "sensor" the test drives: `succeed` decides what the next prompt does. */
export function testBiometrics(): BiometricKeySeam & { succeed: boolean; saved: boolean } {
  let key: Uint8Array | null = null;
  const seam = {
    succeed: true,
    get saved() {
      return key !== null;
    },
    save: async (k: Uint8Array) => {
      key = Uint8Array.from(k);
    },
    load: async () => (seam.succeed && key ? Uint8Array.from(key) : null),
    remove: async () => {
      key = null;
    },
  };
  return seam;
}

export interface TestHost extends Host {
  copied: string[];
}

/**
 * `notifications`: the push seams (push.test.tsx passes the app's own `notificationSeams()` on a
 * stand-in for expo-notifications' native module); by default a token and no notifications.
 */
export function testHost(
  options: { biometrics?: BiometricKeySeam; label?: string; notifications?: Pick<Host, 'pushToken' | 'onNotification' | 'onPushToken'>; deviceKeys?: (store: Host['store']) => DeviceKeySeam } = {},
): TestHost {
  const store = createMemorySecureStore();
  const copied: string[] = [];
  return {
    platform: 'ios',
    store,
    deviceKeys: options.deviceKeys?.(store) ?? createSoftwareDeviceKeys({ store, random: seededRandom(`${options.label ?? 'phone'}-keys`) }),
    deviceKeyStorage: 'memory (test)',
    crypto: nodeCrypto,
    biometrics: options.biometrics,
    pushToken: async () => 'apns-device-token-0123456789',
    onNotification: () => () => {},
    onPushToken: () => () => {},
    ...options.notifications,
    copy: async (text) => {
      copied.push(text);
    },
    openSettings: async () => {},
    copied,
  };
}

export function testServer(policy: Record<string, unknown> = { app: { pinRequired: true, minPinLength: 6, biometricsAllowed: true } }) {
  const clock = fixedClock(T0);
  const store = createMemoryStore({ clock });
  const events: MfaEvent[] = [];
  const server = createMfaServer({
    store,
    keys: { kek: { current: 'k1', keys: { k1: new Uint8Array(32).fill(0x11) } }, push: createSoftwareSigner({ algorithm: 'ES256', random: seededRandom('push-key') }) },
    issuer: 'Acme Corporation',
    origin: ORIGIN,
    policy: { ...policy, activation: { kdf: { algorithm: 'scrypt', log2N: 14, r: 8, p: 1 } } },
    events: (e) => {
      events.push(e);
    },
    clock,
    random: seededRandom('server'),
    crypto: nodeCrypto,
  });
  const handler = createHttpHandler({ server });
  let offline = false;
  const fetch = (async (url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) => {
    if (offline) throw new TypeError('Network request failed');
    return handler(new Request(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body }));
  }) as unknown as typeof globalThis.fetch;
  return {
    server,
    clock,
    events,
    fetch,
    setOffline: (v: boolean) => {
      offline = v;
    },
  };
}

export function renderApp(host: Host, srv: ReturnType<typeof testServer>) {
  return render(<AppShell host={host} engine={{ fetch: srv.fetch, now: srv.clock, random: seededRandom('phone') }} />);
}

/** Drives the UI through "Enter text" -> password -> review -> (PIN) -> account added -> Done. */
export async function addThroughUi(text: string, password: string | null, options: { name?: string; pin?: string } = {}): Promise<void> {
  fireEvent.press(await screen.findByRole('button', { name: 'Add token' }));
  fireEvent.changeText(screen.getByLabelText('QR code text'), text);
  fireEvent.press(screen.getByRole('button', { name: 'Continue' }));
  if (password !== null) {
    fireEvent.changeText(await screen.findByLabelText('Password'), password);
    fireEvent.press(screen.getByRole('button', { name: 'Unlock' }));
  }
  fireEvent.changeText(await screen.findByLabelText('Token name (optional)'), options.name ?? 'Acme work');
  fireEvent.press(screen.getByRole('button', { name: 'Next' }));
  if (options.pin) {
    fireEvent.changeText(await screen.findByLabelText('New PIN'), options.pin);
    fireEvent.press(screen.getByRole('button', { name: 'Next' }));
    fireEvent.changeText(await screen.findByLabelText('Confirm PIN'), options.pin);
    fireEvent.press(screen.getByRole('button', { name: 'Set PIN' }));
  }
  fireEvent.press(await screen.findByRole('button', { name: 'Done' }));
  await screen.findByRole('heading', { name: 'Tokens' });
}
