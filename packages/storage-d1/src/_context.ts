// What every part of the D1 store shares: the binding, the store clock, and error mapping.
import { type Clock, isCloudMfaError } from '@cloudmfa/core';
import { readClock, storageError } from '@cloudmfa/storage/adapter';
import type { D1DatabaseLike, D1ResultLike, D1StatementLike } from './d1.js';
import type { Row } from '@cloudmfa/sqlite-dialect';

/** The shared state of one open D1 store. */
export interface D1Context {
  /** A statement with its parameters bound (`?1`, `?2`, ... in order). */
  st(sql: string, ...params: unknown[]): D1StatementLike;
  /** Runs statements as one transaction (D1 `batch`); resolves their row lists. */
  batch(statements: D1StatementLike[]): Promise<Row[][]>;
  /** Runs statements as one transaction; resolves their results (rows and `meta.changes`). */
  batchResults(statements: D1StatementLike[]): Promise<D1ResultLike[]>;
  /** The store clock's `now`; `ERR_STORAGE_UNAVAILABLE` once the store is closed. */
  now(): number;
  close(): void;
}

function mapError(e: unknown): unknown {
  if (isCloudMfaError(e)) return e;
  return storageError('ERR_STORAGE_UNAVAILABLE', 'd1 query failed', e);
}

const ORG_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The context of one organisation's parts: every statement's `$ORG` becomes the organisation id
 * as a SQL literal (docs/storage.md, "Organisations"). The id is 1..63 of `[a-z0-9-]` (checked again
 * here), so the literal cannot end early; a literal keeps the statements' positional
 * parameters as they are.
 */
export function scopedContext(ctx: D1Context, org: string): D1Context {
  if (!ORG_RE.test(org)) throw storageError('ERR_STORAGE_INVALID', '"organisationId" expected 1..63 characters of [a-z0-9-]');
  const literal = `'${org}'`;
  return { ...ctx, st: (sql, ...params) => ctx.st(sql.replaceAll('$ORG', literal), ...params) };
}

/** Builds the context of {@link D1Context}. */
export function createContext(db: D1DatabaseLike, clock: Clock): D1Context {
  let closed = false;
  const batchResults = async (statements: D1StatementLike[]) => {
    try {
      return await db.batch(statements);
    } catch (e) {
      throw mapError(e);
    }
  };
  return {
    st: (sql, ...params) => db.prepare(sql).bind(...params.map((p) => (p === undefined ? null : p))),
    batchResults,
    batch: async (statements) => (await batchResults(statements)).map((r) => (r.results ?? []) as Row[]),
    now: () => {
      if (closed) throw storageError('ERR_STORAGE_UNAVAILABLE', 'the store is closed');
      return readClock(clock);
    },
    close: () => {
      closed = true;
    },
  };
}
