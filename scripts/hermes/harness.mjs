// Runs a test entry inside the `hermes` binary from hermes-engine-cli, the way a React Native
// app ships code: esbuild bundles the entry against the *built* packages (their `exports`,
// as Metro resolves them), Babel lowers the syntax this old Hermes lacks (classes, async)
// as Metro's preset would, and the result runs in Hermes with no Node APIs at all.
//
// The entry prints lines with `print`; its last line must be `HERMES-RESULT <json>`.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformAsync } from '@babel/core';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HERMES_BIN = join(root, 'node_modules', 'hermes-engine-cli', 'linux64-bin', 'hermes');

export async function bundleForHermes(entry, name) {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    mainFields: ['react-native', 'module', 'main'],
    conditions: ['react-native', 'import', 'default'],
    target: 'es2020',
    minify: false,
    logLevel: 'silent',
  });
  const bundled = out.outputFiles[0].text;
  const lowered = await transformAsync(bundled, {
    babelrc: false,
    configFile: false,
    compact: true,
    sourceType: 'script',
    presets: [
      [
        '@babel/preset-env',
        {
          // Hermes of this vintage has no classes and no async functions; it does have
          // BigInt and `**` (which must stay native: Math.pow cannot take a BigInt).
          targets: { ie: '11' },
          exclude: ['transform-exponentiation-operator', 'transform-typeof-symbol'],
          modules: false,
        },
      ],
    ],
  });
  const file = join(root, '.tmp', 'hermes', `${name}.js`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, lowered.code);
  return { file, bytes: Buffer.byteLength(lowered.code) };
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

/** Bundles `entry` and runs it in Hermes; resolves to the parsed HERMES-RESULT payload. */
export async function runInHermes(entry, name, options) {
  const { file } = await bundleForHermes(entry, name);
  return runHermesFile(file, options);
}
