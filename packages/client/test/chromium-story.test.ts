// The end-user story of issue 10 (test/story/runStory.ts) in Chromium through Playwright, on the
// WebCrypto path: esbuild bundles the story for the browser against the BUILT packages (`pnpm
// test` builds first), a local http server on 127.0.0.1 serves it (a secure context, so
// crypto.subtle exists), and the server replies are the ones recorded from the live Node run.
// Needs /usr/bin/chromium (Debian `chromium`, installed by .ci/run).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { resolveWorkspace } from '../../../scripts/hermes/harness.mjs';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function bundleStory(): Promise<string> {
  const out = await build({
    entryPoints: [fileURLToPath(new URL('./chromium/story-entry.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    conditions: ['browser', 'import', 'default'],
    logLevel: 'silent',
    plugins: [{ name: 'cloudmfa-workspace', setup: (b) => b.onResolve({ filter: /^@cloudmfa\// }, (args) => ({ path: resolveWorkspace(args.path)! })) }],
  });
  return out.outputFiles[0]!.text;
}

function serve(files: Record<string, { type: string; body: string }>): Promise<Server> {
  const server = createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type }).end(file.body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('the end-user story in Chromium (WebCrypto path)', () => {
  it('scan, password, review, rename, PIN, redeem, codes, Confirm / Suspicious / Cancel, locked push, lost push, fast clock', async () => {
    const script = await bundleStory();
    const server = await serve({
      '/': { type: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>story</title><script src="/story.js"></script>' },
      '/story.js': { type: 'text/javascript', body: script },
    });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const { port } = server.address() as AddressInfo;
      await page.goto(`http://127.0.0.1:${port}/`);
      const result = (await page.evaluate(() => (globalThis as { storyResult?: Promise<unknown> }).storyResult, undefined)) as Record<string, any>;
      expect(result.error).toBeUndefined();
      expect(result.log).toMatchObject({ approved: 3, denied: 1, cancelled: 1, skewReported: 95 });
      expect(result.done).toBe(true);
      // The push signatures were verified by crypto.subtle, not by the pure-JS fallback.
      expect(result.subtleVerifies).toBeGreaterThan(0);
      expect(result.userAgent).toMatch(/Chrome\//);
      console.log(`chromium story: ${result.totalMs} ms, ${result.subtleVerifies} crypto.subtle.verify calls`);
    } finally {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 300_000);
});
