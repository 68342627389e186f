import { type Clock, systemClock } from '@cloudmfa/core';
import { storageError } from '@cloudmfa/storage/adapter';

// Lower-case only, so the quoted identifier and the name a DBA types unquoted are the same
// object; `pg_` is reserved by PostgreSQL for system schemas.
const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** Validates a schema name; returns it and its quoted identifier. */
export function resolveSchema(value: unknown): { schema: string; quoted: string } {
  const schema = value === undefined ? 'public' : value;
  if (typeof schema !== 'string' || !SCHEMA_RE.test(schema) || schema.startsWith('pg_')) {
    throw storageError('ERR_STORAGE_INVALID', '"schema" expected ^[a-z_][a-z0-9_]{0,62}$, not starting with pg_');
  }
  // The regex leaves nothing to escape; quoting keeps reserved words (e.g. "user") usable.
  return { schema, quoted: `"${schema}"` };
}

/**
 * Validates an optional clock. The returned clock also refuses a non-number reading:
 * `readClock` from @cloudmfa/storage floors what it gets, which would turn the string '1'
 * into a time.
 */
export function resolveClock(value: unknown): Clock {
  if (value === undefined) return systemClock;
  if (typeof value !== 'function') throw storageError('ERR_STORAGE_INVALID', '"clock" expected a function returning ms');
  const clock = value as () => unknown;
  return () => {
    const t = clock();
    if (typeof t !== 'number') throw storageError('ERR_STORAGE_INVALID', 'the store clock returned a value that is not a ms time');
    return t;
  };
}

/** Asserts that `pool` has the methods the adapter calls. */
export function assertPool(pool: unknown, methods: readonly ('query' | 'connect')[]): void {
  if (typeof pool !== 'object' || pool === null) throw storageError('ERR_STORAGE_INVALID', '"pool" expected a pg.Pool');
  for (const m of methods) {
    if (typeof (pool as Record<string, unknown>)[m] !== 'function') {
      throw storageError('ERR_STORAGE_INVALID', `"pool" expected a pg.Pool (no ${m}() method)`);
    }
  }
}
