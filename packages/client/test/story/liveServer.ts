// The story's server, live: createMfaServer on SQLite behind its HTTP handler. The client only
// reaches it through `fetch` -> handler(request); the admin side (issue an activation, send a
// push, check a code, read the audit) is what the organisation's own backend would call.
import { createSoftwareSigner, fixedClock } from '@cloudmfa/core';
import { createHttpHandler, createMfaServer, type MfaEvent } from '@cloudmfa/server';
import { openSqliteStore } from '@cloudmfa/storage-sqlite';
import type { FetchLike } from '../../src/index.js';
import type { StoryServer, StoryTime } from './runStory.js';

/** 2026-03-02T09:00:00Z, a whole 30 s step. */
export const STORY_T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
export const STORY_ORIGIN = 'https://mfa.acme.example';

// The native-scrypt provider is the server tests' own; the seeded stream is the story's.
import { testCrypto as nodeCrypto } from '../../../server/test/helpers.js';
import { seededRandom } from './seededRandom.js';

export { nodeCrypto, seededRandom };

interface RecordedReply {
  method: string;
  url: string;
  request: unknown;
  status: number;
  serverTime: string | null;
  body: unknown;
}

export interface LiveStory {
  server: StoryServer;
  time: StoryTime;
  fetch: FetchLike;
  events: MfaEvent[];
  replies: RecordedReply[];
  /** What the admin side answered, in order (the replay gives these back). */
  admin: { op: string; value: unknown }[];
  /** Makes the next `n` answers of `path` get lost on the way back (the server did the work). */
  loseNextReplies(path: string, n: number): void;
  close(): Promise<void>;
}

export function createLiveStory(): LiveStory {
  const clock = fixedClock(STORY_T0);
  const store = openSqliteStore({ path: ':memory:', clock });
  const events: MfaEvent[] = [];
  const mfa = createMfaServer({
    store,
    keys: { kek: { current: 'k1', keys: { k1: new Uint8Array(32).fill(0x11) } }, push: createSoftwareSigner({ algorithm: 'ES256', random: seededRandom('push-key') }) },
    issuer: 'Acme Corporation',
    origin: STORY_ORIGIN,
    policy: { app: { pinRequired: true, minPinLength: 6, biometricsAllowed: true }, activation: { kdf: { algorithm: 'scrypt', log2N: 14, r: 8, p: 1 } } },
    events: (e) => {
      events.push(e);
    },
    clock,
    random: seededRandom('server'),
    crypto: nodeCrypto,
  });
  const handler = createHttpHandler({ server: mfa });
  const replies: RecordedReply[] = [];
  const admin: { op: string; value: unknown }[] = [];
  const losing = new Map<string, number>();
  const recordAdmin = <T>(op: string, value: T): T => {
    admin.push({ op, value: JSON.parse(JSON.stringify(value)) });
    return value;
  };

  const fetch: FetchLike = async (url, init = {}) => {
    const res = await handler(new Request(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body }));
    const body = await res.json();
    const path = new URL(url).pathname;
    replies.push({
      method: init.method ?? 'GET',
      url,
      request: init.body === undefined ? null : JSON.parse(init.body),
      status: res.status,
      serverTime: res.headers.get('x-cloudmfa-server-time'),
      body,
    });
    const lose = losing.get(path) ?? 0;
    if (lose > 0) {
      losing.set(path, lose - 1);
      replies[replies.length - 1] = { ...(replies[replies.length - 1] as RecordedReply), status: 0, body: null };
      throw new TypeError('Network request failed');
    }
    return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
  };

  const auditKinds = async (): Promise<string[]> => {
    const page = await mfa.queryAudit({ limit: 1000 });
    return page.events.map((e) => e.kind).reverse();
  };

  const server: StoryServer = {
    async startActivation() {
      const a = await mfa.startActivation({ userId: 'alice', account: 'alice@acme.example' });
      return recordAdmin('startActivation', { text: a.text, password: a.password as string });
    },
    async push({ service, numberMatch }) {
      const r = await mfa.createPushChallenge({ userId: 'alice', context: { service, ip: '203.0.113.9', location: 'Berlin, DE', device: 'Firefox on Linux' }, numberMatch });
      if (!r.ok) throw new Error(`push refused: ${r.reason}`);
      return recordAdmin('push', { apns: r.apns.payload, fcm: r.fcm.payload, number: r.number });
    },
    async verifyCode(code) {
      const r = await mfa.verifyOtp({ userId: 'alice', code });
      return recordAdmin('verifyCode', r.ok);
    },
    async resumePush() {
      await mfa.resumePush('alice');
      recordAdmin('resumePush', null);
    },
    async auditKinds() {
      return recordAdmin('auditKinds', await auditKinds());
    },
  };
  return {
    server,
    time: { now: () => clock(), advance: (ms) => clock.set(clock() + ms) },
    fetch,
    events,
    replies,
    admin,
    loseNextReplies: (path, n) => losing.set(path, n),
    close: async () => {
      await (store as unknown as { close(): Promise<void> }).close();
    },
  };
}
