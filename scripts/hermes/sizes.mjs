// Bundle sizes of the phone entries (scripts/hermes/phone/*.js) as a React Native app ships
// them (Metro, React Native preset, minified, no tree shaking) and, for comparison, as a
// tree-shaking bundler does (esbuild, minified, `react-native` condition). min+gzip is gzip
// level 9 of the minified bundle. Per-dependency shares are shares of the minified bytes
// (gzip does not add up per module); "gzip alone" is that dependency's modules gzipped alone.
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleWithMetro, packageOfPath, resolveWorkspace, runHermesFile } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const PHONE_ENTRIES = ['empty', 'core', 'otp', 'activation', 'push', 'storage', 'all', 'client', 'client-aegis'];
export const phoneEntry = (name) => join(here, 'phone', `${name}.js`);

const gz = (text) => gzipSync(Buffer.from(text), { level: 9 }).length;

function shares(parts, totalMin) {
  const byPkg = new Map();
  for (const { pkg, code } of parts) {
    const e = byPkg.get(pkg) ?? { pkg, min: 0, code: '' };
    e.min += Buffer.byteLength(code);
    e.code += code;
    byPkg.set(pkg, e);
  }
  return [...byPkg.values()]
    .map(({ pkg, min, code }) => ({ pkg, min, gzipAlone: gz(code), share: min / totalMin }))
    .sort((a, b) => b.min - a.min);
}

/** Metro (minified, dev false): total min/min+gzip, modules, per-package shares. */
export async function metroSize(entry, name) {
  const { code, modules } = await bundleWithMetro(entry, `size-${name}`, { minify: true });
  const min = Buffer.byteLength(code);
  const parts = modules.map((m) => ({ pkg: packageOfPath(m.path), code: m.code, path: m.path }));
  const inModules = parts.reduce((n, p) => n + Buffer.byteLength(p.code), 0);
  parts.push({ pkg: '(metro runtime + RN polyfills)', code: code.slice(0, Math.max(0, min - inModules)) });
  return { min, gzip: gz(code), modules: parts.map(({ pkg, path, code: c }) => ({ pkg, path, min: Buffer.byteLength(c), gzipAlone: gz(c), code: c })), shares: shares(parts, min), code };
}

/** esbuild (minified, tree-shaken, react-native condition): total and per-package shares. */
export async function esbuildSize(entry) {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    write: false,
    metafile: true,
    format: 'iife',
    platform: 'neutral',
    mainFields: ['react-native', 'module', 'main'],
    conditions: ['react-native', 'import', 'default'],
    target: 'es2020',
    logLevel: 'silent',
    plugins: [
      {
        name: 'cloudmfa-workspace',
        setup(b) {
          b.onResolve({ filter: /^@cloudmfa\// }, (args) => ({ path: resolveWorkspace(args.path) }));
        },
      },
    ],
  });
  const text = out.outputFiles[0].text;
  const min = Buffer.byteLength(text);
  const inputs = Object.values(out.metafile.outputs)[0].inputs;
  const byPkg = new Map();
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    const pkg = packageOfPath(path);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + bytesInOutput);
  }
  return {
    min,
    gzip: gz(text),
    shares: [...byPkg.entries()].map(([pkg, bytes]) => ({ pkg, min: bytes, share: bytes / min })).sort((a, b) => b.min - a.min),
  };
}

/**
 * Bundles the phone entry `name` with Metro as an app does, but with every module evaluated at
 * load (`inlineRequires: false`), runs it in Hermes (no TextEncoder, no Node APIs), and returns
 * the npm packages the bundle carries and the entry's HERMES-RESULT.
 */
export async function checkPhoneEntry(name) {
  const { file, modules } = await bundleWithMetro(phoneEntry(name), `phone-${name}`, { inlineRequires: false });
  const { result } = await runHermesFile(file);
  return { packages: [...new Set(modules.map((m) => packageOfPath(m.path)))].sort(), modules: modules.map((m) => m.path), result };
}
