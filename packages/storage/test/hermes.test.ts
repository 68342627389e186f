import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInHermes } from '../../../scripts/hermes/harness.mjs';

// Uses the built dist/ (the harness bundles the package as Metro would): `npx tsup` first.
describe('@cloudmfa/storage inside Hermes', () => {
  it('runs the memory store and the secure store seam with the built package', async () => {
    const { result } = await runInHermes(fileURLToPath(new URL('./hermes/entry.ts', import.meta.url)), 'storage');
    expect(result).toEqual({
      first: true,
      replay: 'replayed',
      failures: 1,
      redeemed: true,
      again: 'already_active',
      userId: 'zoë 👩🏽‍💻',
      label: '株式会社',
      finals: ['ok', 'already_final'],
      pages: [[4, 3, 2], [1, 0], null],
      loneSurrogate: 'ERR_STORAGE_INVALID',
      badId: 'ERR_STORAGE_INVALID',
      hostValue: 'AP-A',
      secureBack: [0, 255, 128],
      secureDeleted: true,
      memBack: [9],
    });
  });
});
