// The phone builds: `expo export` for iOS and Android (Metro, the app's whole JavaScript with
// React Native and the expo modules, compiled to Hermes bytecode as a release build ships it),
// then the client's story run inside Hermes through the app's engine construction, from an
// Android bundle (test/hermes/story-entry.ts). Uses the BUILT packages (`pnpm test` builds first).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleWithMetro, runHermesFile } from '../../../scripts/hermes/harness.mjs';
import { APP_DIR, exportApp } from './exportApp.js';

const dir = mkdtempSync(join(tmpdir(), 'cmfa-app-native-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bundleOf(out: string, platform: string): string {
  const jsDir = join(out, '_expo', 'static', 'js', platform);
  const files = readdirSync(jsDir).filter((f) => f.endsWith('.hbc') || f.endsWith('.js'));
  expect(files).toHaveLength(1);
  return join(jsDir, files[0] as string);
}

describe('the app bundled for the phones', () => {
  // The device-key module's native code cannot be compiled here (no Xcode, no Android SDK). What
  // can be checked: Expo's autolinking, which `expo prebuild` runs, finds it in modules/ and
  // links its pod (iOS) and its Kotlin module class (Android).
  it('autolinking links the local device-key module on both platforms', () => {
    const resolve = (platform: 'apple' | 'android') => {
      const bin = join(APP_DIR, 'node_modules', '.bin', 'expo-modules-autolinking');
      const r = spawnSync(bin, ['resolve', '-p', platform, '--json'], { cwd: APP_DIR, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const found = (JSON.parse(r.stdout) as { modules: Array<Record<string, unknown>> }).modules.find((m) => m.packageName === 'device-key');
      expect(found, `device-key not autolinked for ${platform}`).toBeDefined();
      return found as Record<string, unknown>;
    };
    expect(resolve('apple')).toMatchObject({
      pods: [{ podName: 'CloudMfaDeviceKey', podspecDir: join(APP_DIR, 'modules', 'device-key', 'ios') }],
      modules: [{ class: 'CloudMfaDeviceKeyModule' }],
    });
    expect(resolve('android')).toMatchObject({
      projects: [{ sourceDir: join(APP_DIR, 'modules', 'device-key', 'android'), modules: [{ classifier: 'example.cloudmfa.devicekey.CloudMfaDeviceKeyModule' }] }],
    });
  });

  for (const platform of ['ios', 'android'] as const) {
    it(`expo export -p ${platform}: a Hermes bytecode bundle with the app's screens and host modules`, () => {
      const out = join(dir, platform);
      exportApp(platform, out);
      const file = bundleOf(out, platform);
      expect(file.endsWith('.hbc')).toBe(true);
      const bytes = readFileSync(file);
      // Hermes bytecode magic (little-endian 0x1F1903C103BC1FC6).
      expect(bytes.subarray(0, 8).toString('hex')).toBe('c61fbc03c103191f');
      // String literals live in the bytecode's string table: the app's words and the native modules' names are there.
      const text = bytes.toString('latin1');
      for (const s of ['Ensure it matches the company you expect', 'Suspicious: it was not you', 'ExpoSecureStore', 'ExpoLocalAuthentication', 'ExpoCamera', 'CLOUDMFA_PUSH', 'cloudmfa-push', 'CloudMfaDeviceKey']) {
        expect(text, s).toContain(s);
      }
      expect(existsSync(join(out, 'metadata.json'))).toBe(true);
    }, 600_000);
  }

  it("runs the client's story inside Hermes, the engine built as the app builds it (Android bundle)", async () => {
    const entry = fileURLToPath(new URL('./hermes/story-entry.ts', import.meta.url));
    const { file } = await bundleWithMetro(entry, 'app-story-android', { platform: 'android' });
    const { result } = await runHermesFile(file, { timeoutMs: 560_000 });
    expect(result.log).toMatchObject({ approved: 3, denied: 1, cancelled: 1, skewReported: 95 });
    // Every recorded reply was used, in order: the app's engine sends exactly what the client's story sent.
    expect(result.done).toBe(true);
    console.log(`app story in Hermes (android bundle): ${result.totalMs} ms`);
  }, 600_000);
});
