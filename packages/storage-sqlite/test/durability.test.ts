import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { fixedClock } from '@cloudmfa/core';
import { openSqliteStore } from '@cloudmfa/storage-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Nothing acknowledged is lost when the process is killed mid-write: a child writes in a
// tight loop (guard consumes, audit appends, enrolment creates, 8 writers sharing group
// commits) and is SIGKILLed; the file is then checked against every acknowledgement.
// Uses the built dist/ (the child is plain Node): `npx tsup` first.

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = join(here, '..', 'dist', 'index.js');
const dir = mkdtempSync(join(tmpdir(), 'cloudmfa-sqlite-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WORKERS = 8;
const ROUNDS = 3;

function runAndKill(path: string, round: number, minAcks: number): Promise<{ acked: Map<number, number>; total: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'fixtures', 'writeLoop.mjs'), path, String(round), String(WORKERS)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Map<number, number>();
    let total = 0;
    let buf = '';
    let err = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^ACK (\d+) (\d+)$/.exec(line);
        if (!m) continue;
        const w = Number(m[1]);
        const step = Number(m[2]);
        acked.set(w, Math.max(acked.get(w) ?? 0, step));
        total++;
        // Killed while writing: the loop never pauses, so the kill lands mid-transaction
        // or mid-fsync with high probability.
        if (total >= minAcks && !killed) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ acked, total });
      else reject(new Error(`writer exited on its own (code ${code}): ${err.trim()}`));
    });
  });
}

describe('sqlite durability: SIGKILL mid-write', () => {
  beforeAll(() => {
    if (!existsSync(dist)) throw new Error('packages/storage-sqlite/dist is missing: run `npx tsup` in packages/storage-sqlite first');
  });

  it(`keeps every acknowledged write across ${ROUNDS} kills`, async () => {
    const path = join(dir, 'kill.db');
    const ackedAll: Array<Map<number, number>> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const { acked, total } = await runAndKill(path, round, 1500);
      expect(total).toBeGreaterThanOrEqual(1500);
      ackedAll.push(acked);

      // The file opens cleanly (WAL recovery) and is intact.
      const raw = new Database(path);
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      raw.close();

      const store = openSqliteStore({ path, clock: fixedClock(Date.UTC(2026, 0, 1)) });
      for (const [w, step] of acked) {
        const g = await store.guard.get(`w${w}`);
        // Every acknowledged consume is there (a later, unacknowledged one may be too).
        expect(g?.lastStep).toBeGreaterThanOrEqual(step);
        expect(g?.lastStep).toBeLessThan((round + 1) * 1_000_000);
        // ... and so is every acknowledged enrolment and audit event of this round.
        const first = round * 1_000_000 + 1;
        for (const s of [first, Math.floor((first + step) / 2), step]) {
          expect((await store.enrolments.get(`e${w}-${s}`))?.secret).toEqual(new Uint8Array([w, (s - round * 1_000_000) & 255]));
        }
      }
      // Audit: count this round's events per worker; at least every acknowledged step.
      const raw2 = new Database(path, { readonly: true });
      for (const [w, step] of acked) {
        const { n } = raw2
          .prepare("SELECT count(*) AS n FROM cloudmfa_audit WHERE enrolment_id = ? AND json_extract(detail, '$.step') >= ?")
          .get(`w${w}`, round * 1_000_000 + 1) as { n: number };
        expect(n).toBeGreaterThanOrEqual(step - round * 1_000_000);
      }
      raw2.close();
      // A replay of an acknowledged step is still refused after the crash.
      const [w0, s0] = [...acked.entries()][0]!;
      expect(await store.guard.consume(`w${w0}`, s0)).toMatchObject({ ok: false, reason: 'replayed' });
      await store.close();
    }
    // Earlier rounds' data survived later crashes too.
    const store = openSqliteStore({ path, clock: fixedClock(Date.UTC(2026, 0, 1)) });
    for (const [r, acked] of ackedAll.entries()) {
      for (const [w, step] of acked) expect(await store.enrolments.get(`e${w}-${step}`)).not.toBeNull();
      expect(r).toBeGreaterThanOrEqual(0);
    }
    await store.close();
  });
});
