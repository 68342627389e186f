// The whole end-user story of issue 10 in Node, against a real createMfaServer on SQLite
// through its HTTP handler; the server replies are recorded to fixtures/story-replies.json and
// the same story is replayed from them (what the Hermes and Chromium runs do).
import { readFileSync, writeFileSync } from 'node:fs';
import { createMemorySecureStore } from '@cloudmfa/storage';
import { describe, expect, it } from 'vitest';
import { createAuthenticator, createSoftwareDeviceKeys } from '../src/index.js';
import { createLiveStory, seededRandom, STORY_T0 } from './story/liveServer.js';
import { createReplay, type StoryFixture } from './story/replayStory.js';
import { runStory, type StoryOptions } from './story/runStory.js';

const FIXTURE = new URL('./fixtures/story-replies.json', import.meta.url);

function phoneSeams(): StoryOptions['seams'] {
  const store = createMemorySecureStore();
  return { store, deviceKeys: createSoftwareDeviceKeys({ store, random: seededRandom('device-keys') }), random: seededRandom('phone') };
}
const makeAuthenticator = createAuthenticator;

describe('the end-user story (issue 10)', () => {
  it('live: scan, password, review, rename, PIN, redeem, codes, Confirm / Suspicious / Cancel, locked push, lost push, fast clock', async () => {
    const live = createLiveStory();
    try {
      const log = await runStory({ makeAuthenticator, seams: phoneSeams(), fetch: live.fetch, server: live.server, time: live.time });
      expect(log).toMatchObject({ approved: 3, denied: 1, cancelled: 1, skewReported: 95 });
      // Suspicious raised a risk event; Cancel left no trace on the server.
      expect(live.events.filter((e) => e.risk).map((e) => e.kind)).toEqual(['push.suspicious']);
      const paths = live.replies.map((r) => `${r.method} ${new URL(r.url).pathname} ${r.status}`);
      expect(paths.filter((p) => p.includes('/v1/push/respond'))).toHaveLength(4);
      expect(paths).toContain('POST /v1/activations/redeem 200');
      const fixture: StoryFixture = {
        source: 'Recorded by packages/client/test/story.test.ts (live run against createMfaServer on SQLite through createHttpHandler); regenerate with UPDATE_STORY_FIXTURE=1.',
        t0: STORY_T0,
        replies: live.replies,
        admin: live.admin,
      };
      if (process.env.UPDATE_STORY_FIXTURE === '1') writeFileSync(FIXTURE, `${JSON.stringify(fixture, null, 1)}\n`);
      // Everything is seeded and every clock pinned: the run reproduces the fixture exactly.
      expect(JSON.parse(JSON.stringify(fixture))).toEqual(JSON.parse(readFileSync(FIXTURE, 'utf8')));
    } finally {
      await live.close();
    }
  });

  it('replay: the same story from the recorded replies (what Hermes and Chromium run)', async () => {
    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as StoryFixture;
    const replay = createReplay(fixture);
    const log = await runStory({ makeAuthenticator, seams: phoneSeams(), fetch: replay.fetch, server: replay.server, time: replay.time });
    expect(log).toMatchObject({ approved: 3, denied: 1, cancelled: 1, skewReported: 95 });
    expect(replay.done()).toBe(true);
  });
});
