// PostgreSQL store: guard.consume (atomic verify-and-consume) per second from one process with
// 64 in flight, beside a naive read-then-write twin of the same operation on the same server,
// the same table and the same pool, in the same run. A second part fires concurrent consumes
// of one step at both, to show what the twin's speed costs.
//
// Needs the server at CLOUDMFA_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test);
// works in its own schema, dropped at the end.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { migrate, openPostgresStore } from '@cloudmfa/storage-postgres';
import { alternatingRounds, fmt, opsPerSecond, raceAcceptances, stepConsumer, table } from './_measure.mjs';

// pg is the adapter's dependency, not the bench's: load the adapter's copy.
const pg = createRequire(fileURLToPath(import.meta.resolve('@cloudmfa/storage-postgres')))('pg');

const URL = process.env.CLOUDMFA_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const KEYS = 10_000;
const IN_FLIGHT = 64;
const POOL_SIZE = 16;
const ROUNDS = 3;
const T = Date.UTC(2026, 0, 1);


// The naive twin: SELECT the guard, decide in JS, then upsert unconditionally: two statements
// (prepared, like the adapter's), no transaction, no condition in the write. Same checks and
// same columns as the adapter; not atomic, so racing calls can both accept.
function naiveConsume(pool, schema) {
  const get = {
    name: `naive_get_${schema}`,
    text: `SELECT last_step, locked_until FROM "${schema}".cloudmfa_otp_guard WHERE org = 'default' AND enrolment_id = $1`,
  };
  const put = {
    name: `naive_put_${schema}`,
    text: `INSERT INTO "${schema}".cloudmfa_otp_guard (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at)
VALUES ('default', $1, $2, 0, NULL, NULL, $3)
ON CONFLICT (org, enrolment_id) DO UPDATE SET last_step = EXCLUDED.last_step, failures = 0, locked_until = NULL,
  last_used_at = EXCLUDED.last_used_at`,
  };
  return async (id, step) => {
    const row = (await pool.query({ ...get, values: [id] })).rows[0];
    if (row && row.locked_until !== null && T < Number(row.locked_until)) return { ok: false, reason: 'locked' };
    if (row && row.last_step !== null && step <= Number(row.last_step)) return { ok: false, reason: 'replayed' };
    await pool.query({ ...put, values: [id, step, T] });
    return { ok: true };
  };
}

// The adapter's own statement without its group commit: one `cloudmfa_otp_consume_org` call (one
// statement, one commit) per consume, to show what the batching adds.
function unbatchedConsume(pool, schema) {
  const call = {
    name: `unbatched_${schema}`,
    text: `SELECT r_outcome FROM "${schema}".cloudmfa_otp_consume_org('default', $1::text, $2::bigint, $3::integer, $4::bigint, NULL, NULL, NULL, NULL, NULL, NULL)`,
  };
  return async (id, step) => ({ ok: (await pool.query({ ...call, values: [id, step, null, T] })).rows[0].r_outcome === 'ok' });
}

// `slots` guard keys, each hit by `n` concurrent consumes of the same step: a correct store
// accepts exactly `slots`.


export default async function ({ log }) {
  const schema = `cmfa_bench_${process.pid}`;
  const pool = new pg.Pool({ connectionString: URL, max: POOL_SIZE });
  pool.on('error', () => {});
  try {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await migrate({ pool, schema, clock: () => T });
    const store = await openPostgresStore({ pool, schema, clock: () => T });
    const naive = naiveConsume(pool, schema);
    const unbatched = unbatchedConsume(pool, schema);

    // Alternate the two so that load from elsewhere on the machine hits both alike.
    const adapterFn = stepConsumer((id, step) => store.guard.consume(`a${id}`, step), KEYS);
    const naiveFn = stepConsumer((id, step) => naive(`n${id}`, step), KEYS);
    const unbatchedFn = stepConsumer((id, step) => unbatched(`u${id}`, step), KEYS);
    // guard.attempt on the count path (a policy that never locks within the run: every call counts).
    const counting = { freeFailures: 99_999, baseDelayMs: 0, maxDelayMs: 0, lockoutFailures: 100_000, lockoutMs: 0 };
    const attemptFn = stepConsumer((id) => store.guard.attempt(`t${id}`, counting), KEYS);
    const { medians, runs } = await alternatingRounds(
      { adapter: adapterFn, naive: naiveFn, unbatched: unbatchedFn, attempt: attemptFn },
      { rounds: ROUNDS, log, inFlight: IN_FLIGHT, ms: 3000, warmupMs: 500 },
    );
    const adapter = medians.adapter;
    const naiveOps = medians.naive;
    const unbatchedOps = medians.unbatched;
    const attemptOps = medians.attempt;

    // Correctness under the same concurrency: 20 slots x 50 concurrent consumes of one step.
    const slots = 20;
    const n = 50;
    const adapterAccepted = await raceAcceptances((id, step) => store.guard.consume(id, step), 'race-a', slots, n);
    const naiveAccepted = await raceAcceptances(naive, 'race-n', slots, n);
    log(`  race: adapter accepted ${adapterAccepted}, naive accepted ${naiveAccepted} (correct: ${slots})`);
    await store.close();

    const ratio = (x) => `${(x / naiveOps).toFixed(2)}x`;
    return [
      `Verify-and-consume (\`guard.consume\`, accept path, ${KEYS.toLocaleString('en-US')} keys, ${IN_FLIGHT} in flight, one process, one \`pg.Pool\` of ${POOL_SIZE}, median of ${ROUNDS} alternating 3 s rounds). Goal: PostgreSQL >= 3,000/s and >= 1.5x its naive read-then-write twin on the same server.`,
      '',
      table(
        ['Implementation', 'ops/s', 'vs naive', 'round trips', 'replays accepted in the race'],
        [
          [
            '`@cloudmfa/storage-postgres` guard.consume (group commit: the consumes that arrive together go as one `cloudmfa_otp_consume_log_batch` call)',
            fmt(adapter),
            ratio(adapter),
            '1 per batch',
            `${adapterAccepted - slots} (${adapterAccepted} accepted / ${slots} slots)`,
          ],
          ['the same conditional upsert without group commit (one `cloudmfa_otp_consume_org` call per consume)', fmt(unbatchedOps), ratio(unbatchedOps), '1', 'same statement as above'],
          ['`guard.attempt` (lock check and count; grouped like consume, one `cloudmfa_otp_count_batch` call per batch)', fmt(attemptOps), ratio(attemptOps), '1 per batch', 'n/a (counts every call)'],
          ['naive SELECT, decide in JS, then upsert (same table, same pool)', fmt(naiveOps), '1.00x', '2', `${naiveAccepted - slots} (${naiveAccepted} accepted / ${slots} slots)`],
        ],
      ),
      '',
      `Rounds (ops/s): adapter ${runs.adapter.map(fmt).join(', ')}; unbatched ${runs.unbatched.map(fmt).join(', ')}; naive ${runs.naive.map(fmt).join(', ')}; attempt ${runs.attempt.map(fmt).join(', ')}. Race: ${slots} guard slots, each hit by ${n} concurrent consumes of the same step; a correct store accepts exactly ${slots}. Durability is the server default for all three (\`synchronous_commit=on\`: a commit waits for its WAL flush). Unbatched and naive pay one commit per accepted code, so they run at about the same speed on a flush-bound server; the naive twin adds a read and a round trip and, without a condition in its write, accepts replays. The adapter's batch shares one commit among the consumes in it, each still decided by its own conditional upsert.`,
    ].join('\n');
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await pool.end();
  }
}
