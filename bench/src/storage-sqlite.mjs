// SQLite store: guard.consume (atomic verify-and-consume) per second from one process with 64
// in flight, beside a naive read-then-write twin of the same operation on the same file, in
// the same run. The memory store is shown for reference.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryStore } from '@cloudmfa/storage';
import { openSqliteStore } from '@cloudmfa/storage-sqlite';
import { fmt, opsPerSecond, table, stepConsumer } from './_measure.mjs';

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

export default async function ({ log }) {
  const dir = mkdtempSync(join(tmpdir(), 'cloudmfa-bench-sqlite-'));
  const rows = [];
  try {
    for (const synchronous of ['full', 'normal']) {
      const path = join(dir, `bench-${synchronous}.db`);
      const store = openSqliteStore({ path, clock: () => T, synchronous });
      const adapterFn = stepConsumer((id, step) => store.guard.consume(`a${id}`, step), KEYS);
      const adapter = await opsPerSecond(adapterFn, { inFlight: IN_FLIGHT });
      log(`  sqlite adapter (synchronous=${synchronous}): ${fmt(adapter)}/s`);
      const naive = naiveConsume(path, synchronous.toUpperCase());
      const naiveFn = stepConsumer((id, step) => naive.consume(`n${id}`, step), KEYS);
      const naiveOps = await opsPerSecond(naiveFn, { inFlight: IN_FLIGHT });
      log(`  naive read-then-write (synchronous=${synchronous}): ${fmt(naiveOps)}/s`);
      naive.close();
      await store.close();
      rows.push([
        `\`@cloudmfa/storage-sqlite\` guard.consume, synchronous=${synchronous}${synchronous === 'full' ? ' (default)' : ''}`,
        fmt(adapter),
        `${(adapter / naiveOps).toFixed(2)}x`,
      ]);
      rows.push([`naive SELECT then INSERT/UPDATE, same file, synchronous=${synchronous}`, fmt(naiveOps), '1.00x']);
    }
    const mem = createMemoryStore({ clock: () => T });
    const memOps = await opsPerSecond(stepConsumer((id, step) => mem.guard.consume(id, step), KEYS), { inFlight: IN_FLIGHT });
    rows.push(['`@cloudmfa/storage` memory store guard.consume (reference)', fmt(memOps), '']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    `Verify-and-consume (\`guard.consume\`, accept path, ${KEYS} keys, ${IN_FLIGHT} in flight, one process). ` +
      'Goal: SQLite >= 20,000/s and >= 1.5x its naive read-then-write twin on the same file.',
    '',
    table(['Implementation', 'ops/s', 'vs naive (same durability)'], rows),
    '',
    'The adapter commits the operations that arrive together in one `BEGIN IMMEDIATE` transaction ' +
      '(group commit, up to 64, one fsync); each keeps its own savepoint and its single conditional ' +
      'upsert. The naive twin pays one fsync per write at `synchronous=full` and is not atomic across processes.',
  ].join('\n');
}
