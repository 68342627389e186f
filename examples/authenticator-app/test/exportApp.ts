// `expo export` for one platform into a fresh directory, as `pnpm test` builds the app.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const APP_DIR = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

export function exportApp(platform: 'web' | 'ios' | 'android', outDir: string, extra: string[] = []): void {
  const expo = join(APP_DIR, 'node_modules', '.bin', 'expo');
  const r = spawnSync(expo, ['export', '-p', platform, '--output-dir', outDir, ...extra], { cwd: APP_DIR, encoding: 'utf8', env: { ...process.env, CI: '1', EXPO_NO_TELEMETRY: '1' } });
  if (r.status !== 0) throw new Error(`expo export -p ${platform} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}
