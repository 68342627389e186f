// The end-user story of issue 10 in Chromium on the WebCrypto path (`webCryptoProvider()`:
// P-256 verification through crypto.subtle), bundled by esbuild against the BUILT packages and
// served from 127.0.0.1: see ../chromium-story.test.ts. The server is the replies recorded from
// the live Node run, replayed by a fetch that checks each request; randomness is seeded exactly
// as in story.test.ts, so the device keys and every signed request match the recording.
import { createAuthenticator, createSoftwareDeviceKeys } from '@cloudmfa/client';
import { type RandomSource, utf8Encode, webCryptoProvider } from '@cloudmfa/core';
import { createMemorySecureStore } from '@cloudmfa/storage';
import { sha256 } from '@noble/hashes/sha2.js';
import fixture from '../fixtures/story-replies.json';
import { createReplay, type StoryFixture } from '../story/replayStory.js';
import { runStory } from '../story/runStory.js';

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
