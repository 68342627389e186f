// The end-user story of issue 10 inside Hermes (React Native's engine), bundled by Metro with
// the React Native preset against the BUILT packages: see ../hermes-story.test.ts. The server is
// the replies recorded from the live Node run (fixtures/story-replies.json), replayed by a
// fetch that checks each request is the one the live run made. No Node APIs, no TextEncoder,
// no crypto.getRandomValues: randomness is seeded exactly as in story.test.ts, so the device
// keys and every signed request match the recording.
import { createAuthenticator, createSoftwareDeviceKeys } from '@cloudmfa/client';
import { type RandomSource, utf8Encode } from '@cloudmfa/core';
import { createMemorySecureStore } from '@cloudmfa/storage';
import { sha256 } from '@noble/hashes/sha2.js';
import fixture from '../fixtures/story-replies.json';
import { createReplay, type StoryFixture } from '../story/replayStory.js';
import { runStory } from '../story/runStory.js';

declare const print: (line: string) => void;

/** The same seeded stream as `seededRandom` of ../story/liveServer.ts (the server tests' seededRandom, which imports the server). */
function seededRandom(seed: string): RandomSource {
  let counter = 0;
  const label = utf8Encode(seed);
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let o = 0; o < n; o += 32) {
      const block = new Uint8Array(label.length + 4);
      block.set(label);
      new DataView(block.buffer).setUint32(label.length, counter++);
      out.set(sha256(block).subarray(0, Math.min(32, n - o)), o);
    }
    return out;
  };
}

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
