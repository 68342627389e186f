import { scrypt as nodeScrypt } from 'node:crypto';
// Shared measurement helpers for the bench modules.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * Runs `fn` (sync or async) repeatedly for about `ms` after a warm-up and returns operations
 * per second. For async functions, `inFlight` calls are kept running concurrently.
 */
export async function opsPerSecond(fn, { ms = 1500, warmupMs = 300, inFlight = 1 } = {}) {
  const runFor = async (duration) => {
    let ops = 0;
    const start = performance.now();
    const end = start + duration;
    if (inFlight === 1) {
      while (performance.now() < end) {
        const r = fn();
        if (r && typeof r.then === 'function') await r;
        ops++;
      }
    } else {
      const worker = async () => {
        while (performance.now() < end) {
          await fn();
          ops++;
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
    }
    return (ops * 1000) / (performance.now() - start);
  };
  await runFor(warmupMs);
  return runFor(ms);
}

/** Minified + gzipped size in bytes of an ESM snippet bundled with esbuild. */
export async function bundleSize(contents, resolveDir) {
  const out = await build({
    stdin: { contents, resolveDir, loader: 'js' },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['import', 'default'],
    treeShaking: true,
    logLevel: 'silent',
  });
  return gzipSync(out.outputFiles[0].contents, { level: 9 }).length;
}

export const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
export const table = (header, rows) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/**
 * A call that consumes the next step of the next of `keys` guard keys: the accept path, one
 * write per call. With many keys and 64 in flight, two calls on one key are never in flight
 * together. Shared by the storage benches (adapter and naive twin alike).
 */
export function stepConsumer(consume, keys) {
  const steps = new Array(keys).fill(0);
  let i = 0;
  return () => {
    const k = i++ % keys;
    return consume(`k${k}`, ++steps[k]);
  };
}

/** The median of a list of numbers (the mean of the two middle ones for an even count). */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Times `runs` sequential awaited calls of `fn`; the milliseconds of each. */
export async function timeRuns(fn, runs) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/** node:crypto's scrypt (off the main thread) in the shape of `CryptoProvider.scrypt`. */
export const nodeScryptAsync = (password, salt, { N, r, p, dkLen }) =>
  new Promise((resolve, reject) =>
    nodeScrypt(password, salt, dkLen, { N, r, p, maxmem: 256 * N * r }, (err, key) => (err ? reject(err) : resolve(new Uint8Array(key)))),
  );

/**
 * Runs each of `fns` (name -> function) for `rounds` rounds, alternating them inside each
 * round so that load from elsewhere on the machine hits all alike; logs every run and returns
 * `{ medians, runs }`: the median ops/s per name and every round's figure.
 */
export async function alternatingRounds(fns, { rounds, log, ...options }) {
  const runs = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  const width = Math.max(...Object.keys(fns).map((k) => k.length));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(fns)) {
      runs[name].push(await opsPerSecond(fn, options));
      log(`  round ${r + 1}: ${name.padEnd(width)} ${fmt(runs[name][r])}/s`);
    }
  }
  return { medians: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)])), runs };
}

/**
 * The naive-twin race: `slots` keys, `n` concurrent consumes of the same step on each.
 * An atomic consume accepts exactly `slots`; a read-then-write accepts more.
 */
export async function raceAcceptances(consume, prefix, slots, n) {
  const results = await Promise.all(Array.from({ length: slots * n }, (_, i) => consume(`${prefix}${i % slots}`, 1000)));
  return results.filter((r) => r.ok).length;
}

/**
 * Reads a child process's stdout as one JSON value per line: `next()` answers the next line,
 * whether it arrived before it was asked for (kept in order) or after.
 */
export function jsonLines(child) {
  let buf = '';
  const waiting = [];
  const arrived = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buf += chunk;
    for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) {
      const line = JSON.parse(buf.slice(0, i));
      const w = waiting.shift();
      if (w) w(line);
      else arrived.push(line);
    }
  });
  return () => (arrived.length ? Promise.resolve(arrived.shift()) : new Promise((resolve) => waiting.push(resolve)));
}
