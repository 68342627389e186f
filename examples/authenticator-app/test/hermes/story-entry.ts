// The client's end-user story (packages/client/test/story) inside Hermes, with the engine built
// the way the app builds it (src/engine/createAppAuthenticator.ts), bundled by Metro for
// Android with React Native's preset (scripts/hermes/harness.mjs). The server is the replies
// recorded from the live Node run; every request must be byte for byte the recorded one, so
// the app's construction of the engine changes nothing on the wire. The host's secure store is
// a memory store here (no Keystore in a bare Hermes VM); randomness is the story's seeded one.
import { createSoftwareDeviceKeys } from '@cloudmfa/client';
import { createMemorySecureStore } from '@cloudmfa/storage';
import fixture from '../../../../packages/client/test/fixtures/story-replies.json';
import { createReplay, type StoryFixture } from '../../../../packages/client/test/story/replayStory.js';
import { runStory } from '../../../../packages/client/test/story/runStory.js';
import { seededRandom } from '../../../../packages/client/test/story/seededRandom.js';
import { createAppAuthenticator, DEFAULT_AUTO_LOCK_MS } from '../../src/engine/createAppAuthenticator';

declare const print: (line: string) => void;

async function main() {
  const replay = createReplay(fixture as unknown as StoryFixture);
  const store = createMemorySecureStore();
  const started = Date.now();
  const log = await runStory({
    makeAuthenticator: (o) =>
      createAppAuthenticator({
        host: {
          platform: 'ios', // the recording's platform: it is part of the signed redemption transcript
          store: o.store,
          deviceKeys: o.deviceKeys,
          deviceKeyStorage: 'memory',
          crypto: o.crypto,
          pushToken: async () => o.pushToken ?? null,
          onNotification: () => () => {},
          onPushToken: () => () => {},
          copy: async () => {},
          openSettings: async () => {},
        },
        pushToken: o.pushToken ?? null,
        autoLockMs: o.vault?.autoLockMs ?? DEFAULT_AUTO_LOCK_MS,
        fetch: o.fetch as typeof globalThis.fetch,
        now: o.now,
        random: o.random,
      }),
    seams: { store, deviceKeys: createSoftwareDeviceKeys({ store, random: seededRandom('device-keys') }), random: seededRandom('phone') },
    fetch: replay.fetch,
    server: replay.server,
    time: replay.time,
  });
  return { log, done: replay.done(), totalMs: Date.now() - started };
}

main().then(
  (result) => print(`HERMES-RESULT ${JSON.stringify(result)}`),
  (error: unknown) => print(`HERMES-ERROR ${String((error as Error)?.stack ?? error)}`),
);
