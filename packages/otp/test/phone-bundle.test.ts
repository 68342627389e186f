// The phone path of @cloudmfa/otp as a React Native app ships it: Metro with the React Native
// preset (no tree shaking: whatever it imports ships whole), every module evaluated at load,
// run in Hermes with no TextEncoder. It must carry no zod and no qrcode (scripts/hermes/phone/otp.js
// lists what a phone imports). Uses the BUILT packages (`pnpm test` builds first).
import { describe, expect, it } from 'vitest';
import { checkPhoneEntry } from '../../../scripts/hermes/sizes.mjs';

describe('@cloudmfa/otp in a Metro bundle', () => {
  it('carries no zod and no qrcode, and loads in Hermes without TextEncoder', async () => {
    const { packages, result } = await checkPhoneEntry('otp');
    expect(packages).toContain('@cloudmfa/otp');
    expect(packages).not.toContain('zod');
    expect(packages).not.toContain('qrcode');
    expect(result).toEqual({ textEncoder: 'undefined', exports: ['formatOtpauthUri:function', 'hotp:function', 'parseOtpauthUri:function', 'totp:function', 'totpStep:function', 'importMigration:function'] });
  }, 120_000);
});
