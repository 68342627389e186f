// The whole client as a React Native app ships it: Metro with the React Native preset (no tree
// shaking), every module evaluated at load, run in Hermes with no TextEncoder. It must carry no
// zod and no qrcode (scripts/hermes/phone/client.js lists what an app imports). Uses the BUILT
// packages (`pnpm test` builds first). Its size is measured by `pnpm bench bundle`.
import { describe, expect, it } from 'vitest';
import { checkPhoneEntry } from '../../../scripts/hermes/sizes.mjs';

describe('@cloudmfa/client in a Metro bundle', () => {
  it('carries no zod and no qrcode, and loads in Hermes without TextEncoder', async () => {
    const { packages, result } = await checkPhoneEntry('client');
    expect(packages).toContain('@cloudmfa/client');
    expect(packages).not.toContain('zod');
    expect(packages).not.toContain('qrcode');
    expect(result).toEqual({
      textEncoder: 'undefined',
      exports: ['createAuthenticator:function', 'createSoftwareDeviceKeys:function', 'exportBackup:function', 'importBackup:function'],
    });
  }, 120_000);

  it('ships AES (the Aegis import) only when @cloudmfa/client/aegis is imported', async () => {
    const plain = await checkPhoneEntry('client');
    expect(plain.modules.some((m) => m.endsWith('/@noble/ciphers/aes.js'))).toBe(false);
    const withAegis = await checkPhoneEntry('client-aegis');
    expect(withAegis.modules.some((m) => m.endsWith('/@noble/ciphers/aes.js'))).toBe(true);
    expect(withAegis.packages).not.toContain('zod');
    expect(withAegis.result).toEqual({
      textEncoder: 'undefined',
      exports: ['createAuthenticator:function', 'createSoftwareDeviceKeys:function', 'exportBackup:function', 'importAegis:function', 'importBackup:function'],
    });
  }, 240_000);
});
