// Redis store: guard.consume (atomic verify-and-consume, one EVALSHA) per second from one
// process with 64 in flight, beside a naive read-then-write twin of the same operation (GET
// the guard as JSON, decide in JS, SET it) on the same server, in the same run. A second part
// fires concurrent consumes of one step at both, to show what the twin's speed costs.
//
// Needs Redis at CLOUDMFA_BENCH_REDIS (default 127.0.0.1:6379); works under its own key
// prefix, dropped at the end.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createRedisStore, dropRedisStore, RECOMMENDED_REDIS_OPTIONS } from '@cloudmfa/storage-redis';
import { alternatingRounds, fmt, opsPerSecond, raceAcceptances, stepConsumer, table } from './_measure.mjs';

// ioredis is the adapter's dependency, not the bench's: load the adapter's copy.
const { Redis } = createRequire(fileURLToPath(import.meta.resolve('@cloudmfa/storage-redis')))('ioredis');

const [HOST, PORT] = (process.env.CLOUDMFA_BENCH_REDIS ?? '127.0.0.1:6379').split(':');
const KEYS = 10_000;
const IN_FLIGHT = 64;
const ROUNDS = 3;
const T = Date.UTC(2026, 0, 1);


// The naive twin: GET the guard (JSON), decide in JS, SET it back: two commands, no script,
// no WATCH. Same checks and same state as the adapter; not atomic, so racing calls can both
// accept. Its keys carry the same hash-tag shape, so dropRedisStore removes them too.
function naiveConsume(client, prefix) {
  return async (id, step) => {
    const key = `${prefix}{${id}}:naive`;
    const raw = await client.get(key);
    const g = raw === null ? null : JSON.parse(raw);
    if (g && g.lockedUntil !== null && T < g.lockedUntil) return { ok: false, reason: 'locked' };
    if (g && g.lastStep !== null && step <= g.lastStep) return { ok: false, reason: 'replayed' };
    const state = { lastStep: step, failures: 0, lockedUntil: null, drift: g?.drift ?? null, lastUsedAt: T };
    await client.set(key, JSON.stringify(state));
    return { ok: true, state };
  };
}

// `slots` guard keys, each hit by `n` concurrent consumes of the same step: a correct store
// accepts exactly `slots`.


export default async function ({ log }) {
  const keyPrefix = `cmfa-bench:${process.pid}:`;
  const options = { host: HOST, port: Number(PORT), ...RECOMMENDED_REDIS_OPTIONS };
  const admin = new Redis(options);
  const storeClient = new Redis(options);
  const naiveClient = new Redis(options);
  try {
    await dropRedisStore({ client: admin, keyPrefix });
    const store = createRedisStore({ client: storeClient, keyPrefix, clock: () => T });
    const naive = naiveConsume(naiveClient, keyPrefix);
    const redisVersion = /redis_version:(\S+)/.exec(await admin.info('server'))?.[1] ?? '?';

    // Alternate the two so that load from elsewhere on the machine hits both alike.
    const adapterFn = stepConsumer((id, step) => store.guard.consume(`a${id}`, step), KEYS);
    const naiveFn = stepConsumer((id, step) => naive(`n${id}`, step), KEYS);
    const { medians, runs } = await alternatingRounds({ adapter: adapterFn, naive: naiveFn }, { rounds: ROUNDS, log, inFlight: IN_FLIGHT, ms: 3000, warmupMs: 500 });
    const adapter = medians.adapter;
    const naiveOps = medians.naive;

    // One call at a time: no batching, so this is one script call per consume (1 round trip)
    // against the naive twin's two.
    const adapterOne = await opsPerSecond(adapterFn, { inFlight: 1, ms: 2000, warmupMs: 300 });
    const naiveOne = await opsPerSecond(naiveFn, { inFlight: 1, ms: 2000, warmupMs: 300 });
    log(`  one in flight: adapter ${fmt(adapterOne)}/s, naive ${fmt(naiveOne)}/s`);

    // Correctness under the same concurrency: 20 slots x 50 concurrent consumes of one step.
    const slots = 20;
    const n = 50;
    const adapterAccepted = await raceAcceptances((id, step) => store.guard.consume(id, step), 'race-a', slots, n);
    const naiveAccepted = await raceAcceptances(naive, 'race-n', slots, n);
    log(`  race: adapter accepted ${adapterAccepted}, naive accepted ${naiveAccepted} (correct: ${slots})`);
    await store.close();

    const ratio = (x) => `${(x / naiveOps).toFixed(2)}x`;
    return [
      `Verify-and-consume (\`guard.consume\`, accept path, ${KEYS.toLocaleString('en-US')} keys, ${IN_FLIGHT} in flight, one process, one ioredis connection each, Redis ${redisVersion} on loopback, median of ${ROUNDS} alternating 3 s rounds). Goal: Redis >= 10,000/s and >= 1.5x its naive read-then-write twin on the same server.`,
      '',
      table(
        ['Implementation', 'ops/s', 'vs naive', 'round trips', 'replays accepted in the race'],
        [
          [
            '`@cloudmfa/storage-redis` guard.consume (one `EVALSHA` per batch)',
            fmt(adapter),
            ratio(adapter),
            '1',
            `${adapterAccepted - slots} (${adapterAccepted} accepted / ${slots} slots)`,
          ],
          ['naive GET, decide in JS, then SET (same server)', fmt(naiveOps), '1.00x', '2', `${naiveAccepted - slots} (${naiveAccepted} accepted / ${slots} slots)`],
        ],
      ),
      '',
      table(
        ['One call in flight (latency-bound)', 'ops/s', 'vs naive'],
        [
          ['`@cloudmfa/storage-redis` guard.consume', fmt(adapterOne), `${(adapterOne / naiveOne).toFixed(2)}x`],
          ['naive GET then SET', fmt(naiveOne), '1.00x'],
        ],
      ),
      '',
      `Rounds (ops/s): adapter ${runs.adapter.map(fmt).join(', ')}; naive ${runs.naive.map(fmt).join(', ')}. Race: ${slots} guard slots, each hit by ${n} concurrent consumes of the same step; a correct store accepts exactly ${slots}. Concurrent consumes issued in the same event-loop turn go out as one script call per hash slot (group commit, at most 128 per call); the script decides and applies each one in turn, exactly as alone, and the call is atomic as a whole. The naive twin needs a second round trip per call and, without a script, accepts replays.`,
    ].join('\n');
  } finally {
    await dropRedisStore({ client: admin, keyPrefix }).catch(() => {});
    for (const c of [admin, storeClient, naiveClient]) await c.quit().catch(() => c.disconnect());
  }
}
