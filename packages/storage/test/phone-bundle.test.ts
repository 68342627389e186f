// The phone path of @cloudmfa/storage as a React Native app ships it: Metro with the React Native
// preset (no tree shaking: whatever it imports ships whole), every module evaluated at load,
// run in Hermes with no TextEncoder. It must carry no zod and no qrcode (scripts/hermes/phone/storage.js
// lists what a phone imports). Uses the BUILT packages (`pnpm test` builds first).
import { describe, expect, it } from 'vitest';
import { checkPhoneEntry } from '../../../scripts/hermes/sizes.mjs';

describe('@cloudmfa/storage in a Metro bundle', () => {
  it('carries no zod and no qrcode, and loads in Hermes without TextEncoder', async () => {
    const { packages, result } = await checkPhoneEntry('storage');
    expect(packages).toContain('@cloudmfa/storage');
    expect(packages).not.toContain('zod');
    expect(packages).not.toContain('qrcode');
    expect(result).toEqual({ textEncoder: 'undefined', exports: ['createMemorySecureStore:function', 'secureStoreFromStringHost:function'] });
  }, 120_000);
});
