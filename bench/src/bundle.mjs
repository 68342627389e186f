// Phone bundles as React Native builds them (issue 10): each phone path of the SDK (and the
// whole client once @cloudmfa/client exists) bundled by Metro with the React Native preset
// (minified, no tree shaking: what an app ships), and by esbuild (tree-shaken) for
// comparison, min+gzip, with each dependency's share. Goal: the whole client <= 80 KB
// min+gzip under Metro. The entries are scripts/hermes/phone/*.js; the measurement is
// scripts/hermes/sizes.mjs (the same bundles the phone-bundle tests run in Hermes).
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { esbuildSize, metroSize, PHONE_ENTRIES, phoneEntry } from '../../scripts/hermes/sizes.mjs';
import { table } from './_measure.mjs';

const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
const gzipWithout = (code, part) => gzipSync(Buffer.from(code.replace(part, '')), { level: 9 }).length;
const pct = (x) => `${(x * 100).toFixed(1)}%`;

const LABELS = {
  empty: 'baseline: an empty React Native bundle (Metro runtime + polyfills)',
  core: '@cloudmfa/core (signers, providers, encodings)',
  otp: '@cloudmfa/otp (codes, otpauth://, migration import)',
  activation: "@cloudmfa/activation's open/redeem path",
  push: "@cloudmfa/push's verify/respond/poll path",
  storage: "@cloudmfa/storage's client seams",
  all: 'all phone paths together',
  client: '@cloudmfa/client (createAuthenticator) with its dependencies',
  'client-aegis': '@cloudmfa/client with the opt-in Aegis import (@cloudmfa/client/aegis)',
};

export default async function bundle(ctx) {
  const names = PHONE_ENTRIES.filter((n) => existsSync(phoneEntry(n)));
  const rows = [];
  const details = [];
  let baseline = 0;
  let clientLine = '';
  for (const name of names) {
    const metro = await metroSize(phoneEntry(name), name);
    const esb = await esbuildSize(phoneEntry(name));
    ctx.log(`${name}: Metro ${kb(metro.gzip)} min+gzip (${kb(metro.min)} min), esbuild ${kb(esb.gzip)} (${kb(esb.min)})`);
    const metroHas = (pkg) => metro.shares.some((s) => s.pkg === pkg);
    if (name === 'empty') baseline = metro.gzip;
    if (name === 'client') {
      const own = metro.gzip - baseline;
      clientLine = `**The whole client under Metro: ${kb(metro.gzip)} min+gzip (${kb(own)} without the ${kb(baseline)} every React Native bundle carries); goal <= 80 KB: ${metro.gzip <= 80_000 ? 'met' : 'NOT met'}.** esbuild (tree-shaken): ${kb(esb.gzip)}.`;
      // Every module: its minified bytes, gzipped alone, and what the bundle's min+gzip loses
      // without it (gzip does not add up per module; the last column is what removing it saves).
      const all = [...metro.modules].filter((m) => m.path).sort((a, b) => b.min - a.min);
      details.push(
        `**${LABELS[name]}, Metro: every module** (minified bytes as Metro wrote them; "gzip alone" is the module gzipped by itself; "saves" is the whole bundle's min+gzip minus the same bundle with that module's code cut out, i.e. what removing it would save):\n\n` +
          table(
            ['module', 'min', 'gzip alone', 'saves'],
            all.map((m) => [m.path.replace(/^.*\/node_modules\//, '').replace(/^.*\/((packages|scripts)\/)/, '$1'), kb(m.min), kb(m.gzipAlone), kb(metro.gzip - gzipWithout(metro.code, m.code))]),
          ),
      );
    }
    rows.push([LABELS[name] ?? name, kb(metro.gzip), kb(metro.min), kb(esb.gzip), kb(esb.min), metroHas('zod') ? 'yes' : 'no', metroHas('qrcode') ? 'yes' : 'no']);
    if (name === 'all' || name === 'client') {
      details.push(
        `**${LABELS[name]}, Metro** (${kb(metro.gzip)} min+gzip): share of the minified bytes per dependency, and that dependency's modules gzipped alone.\n\n` +
          table(
            ['dependency', 'min', 'share', 'gzip alone'],
            metro.shares.map((s) => [s.pkg, kb(s.min), pct(s.share), kb(s.gzipAlone)]),
          ),
      );
      details.push(
        `**${LABELS[name]}, esbuild** (${kb(esb.gzip)} min+gzip, tree-shaken):\n\n` +
          table(['dependency', 'min', 'share'], esb.shares.map((s) => [s.pkg, kb(s.min), pct(s.share)])),
      );
    }
  }
  return [
    clientLine,
    '',
    'Metro 0.87 + `@react-native/metro-config`/`@react-native/babel-preset` 0.88 (release build: `dev: false`, minified, default transform profile, no tree shaking) vs esbuild (minified, tree-shaken, `react-native` condition). min+gzip = gzip -9 of the minified bundle, Metro runtime and React Native polyfills included. Goal (issue 10): the whole client <= 80 KB min+gzip under Metro.',
    '',
    table(['phone path', 'Metro min+gzip', 'Metro min', 'esbuild min+gzip', 'esbuild min', 'zod', 'qrcode'], rows),
    '',
    details.join('\n\n'),
  ].join('\n');
}
