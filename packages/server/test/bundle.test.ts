import { readFileSync } from 'node:fs';
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
});
