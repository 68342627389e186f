// SQLite store: guard.consume (atomic verify-and-consume) per second from one process with 64
// in flight, beside a naive read-then-write twin of the same operation on the same file, in
// the same run. The memory store is shown for reference.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryStore } from '@cloudmfa/storage';
import { openSqliteStore } from '@cloudmfa/storage-sqlite';
import { alternatingRounds, fmt, median, stepConsumer, table } from './_measure.mjs';

// better-sqlite3 is the adapter's dependency, not the bench's: load it from there.
const Database = createRequire(fileURLToPath(import.meta.resolve('@cloudmfa/storage-sqlite')))('better-sqlite3');

const KEYS = 1000;
const IN_FLIGHT = 64;
const T = Date.UTC(2026, 0, 1);


// The naive twin: SELECT, decide in JS, then INSERT or UPDATE: two autocommit statements,
// no transaction, no conditional write. It is what the adapter replaces; under two
// processes it can accept the same step twice.
function naiveConsume(path, synchronous) {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  const get = db.prepare('SELECT * FROM cloudmfa_otp_guard WHERE enrolment_id = ?');
  const insert = db.prepare(
    'INSERT INTO cloudmfa_otp_guard (enrolment_id, last_step, failures, locked_until, drift, last_used_at) VALUES (?, ?, 0, NULL, NULL, ?)',
  );
  const update = db.prepare('UPDATE cloudmfa_otp_guard SET last_step = ?, failures = 0, locked_until = NULL, last_used_at = ? WHERE enrolment_id = ?');
  return {
    consume: async (id, step) => {
      const row = get.get(id);
      if (row && row.locked_until !== null && T < row.locked_until) return { ok: false, reason: 'locked' };
      if (row && row.last_step !== null && step <= row.last_step) return { ok: false, reason: 'replayed' };
      if (row) update.run(step, T, id);
      else insert.run(id, step, T);
      return { ok: true };
    },
    close: () => db.close(),
  };
}

const ROUNDS = 5;

// Every implementation stays open for the whole run, and the rounds alternate them (adapter,
// naive twin, each durability, the memory store), so load from elsewhere on a shared machine
// hits all alike; each row is the median of its rounds.
export default async function ({ log }) {
  const dir = mkdtempSync(join(tmpdir(), 'cloudmfa-bench-sqlite-'));
  const open = [];
  try {
    const fns = {};
    for (const synchronous of ['full', 'normal']) {
      const path = join(dir, `bench-${synchronous}.db`);
      const store = openSqliteStore({ path, clock: () => T, synchronous });
      open.push(() => store.close());
      const naive = naiveConsume(path, synchronous.toUpperCase());
      open.push(() => naive.close());
      fns[`adapter.${synchronous}`] = stepConsumer((id, step) => store.guard.consume(`a${id}`, step), KEYS);
      fns[`naive.${synchronous}`] = stepConsumer((id, step) => naive.consume(`n${id}`, step), KEYS);
    }
    const mem = createMemoryStore({ clock: () => T });
    fns.memory = stepConsumer((id, step) => mem.guard.consume(id, step), KEYS);
    const { medians: m, runs } = await alternatingRounds(fns, { rounds: ROUNDS, log, inFlight: IN_FLIGHT, ms: 1000 });
    const all = (k) => runs[k].map(fmt).join(', ');
    const rows = [];
    for (const synchronous of ['full', 'normal']) {
      const a = m[`adapter.${synchronous}`];
      const n = m[`naive.${synchronous}`];
      // The ratio of each round, then their median: a round's load hits both alike.
      const ratio = median(runs[`adapter.${synchronous}`].map((x, i) => x / runs[`naive.${synchronous}`][i]));
      rows.push([
        `\`@cloudmfa/storage-sqlite\` guard.consume, synchronous=${synchronous}${synchronous === 'full' ? ' (default)' : ''}`,
        fmt(a),
        `${ratio.toFixed(2)}x`,
        all(`adapter.${synchronous}`),
      ]);
      rows.push([`naive SELECT then INSERT/UPDATE, same file, synchronous=${synchronous}`, fmt(n), '1.00x', all(`naive.${synchronous}`)]);
    }
    rows.push(['`@cloudmfa/storage` memory store guard.consume (reference)', fmt(m.memory), '', all('memory')]);
    return [
      `Verify-and-consume (\`guard.consume\`, accept path, ${KEYS} keys, ${IN_FLIGHT} in flight, one process), ${ROUNDS} rounds of 1 s alternating the rows; ops/s is the median of the rounds, the ratio the median of the per-round ratios. ` +
        `Load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(', ')} (${cpus().length} cores, shared). ` +
        'Goal: SQLite >= 20,000/s and >= 1.5x its naive read-then-write twin on the same file.',
      '',
      table(['Implementation', 'ops/s (median)', 'vs naive (same durability)', 'rounds'], rows),
      '',
      'The adapter commits the operations that arrive together in one `BEGIN IMMEDIATE` transaction ' +
        '(group commit, up to 64, one fsync), each as its single conditional upsert; when one fails, the ' +
        'batch is rolled back and run again with a savepoint per operation. The naive twin pays one fsync per write at `synchronous=full` and is not atomic across processes.',
    ].join('\n');
  } finally {
    for (const close of open) await close();
    rmSync(dir, { recursive: true, force: true });
  }
}
