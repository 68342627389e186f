// Replays the story against the server replies recorded from the live Node run
// (test/fixtures/story-replies.json), so runtimes without a server (Hermes, Chromium) run the
// same story. Each request must be the one the live run made, in the same order; no Node
// built-ins and no Response class needed.
import type { FetchLike } from '../../src/index.js';
import type { StoryServer, StoryTime } from './runStory.js';

export interface StoryFixture {
  source: string;
  t0: number;
  replies: { method: string; url: string; request: unknown; status: number; serverTime: string | null; body: unknown }[];
  admin: { op: string; value: unknown }[];
}

export function createReplay(fixture: StoryFixture): { server: StoryServer; time: StoryTime; fetch: FetchLike; done(): boolean } {
  let t = fixture.t0;
  let r = 0;
  let a = 0;
  const nextAdmin = (op: string): unknown => {
    const entry = fixture.admin[a++];
    if (!entry || entry.op !== op) throw new Error(`replay: expected admin ${entry?.op ?? 'end'}, the story called ${op}`);
    return entry.value;
  };
  const fetch: FetchLike = async (url, init = {}) => {
    const reply = fixture.replies[r++];
    const method = init.method ?? 'GET';
    if (!reply || reply.method !== method || reply.url !== url) throw new Error(`replay: request ${r} is ${method} ${url}, recorded ${reply?.method} ${reply?.url}`);
    const sent = init.body === undefined ? null : JSON.parse(init.body);
    if (JSON.stringify(sent) !== JSON.stringify(reply.request)) throw new Error(`replay: request ${r} (${url}) differs from the recorded one`);
    if (reply.status === 0) throw new TypeError('Network request failed');
    const headers = { get: (name: string) => (name.toLowerCase() === 'x-cloudmfa-server-time' ? reply.serverTime : null) };
    return { status: reply.status, headers, json: async () => reply.body } as unknown as Response;
  };
  const server: StoryServer = {
    startActivation: async () => nextAdmin('startActivation') as { text: string; password: string },
    push: async () => nextAdmin('push') as { apns: unknown; fcm: unknown; number: string | null },
    verifyCode: async () => nextAdmin('verifyCode') as boolean,
    resumePush: async () => {
      nextAdmin('resumePush');
    },
    auditKinds: async () => nextAdmin('auditKinds') as string[],
  };
  return {
    server,
    time: { now: () => t, advance: (ms) => (t += ms) },
    fetch,
    done: () => r === fixture.replies.length && a === fixture.admin.length,
  };
}
