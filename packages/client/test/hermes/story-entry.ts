// The end-user story of issue 10 inside Hermes (React Native's engine), bundled by Metro with
// the React Native preset against the BUILT packages: see ../hermes-story.test.ts. The server is
// the replies recorded from the live Node run (fixtures/story-replies.json), replayed by a
// fetch that checks each request is the one the live run made. No Node APIs, no TextEncoder,
// no crypto.getRandomValues: randomness is seeded exactly as in story.test.ts, so the device
// keys and every signed request match the recording.
import { createAuthenticator, createSoftwareDeviceKeys } from '@cloudmfa/client';
import { createMemorySecureStore } from '@cloudmfa/storage';
import fixture from '../fixtures/story-replies.json';
import { createReplay, type StoryFixture } from '../story/replayStory.js';
import { runStory } from '../story/runStory.js';
import { seededRandom } from '../story/seededRandom.js';

declare const print: (line: string) => void;

async function main() {
  const replay = createReplay(fixture as unknown as StoryFixture);
  const store = createMemorySecureStore();
  const started = Date.now();
  const stepTimes: Array<[string, number]> = [];
  const log = await runStory({
    makeAuthenticator: createAuthenticator,
    seams: { store, deviceKeys: createSoftwareDeviceKeys({ store, random: seededRandom('device-keys') }), random: seededRandom('phone') },
    fetch: replay.fetch,
    server: replay.server,
    time: replay.time,
    onStep: (name) => stepTimes.push([name, Date.now() - started]),
  });
  return { log, done: replay.done(), totalMs: Date.now() - started, stepTimes, textEncoder: typeof (globalThis as { TextEncoder?: unknown }).TextEncoder };
}

main().then(
  (result) => print(`HERMES-RESULT ${JSON.stringify(result)}`),
  (error: unknown) => print(`HERMES-ERROR ${String((error as Error)?.stack ?? error)}`),
);
