// The example app (examples/authenticator-app, issue 13): its JavaScript as the phones and the
// browser load it, and the time from Unlock to the first code in Chromium.
// - iOS / Android: `expo export -p <platform> --no-bytecode --source-maps` (Metro, minified,
//   no tree shaking: the release bundle before Hermes compiles it), min and min+gzip, with each
//   dependency's share. Metro writes one module per line, so each line is attributed, through
//   the source map, to the package of its first mapped source; a package's share of the gzip
//   figure is its share of the minified bytes.
// - web: every script `expo export -p web` writes, min and min+gzip.
// - first code after unlock: the app's web story (examples/authenticator-app/test/web-story.test.ts)
//   run RUNS times; each run writes the time from the Unlock click to a code on screen.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { packageOfPath } from '../../scripts/hermes/harness.mjs';
import { median, table } from './_measure.mjs';

const root = new URL('../..', import.meta.url).pathname;
const appDir = join(root, 'examples', 'authenticator-app');
const RUNS = 3;
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
const pct = (x) => `${(x * 100).toFixed(1)}%`;

function exportApp(platform, out, extra) {
  const r = spawnSync(join(appDir, 'node_modules', '.bin', 'expo'), ['export', '-p', platform, '--output-dir', out, ...extra], { cwd: appDir, encoding: 'utf8', env: { ...process.env, CI: '1', EXPO_NO_TELEMETRY: '1' } });
  if (r.status !== 0) throw new Error(`expo export -p ${platform} failed:\n${r.stderr}`);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** The source index of the first segment of each generated line (source-map v3 VLQ). */
function firstSourcePerLine(mappings) {
  const out = [];
  let source = 0;
  for (const line of mappings.split(';')) {
    let first = null;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const values = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      if (values.length >= 4) {
        source += values[1];
        if (first === null) first = source;
      }
    }
    out.push(first);
  }
  return out;
}

function phoneBundle(platform, dir) {
  const out = join(dir, platform);
  exportApp(platform, out, ['--no-bytecode', '--source-maps']);
  const jsDir = join(out, '_expo', 'static', 'js', platform);
  const file = readdirSync(jsDir).find((f) => f.endsWith('.js'));
  const code = readFileSync(join(jsDir, file), 'utf8');
  const map = JSON.parse(readFileSync(join(jsDir, readdirSync(jsDir).find((f) => f.endsWith('.map'))), 'utf8'));
  const lines = code.split('\n');
  const firsts = firstSourcePerLine(map.mappings);
  const bytes = new Map();
  lines.forEach((line, i) => {
    const src = firsts[i];
    const pkg = src === null || src === undefined ? '(runtime)' : packageOfPath(map.sources[src]);
    const name = pkg === '(entry)' ? '(the app: examples/authenticator-app)' : pkg;
    bytes.set(name, (bytes.get(name) ?? 0) + Buffer.byteLength(line) + 1);
  });
  const min = Buffer.byteLength(code);
  const gzip = gzipSync(code, { level: 9 }).length;
  const shares = [...bytes].map(([pkg, b]) => ({ pkg, min: b, share: b / min })).sort((a, b) => b.min - a.min);
  return { min, gzip, shares };
}

function webBuild(dir) {
  const out = join(dir, 'web');
  exportApp('web', out, []);
  const jsDir = join(out, '_expo', 'static', 'js', 'web');
  let min = 0;
  let gzip = 0;
  for (const f of readdirSync(jsDir).filter((x) => x.endsWith('.js'))) {
    const code = readFileSync(join(jsDir, f));
    min += code.length;
    gzip += gzipSync(code, { level: 9 }).length;
  }
  return { min, gzip };
}

function firstCode(dir) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const file = join(dir, `first-code-${i}.json`);
    const r = spawnSync(join(root, 'node_modules', '.bin', 'vitest'), ['run', 'examples/authenticator-app/test/web-story.test.ts'], { cwd: root, encoding: 'utf8', env: { ...process.env, CLOUDMFA_APP_TIMING_FILE: file } });
    if (r.status !== 0) throw new Error(`web story failed:\n${r.stdout.slice(-3000)}`);
    runs.push(JSON.parse(readFileSync(file, 'utf8')).ms);
  }
  return runs;
}

export default async function app(ctx) {
  const dir = mkdtempSync(join(tmpdir(), 'cmfa-bench-app-'));
  try {
    const phones = {};
    for (const platform of ['android', 'ios']) {
      phones[platform] = phoneBundle(platform, dir);
      ctx.log(`${platform}: ${kb(phones[platform].gzip)} min+gzip (${kb(phones[platform].min)} min)`);
    }
    const web = webBuild(dir);
    ctx.log(`web: ${kb(web.gzip)} min+gzip (${kb(web.min)} min)`);
    const runs = firstCode(dir);
    ctx.log(`first code after unlock: ${runs.map((x) => x.toFixed(0)).join(', ')} ms`);

    const a = phones.android;
    const top = a.shares.slice(0, 15);
    const rest = a.shares.slice(15);
    const rows = top.map((s) => {
      const i = phones.ios.shares.find((x) => x.pkg === s.pkg);
      return [`\`${s.pkg}\``, kb(s.min), pct(s.share), kb(s.share * a.gzip), i ? pct(i.share) : '-'];
    });
    rows.push([`${rest.length} other packages`, kb(rest.reduce((n, s) => n + s.min, 0)), pct(rest.reduce((n, s) => n + s.share, 0)), kb(rest.reduce((n, s) => n + s.share, 0) * a.gzip), '']);
    const cloudmfa = (p) => phones[p].shares.filter((s) => s.pkg.startsWith('@cloudmfa/') || s.pkg.startsWith('@noble/')).reduce((n, s) => n + s.share, 0);
    return [
      'The example app `examples/authenticator-app` (Expo SDK 57, React Native 0.86), exported as a release build (`expo export`, Metro, minified, no tree shaking), before Hermes compiles it to bytecode.',
      '',
      table(
        ['Build', 'min', 'min+gzip'],
        [
          ['Android JavaScript bundle', kb(phones.android.min), kb(phones.android.gzip)],
          ['iOS JavaScript bundle', kb(phones.ios.min), kb(phones.ios.gzip)],
          ['web build (all scripts)', kb(web.min), kb(web.gzip)],
        ],
      ),
      '',
      `Share of each dependency in the Android bundle (iOS beside it; the SDK with @noble/*: ${pct(cloudmfa('android'))} on Android, ${pct(cloudmfa('ios'))} on iOS). A package's min+gzip is its share of the minified bytes applied to the bundle's gzip size.`,
      '',
      table(['Package', 'min (Android)', 'share', '≈ min+gzip', 'share (iOS)'], rows),
      '',
      `Time to the first code after unlock, web build in Chromium (the web story: PIN typed, Unlock clicked, until a code is on screen; the vault's scrypt N=2^14 in pure JS dominates): median ${median(runs).toFixed(0)} ms of ${RUNS} runs (${runs.map((x) => x.toFixed(0)).join(', ')} ms).`,
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
