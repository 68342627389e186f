import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';

// Reads the BUILT package (`npx tsup` first; `pnpm test` builds everything before vitest).
describe('the built bundle', () => {
  it('draws QR codes through @cloudmfa/activation and bundles none of qrcode', () => {
    for (const file of ['index.js', 'index.cjs']) {
      const code = readFileSync(new URL(`../dist/${file}`, import.meta.url), 'utf8');
      expect(code).toMatch(/["']@cloudmfa\/activation\/qr["']/);
      // qrcode's module paths, its encoder's helpers and a PNG writer's CRC polynomial.
      expect(code).not.toMatch(/qrcode|getSymbolSize|dijkstra|0xedb88320|3988292384/i);
    }
  });

  it('keeps Node built-ins out of the main entry: only the key-file subpath reads files', () => {
    // The bundler may drop the `node:` prefix: match every built-in by name.
    const builtin = new RegExp(`(?:from\\s*|require\\()["'](?:node:)?(?:${builtinModules.join('|')})["']`);
    for (const file of ['index.js', 'index.cjs']) {
      expect(readFileSync(new URL(`../dist/${file}`, import.meta.url), 'utf8')).not.toMatch(builtin);
    }
    expect(readFileSync(new URL('../dist/key-file.js', import.meta.url), 'utf8')).toMatch(builtin);
  });
});
