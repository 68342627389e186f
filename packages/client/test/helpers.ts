// Shared test world: a real server on SQLite behind its HTTP handler, reached only through an
// injected fetch, and phones made with createAuthenticator over in-memory secure stores.
import { createSoftwareSigner, fixedClock } from '@cloudmfa/core';
import { createHttpHandler, createMfaServer, type MfaServerPolicyInput } from '@cloudmfa/server';
import { createMemorySecureStore } from '@cloudmfa/storage';
import { openSqliteStore } from '@cloudmfa/storage-sqlite';
import { type Authenticator, type AuthenticatorOptions, createAuthenticator, createSoftwareDeviceKeys, type FetchLike } from '../src/index.js';
import { nodeCrypto, seededRandom, STORY_ORIGIN, STORY_T0 } from './story/liveServer.js';

export { nodeCrypto, seededRandom };

export interface World {
  clock: ReturnType<typeof fixedClock>;
  mfa: ReturnType<typeof createMfaServer>;
  fetch: FetchLike;
  /** Requests seen, as `METHOD /path`. */
  seen: string[];
  /** Makes the handler's next `n` answers to `path` get lost after the server did the work. */
  lose(path: string, n: number): void;
  /** Fails the next `n` requests to `path` before they reach the server. */
  drop(path: string, n: number): void;
  phone(options?: Partial<AuthenticatorOptions> & { name?: string; skewMs?: number }): Promise<Authenticator & { skew(ms: number): void }>;
  close(): Promise<void>;
}

export function makeWorld(policy: MfaServerPolicyInput = {}): World {
  const clock = fixedClock(STORY_T0);
  const store = openSqliteStore({ path: ':memory:', clock });
  const mfa = createMfaServer({
    store,
    keys: { kek: { current: 'k1', keys: { k1: new Uint8Array(32).fill(0x11) } }, push: createSoftwareSigner({ algorithm: 'ES256', random: seededRandom('push-key') }) },
    issuer: 'Acme Corporation',
    origin: STORY_ORIGIN,
    policy: { ...policy, activation: { kdf: { algorithm: 'scrypt', log2N: 14, r: 8, p: 1 }, ...policy.activation } },
    clock,
    random: seededRandom('server'),
    crypto: nodeCrypto,
  });
  const handler = createHttpHandler({ server: mfa });
  const seen: string[] = [];
  const losing = new Map<string, number>();
  const dropping = new Map<string, number>();
  const fetch: FetchLike = async (url, init = {}) => {
    const path = new URL(url).pathname;
    seen.push(`${init.method ?? 'GET'} ${path}`);
    const d = dropping.get(path) ?? 0;
    if (d > 0) {
      dropping.set(path, d - 1);
      throw new TypeError('Network request failed');
    }
    const res = await handler(new Request(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body }));
    const l = losing.get(path) ?? 0;
    if (l > 0) {
      losing.set(path, l - 1);
      throw new TypeError('Network request failed');
    }
    return res;
  };
  return {
    clock,
    mfa,
    fetch,
    seen,
    lose: (path, n) => losing.set(path, n),
    drop: (path, n) => dropping.set(path, n),
    async phone(o = {}) {
      const { name = 'phone', skewMs = 0, ...rest } = o;
      let skew = skewMs;
      const secure = rest.store ?? createMemorySecureStore();
      const auth = await createAuthenticator({
        store: secure,
        deviceKeys: createSoftwareDeviceKeys({ store: secure, random: seededRandom(`${name}-keys`) }),
        fetch,
        now: () => clock() + skew,
        random: seededRandom(name),
        crypto: nodeCrypto,
        platform: 'ios',
        pushToken: `apns-${name}`,
        ...rest,
      });
      return Object.assign(auth, { skew: (ms: number) => (skew = ms) });
    },
    close: async () => {
      await (store as unknown as { close(): Promise<void> }).close();
    },
  };
}

/** Walks an online activation for `userId` through to `save()` (PIN set when the policy asks). */
export async function activate(world: World, auth: Authenticator, userId = 'alice', pin = '246810'): Promise<string> {
  const a = await world.mfa.startActivation({ userId, account: `${userId}@acme.example` });
  const begun = auth.begin(a.text);
  if (!begun.ok) throw new Error(`begin: ${begun.reason}`);
  const { flow } = begun;
  const unlocked = await flow.unlock(a.password as string);
  if (!unlocked.ok) throw new Error(`unlock: ${unlocked.reason}`);
  let r = await flow.confirm({ pin });
  if (!r.ok && r.reason === 'pin-required') {
    await flow.setPin({ pin, confirmation: pin });
    r = await flow.confirm();
  }
  if (!r.ok) throw new Error(`confirm: ${r.reason}`);
  const saved = await flow.save();
  if (!saved.ok) throw new Error(`save: ${saved.reason}`);
  return saved.identityIds[0] as string;
}
