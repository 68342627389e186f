import { createHash } from 'node:crypto';
import { isCloudMfaError } from '@cloudmfa/core';
import { storageError } from '@cloudmfa/storage/adapter';
import type { CloudMfaError } from '@cloudmfa/core';
import type { PostgresPool, PostgresQueryConfig } from './types.js';

/** A row as the adapter reads it: every column as PostgreSQL's text output, or null. */
export type Row = Record<string, string | null>;

/** One SQL statement, sent as a named prepared statement. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

// Every value comes back as the server's text output: the adapter parses it itself, so the
// caller's global `pg.types.setTypeParser` choices (int8 as BigInt, JSON parsing) never apply.
const identity = (value: string) => value;
export const RAW_TYPES: NonNullable<PostgresQueryConfig['types']> = Object.freeze({ getTypeParser: () => identity });

/**
 * A statement whose prepared-statement name is derived from its text: pg refuses one name
 * with two texts on a connection, and two stores on two schemas share the caller's pool.
 */
export function statement(text: string): Statement {
  return Object.freeze({ name: `cmfa_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`, text });
}

// SQLSTATEs: 40001 serialization_failure, 40P01 deadlock_detected. The failed statement was
// rolled back as a whole, so running it again is safe.
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 3;
// 3F000 invalid_schema_name, 42P01 undefined_table, 42883 undefined_function, 42703 undefined_column.
const NOT_MIGRATED = new Set(['3F000', '42P01', '42883', '42703']);

const codeOf = (e: unknown): string | undefined => {
  const c = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof c === 'string' ? c : undefined;
};

/**
 * Maps a driver failure to a CloudMfaError. The cause is scrubbed to `{ name, code }` by
 * `storageError` (pg messages can quote parameters).
 */
export function driverError(e: unknown, what: string): CloudMfaError {
  if (isCloudMfaError(e)) return e as CloudMfaError;
  const code = codeOf(e);
  if (code !== undefined && NOT_MIGRATED.has(code)) {
    return storageError('ERR_STORAGE_UNAVAILABLE', 'the PostgreSQL schema is missing or not migrated: run migrate({ pool, schema })', e);
  }
  return storageError('ERR_STORAGE_UNAVAILABLE', `PostgreSQL ${what} failed`, e);
}

/**
 * Runs one statement on the pool (one implicit transaction), retrying serialization failures
 * and deadlocks, and maps every failure to ERR_STORAGE_UNAVAILABLE. Never retries after a
 * connection error: the statement may have committed.
 */
export async function run(pool: PostgresPool, stmt: Statement, values: unknown[], what: string): Promise<Row[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await pool.query({ name: stmt.name, text: stmt.text, values, types: RAW_TYPES });
      return result.rows as Row[];
    } catch (e) {
      const code = codeOf(e);
      if (code !== undefined && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) continue;
      throw driverError(e, what);
    }
  }
}
