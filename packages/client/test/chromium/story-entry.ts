// The end-user story of issue 10 in Chromium on the WebCrypto path (`webCryptoProvider()`:
// P-256 verification through crypto.subtle), bundled by esbuild against the BUILT packages and
// served from 127.0.0.1: see ../chromium-story.test.ts. The server is the replies recorded from
// the live Node run, replayed by a fetch that checks each request; randomness is seeded exactly
// as in story.test.ts, so the device keys and every signed request match the recording.
import { createAuthenticator, createSoftwareDeviceKeys } from '@cloudmfa/client';
import { webCryptoProvider } from '@cloudmfa/core/providers';
import { createMemorySecureStore } from '@cloudmfa/storage';
import fixture from '../fixtures/story-replies.json';
import { createReplay, type StoryFixture } from '../story/replayStory.js';
import { runStory } from '../story/runStory.js';
import { seededRandom } from '../story/seededRandom.js';

async function main() {
  const replay = createReplay(fixture as unknown as StoryFixture);
  const store = createMemorySecureStore();
  const crypto = webCryptoProvider();
  // The WebCrypto path is really taken: P-256 verification calls crypto.subtle.verify.
  const subtle = globalThis.crypto.subtle;
  let subtleVerifies = 0;
  const verify = subtle.verify.bind(subtle);
  subtle.verify = (...args: Parameters<SubtleCrypto['verify']>) => {
    subtleVerifies++;
    return verify(...args);
  };
  const started = performance.now();
  const log = await runStory({
    makeAuthenticator: createAuthenticator,
    seams: { store, crypto, deviceKeys: createSoftwareDeviceKeys({ store, random: seededRandom('device-keys') }), random: seededRandom('phone') },
    fetch: replay.fetch,
    server: replay.server,
    time: replay.time,
  });
  return { log, done: replay.done(), subtleVerifies, totalMs: Math.round(performance.now() - started), userAgent: navigator.userAgent };
}

(globalThis as { storyResult?: Promise<unknown> }).storyResult = main().catch((error: unknown) => ({ error: String((error as Error)?.stack ?? error) }));
