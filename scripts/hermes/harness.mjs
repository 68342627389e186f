// Runs a test entry inside the `hermes` binary from hermes-engine-cli, the way a React Native
// app ships code: Metro bundles the entry with `@react-native/metro-config` and the React
// Native Babel preset (`@react-native/babel-preset` through `@react-native/metro-babel-
// transformer`), against the *built* packages (their `exports`, resolved with the
// `react-native` condition, as an app's Metro resolves them), with no tree shaking, and the
// result runs in Hermes with no Node APIs at all.
//
// What the bundle gets, and nothing more (what a React Native app has before its own code):
// - Metro's prelude and module system (`__d`/`__r`, `global`, `__DEV__ = false`),
// - the React Native polyfills of `@react-native/js-polyfills` (console, error guard),
// - the engine's own globals: this Hermes (0.12) has Promise (-Xes6-promise), BigInt,
//   typed arrays, `print`, `setTimeout`. It has NO TextEncoder/TextDecoder, NO
//   `crypto.getRandomValues` (an app adds it with a host polyfill such as
//   react-native-get-random-values: pass `{ getRandomValues: true }` to get a stand-in
//   backed by a seeded xorshift, test use only), NO `fetch` (the entry supplies one when it
//   needs the network: a replaying fetch), NO `atob`/`btoa`, NO classes (the preset lowers
//   them: the default transform profile, not `hermes-stable`).
// - `InitializeCore` of the `react-native` package is not run (the package is not installed):
//   `serializer.getModulesRunBeforeMainModule` is empty.
//
// The entry prints lines with `print`; its last line must be `HERMES-RESULT <json>`.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const HERMES_BIN = join(root, 'node_modules', 'hermes-engine-cli', 'linux64-bin', 'hermes');

/** The workspace packages, by name: Metro resolves `@cloudmfa/x` to packages/x (built `dist/`). */
function workspacePackages() {
  const out = {};
  for (const dir of readdirSync(join(root, 'packages'))) {
    const pj = join(root, 'packages', dir, 'package.json');
    if (!existsSync(pj)) continue;
    out[JSON.parse(readFileSync(pj, 'utf8')).name] = join(root, 'packages', dir);
  }
  return out;
}

/**
 * Resolves `@cloudmfa/x[/sub]` to the built file its package.json `exports` names (the ESM
 * `import` condition), or null for a name that is not a workspace package.
 */
export function resolveWorkspace(moduleName) {
  const ws = /^(@cloudmfa\/[a-z0-9-]+)(\/.*)?$/.exec(moduleName);
  const dir = ws && workspacePackages()[ws[1]];
  if (!dir) return null;
  const exp = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).exports?.[`.${ws[2] ?? ''}`];
  const target = exp?.['react-native'] ?? exp?.import?.default ?? exp?.import ?? exp?.default;
  if (typeof target !== 'string') throw new Error(`${moduleName} is not exported by ${dir}/package.json`);
  return join(dir, target);
}

/** The package a bundled file belongs to: `@cloudmfa/x`, an npm package name, or `(entry)`. */
export function packageOfPath(path) {
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const ws = /(?:^|\/)packages\/([^/]+)\//.exec(path);
  if (ws) return `@cloudmfa/${ws[1]}`;
  return '(entry)';
}

let metroModules;
async function loadMetro() {
  metroModules ??= {
    Metro: require('metro'),
    rnConfig: require('@react-native/metro-config'),
  };
  return metroModules;
}

/**
 * The Metro configuration an app would have (`@react-native/metro-config` defaults), with the
 * repository as the project root. Exported for the bundle-size bench.
 */
async function metroConfig({ cacheDir = join(root, '.tmp', 'metro-cache'), inlineRequires = true } = {}) {
  const { rnConfig } = await loadMetro();
  const { getDefaultConfig, mergeConfig } = rnConfig;
  const { FileStore } = require('metro-cache');
  const packages = workspacePackages();
  const base = getDefaultConfig(root);
  return mergeConfig(base, {
    projectRoot: root,
    watchFolders: [root],
    cacheStores: [new FileStore({ root: cacheDir })],
    reporter: { update() {} },
    resolver: {
      useWatchman: false,
      // Test entries import fixtures as JSON and TS helpers as `./x.js` (TypeScript's ESM
      // spelling); an app's own code does the same through its TS setup.
      sourceExts: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json'],
      // `@babel/runtime` (the preset's helpers) comes from the app's node_modules.
      nodeModulesPaths: [join(root, 'node_modules')],
      blockList: [/\/\.git\//, /\/\.tmp\/(?!hermes-entries\/)/],
      resolveRequest(context, moduleName, platform) {
        const ws = /^(@cloudmfa\/[a-z0-9-]+)(\/.*)?$/.exec(moduleName);
        if (ws && packages[ws[1]]) return { type: 'sourceFile', filePath: resolveWorkspace(moduleName) };
        if (moduleName.startsWith('.') && moduleName.endsWith('.js') && !context.originModulePath.includes('node_modules')) {
          const ts = resolvePath(dirname(context.originModulePath), moduleName.replace(/\.js$/, '.ts'));
          if (existsSync(ts)) return { type: 'sourceFile', filePath: ts };
        }
        return context.resolveRequest(context, moduleName, platform);
      },
    },
    serializer: {
      // No `react-native` package: its InitializeCore is not part of these bundles.
      getModulesRunBeforeMainModule: () => [],
    },
    transformer: {
      // React Native's default (inline requires: a module is evaluated at first use). With
      // `inlineRequires: false` every module of the bundle is evaluated at load.
      getTransformOptions: async () => ({ transform: { experimentalImportSupport: false, inlineRequires } }),
    },
  });
}

/**
 * Bundles `entry` with Metro as a React Native release build does (`dev: false`), for
 * `platform` ('ios' by default). `minify` defaults to false for readable failures;
 * `inlineRequires: false` evaluates every module at load (the strictest load-time check).
 * Returns the written file, its size and the bundle text.
 */
export async function bundleWithMetro(entry, name, { minify = false, platform = 'ios', prelude = '', sourceMap = false, inlineRequires = true } = {}) {
  const { Metro } = await loadMetro();
  const config = await metroConfig({ inlineRequires });
  let modules;
  // Metro's default output, plus (for size accounting and per-module assertions) every module
  // of the bundle as Metro wrote it: `{ path, code }`, path absolute, code as in the bundle.
  const output = {
    ...require('metro/private/shared/output/bundle'),
    async build(server, requestOptions, buildOptions) {
      const bundleOutput = require('metro/private/shared/output/bundle');
      const built = await bundleOutput.build(server, requestOptions, buildOptions);
      const { DEFAULT_BUNDLE_OPTIONS } = require('metro/private/Server');
      const info = await server.getRamBundleInfo({ ...DEFAULT_BUNDLE_OPTIONS, ...requestOptions, excludeSource: true });
      modules = [...info.startupModules, ...info.lazyModules].map((m) => ({ path: m.sourcePath, code: m.code }));
      return built;
    },
  };
  const result = await Metro.runBuild(config, { entry, dev: false, minify, platform, sourceMap, output });
  const code = prelude + result.code;
  const file = join(root, '.tmp', 'hermes', `${name}.js`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, code);
  return { file, bytes: Buffer.byteLength(code), code, map: result.map, modules };
}

/** Test stand-in for react-native-get-random-values: xorshift32, NOT random. */
const GET_RANDOM_VALUES_PRELUDE = `(function(g){var s=0x2545f491;g.crypto=g.crypto||{};g.crypto.getRandomValues=function(a){var b=new Uint8Array(a.buffer,a.byteOffset,a.byteLength);for(var i=0;i<b.length;i++){s^=s<<13;s^=s>>>17;s^=s<<5;b[i]=s&255;}return a;};})(this);\n`;

export async function bundleForHermes(entry, name, { getRandomValues = false } = {}) {
  const { file, bytes, modules } = await bundleWithMetro(entry, name, { prelude: getRandomValues ? GET_RANDOM_VALUES_PRELUDE : '' });
  return { file, bytes, modules };
}

export function runHermesFile(file, { timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(HERMES_BIN, ['-Xes6-promise', '-Xmicrotask-queue', file], { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const lines = stdout.trim().split('\n');
      const last = lines[lines.length - 1] ?? '';
      if (err || !last.startsWith('HERMES-RESULT ')) {
        reject(new Error(`hermes failed (${err?.code ?? 'no result line'}):\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`));
        return;
      }
      resolve({ result: JSON.parse(last.slice('HERMES-RESULT '.length)), output: lines.slice(0, -1) });
    });
  });
}

/** Bundles `entry` with Metro and runs it in Hermes; resolves to the parsed HERMES-RESULT payload. */
export async function runInHermes(entry, name, options = {}) {
  const { file } = await bundleForHermes(entry, name, options);
  return runHermesFile(file, options);
}
