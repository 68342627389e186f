// What every part of the SQLite store shares: the database, the runner (group commit) and
// the store clock.
import type Database from 'better-sqlite3';
import type { Clock } from '@cloudmfa/core';
import { readClock, storageError } from '@cloudmfa/storage/adapter';
import type { Row } from '@cloudmfa/sqlite-dialect';
import type { Runner } from './_runner.js';

/** The shared state of one open SQLite store. */
export interface SqliteContext {
  readonly db: Database.Database;
  /** The organisation every statement of the parts built on this context is bound to. */
  readonly org: string;
  readonly runner: Runner;
  /** Prepares a statement (once, when the part is built). */
  q(sql: string): Database.Statement;
  /** The store clock's `now`; `ERR_STORAGE_UNAVAILABLE` once the store is closed. */
  now(): number;
}

/** Builds the context of {@link SqliteContext}. */
export function createContext(db: Database.Database, runner: Runner, clock: Clock, org: string): SqliteContext {
  return {
    db,
    org,
    runner,
    q: (sql) => db.prepare(sql),
    now: () => {
      if (runner.isClosed) throw storageError('ERR_STORAGE_UNAVAILABLE', 'the store is closed');
      return readClock(clock);
    },
  };
}

/** A Buffer view of the bytes (what the driver binds as a BLOB). */
export const bytes = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/**
 * The row of a raw statement (values in `columns` order) as the row decoders take it. Hot
 * statements run raw: the driver then builds an array, not an object named column by column.
 */
export function rowOf(columns: readonly string[], values: readonly unknown[]): Row {
  const r: Row = {};
  for (let i = 0; i < columns.length; i++) r[columns[i]!] = values[i];
  return r;
}
