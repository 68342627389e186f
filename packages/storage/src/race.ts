/// <reference types="node" />
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { storageError } from './errors.js';
import type { ThrottlePolicy } from './throttle.js';

/**
 * Options of {@link runConsumeRace}.
 *
 * @example
 * ```ts
 * const o: ConsumeRaceOptions = { factoryModule: '/abs/raceFactory.mjs', config: { url }, processes: 2 };
 * ```
 */
export interface ConsumeRaceOptions {
  /**
   * Absolute path of an ES module whose default export opens the adapter:
   * `({ config, clock }) => Promise<MfaStore>`. It runs in plain Node, so it imports the
   * adapter's built `dist/` (e.g. by its package name).
   */
  factoryModule: string;
  /** JSON-serializable; passed to the factory in every process (e.g. a file path, a URL, a schema). */
  config?: unknown;
  /** Processes to spawn; default 2. */
  processes?: number;
  /** Concurrent consumes per process; default 1000. */
  attemptsPerProcess?: number;
  /** Distinct guard keys (enrolment ids) the attempts are spread over; default 100. */
  keys?: number;
  /** The step every attempt consumes; default 1000. */
  step?: number;
  /** Prefix of the guard keys (`<prefix><index>`); default `race`. */
  keyPrefix?: string;
  /** The pinned clock of the worker stores (ms); default 1,767,225,600,000 (2026-01-01). */
  now?: number;
  /** Whole-race timeout; default 60 s. */
  timeoutMs?: number;
  /**
   * What each attempt calls: `consume` (default) `guard.consume(key, step)`, or `attempt`
   * `guard.attempt(key, policy)` on fresh guards, where exactly `policy.freeFailures + 1` calls
   * per key are counted (`accepted`) and all others are refused `locked` (the count that sets
   * the lock is the last), when `policy.baseDelayMs > 0`.
   */
  operation?: 'consume' | 'attempt';
  /** The policy of `operation: 'attempt'`; default {@link RACE_ATTEMPT_POLICY}. */
  policy?: ThrottlePolicy;
}

/**
 * The default policy of an `attempt` race: 3 free failures, the 4th locks for a second.
 *
 * @example
 * ```ts
 * expect(r.accepted).toBe(keys * (RACE_ATTEMPT_POLICY.freeFailures + 1));
 * ```
 */
export const RACE_ATTEMPT_POLICY: Readonly<ThrottlePolicy> = Object.freeze({
  freeFailures: 3,
  baseDelayMs: 1000,
  maxDelayMs: 1000,
  lockoutFailures: 10,
  lockoutMs: 60_000,
});

/**
 * What each process counted.
 *
 * @example
 * ```ts
 * for (const p of (await runConsumeRace(o)).perProcess) console.log(p.accepted, p.replayed);
 * ```
 */
export interface ConsumeRaceProcessResult {
  accepted: number;
  replayed: number;
  locked: number;
  errors: number;
  errorCodes: string[];
}

/**
 * Totals of {@link runConsumeRace}; `accepted` must equal `keys` (a consume race) or
 * `keys * (policy.freeFailures + 1)` (an attempt race).
 *
 * @example
 * ```ts
 * const r: ConsumeRaceResult = await runConsumeRace(o);
 * expect(r.accepted).toBe(100);
 * ```
 */
export interface ConsumeRaceResult {
  accepted: number;
  replayed: number;
  /** Refused `locked` (an attempt race: every call after the one that set the lock). */
  locked: number;
  errors: number;
  perProcess: ConsumeRaceProcessResult[];
}

/**
 * The two-process race every adapter runs: spawns `processes` Node processes, each opening
 * the store from `factoryModule`; when all are ready they start together and each fires
 * `attemptsPerProcess` concurrent `guard.consume(key, step)` spread over `keys` keys. With a
 * correct adapter exactly one consume per key wins across all processes, so
 * `result.accepted === keys`. With `operation: 'attempt'` each fires `guard.attempt(key,
 * policy)` instead, and exactly `policy.freeFailures + 1` per key are counted across all
 * processes: `result.accepted === keys * (policy.freeFailures + 1)`, the rest `locked`.
 *
 * Needs the built worker (`packages/storage/dist/raceWorker.js`: run `npx tsup` in
 * packages/storage first).
 *
 * @example
 * ```ts
 * const r = await runConsumeRace({ factoryModule: new URL('./raceFactory.mjs', import.meta.url).pathname, config: { path } });
 * expect(r.accepted).toBe(100);
 * ```
 */
export async function runConsumeRace(options: ConsumeRaceOptions): Promise<ConsumeRaceResult> {
  const processes = options.processes ?? 2;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const args = JSON.stringify({
    factoryModule: options.factoryModule,
    config: options.config ?? null,
    now: options.now ?? Date.UTC(2026, 0, 1),
    keyPrefix: options.keyPrefix ?? 'race',
    keys: options.keys ?? 100,
    attempts: options.attemptsPerProcess ?? 1000,
    step: options.step ?? 1000,
    operation: options.operation ?? 'consume',
    policy: options.policy ?? RACE_ATTEMPT_POLICY,
  });
  const worker = raceWorkerPath();
  const children = Array.from({ length: processes }, () =>
    spawn(process.execPath, [worker, args], { stdio: ['pipe', 'pipe', 'pipe'] }),
  );
  const outputs = children.map(() => ({ out: '', err: '' }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const ready = children.map(
      (child, i) =>
        new Promise<void>((resolve, reject) => {
          const o = outputs[i]!;
          child.stdout.setEncoding('utf8');
          child.stderr.setEncoding('utf8');
          child.stdout.on('data', (d: string) => {
            o.out += d;
            if (o.out.includes('READY\n')) resolve();
          });
          child.stderr.on('data', (d: string) => {
            o.err += d;
          });
          child.on('exit', () => reject(new Error(`race worker ${i} exited before READY: ${o.err.trim()}`)));
        }),
    );
    const done = children.map(
      (child, i) =>
        new Promise<ConsumeRaceProcessResult>((resolve, reject) => {
          child.on('exit', (code) => {
            const o = outputs[i]!;
            const line = o.out.split('\n').find((l) => l.startsWith('RESULT '));
            if (code !== 0 || !line) reject(new Error(`race worker ${i} failed (exit ${code}): ${o.err.trim()}`));
            else resolve(JSON.parse(line.slice('RESULT '.length)) as ConsumeRaceProcessResult);
          });
        }),
    );
    // Handled through Promise.all below; these keep a late failure from going unhandled.
    for (const p of [...ready, ...done]) p.catch(() => undefined);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the ${options.operation ?? 'consume'} race did not finish within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([Promise.all(ready), timeout]);
    // Everyone is connected and waiting: release them together.
    for (const child of children) child.stdin.write('GO\n');
    const perProcess = await Promise.race([Promise.all(done), timeout]);
    return {
      accepted: perProcess.reduce((n, p) => n + p.accepted, 0),
      replayed: perProcess.reduce((n, p) => n + p.replayed, 0),
      locked: perProcess.reduce((n, p) => n + p.locked, 0),
      errors: perProcess.reduce((n, p) => n + p.errors, 0),
      perProcess,
    };
  } finally {
    if (timer) clearTimeout(timer);
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/**
 * The path of the built race worker: next to this module in `dist/`, or in `../dist/` when
 * this module runs from `src/` (vitest resolves workspace packages to their sources).
 */
export function raceWorkerPath(): string {
  for (const rel of ['./raceWorker.js', '../dist/raceWorker.js']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw storageError('ERR_STORAGE_UNAVAILABLE', 'the race worker is not built: run `npx tsup` in packages/storage');
}
