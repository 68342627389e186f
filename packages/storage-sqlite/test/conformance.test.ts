import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '@cloudmfa/storage-sqlite';
import { runStorageConformance } from '@cloudmfa/storage/testing';
import { afterAll } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'cloudmfa-sqlite-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

// A real file per test (WAL needs one), removed after the test.
runStorageConformance({ name: 'sqlite (file, WAL)', directAudit: true, factory: ({ clock }) => {
  const path = join(dir, `t${n++}.db`);
  const store = openSqliteStore({ path, clock });
  return {
    store,
    cleanup: () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    },
  };
} });

runStorageConformance({ name: 'sqlite (:memory:)', directAudit: true, factory: ({ clock }) => ({ store: openSqliteStore({ path: ':memory:', clock }) }) });
