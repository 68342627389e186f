import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fixedClock, isCloudMfaError } from '@cloudmfa/core';
import { listMigrations, migrate, openPostgresStore, POSTGRES_SCHEMA_VERSION } from '@cloudmfa/storage-postgres';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { dropSchema, testPool, uniqueSchema } from './helpers.js';

const pool = testPool(8);
const T0 = Date.UTC(2026, 0, 1);
const schemas: string[] = [];
const fresh = (tag: string) => {
  const s = uniqueSchema(tag);
  schemas.push(s);
  return s;
};
afterEach(async () => {
  for (const s of schemas.splice(0)) await dropSchema(pool, s);
});
afterAll(async () => {
  await pool.end();
});

const code = async (p: Promise<unknown>): Promise<string> => {
  const e = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
  expect(isCloudMfaError(e)).toBe(true);
  return (e as { code: string }).code;
};
const migrations = async (schema: string) =>
  (await pool.query(`SELECT version, name, checksum, applied_at::text AS applied_at FROM "${schema}".cloudmfa_migrations ORDER BY version`)).rows;
const tableExists = async (schema: string, table: string) =>
  (await pool.query('SELECT to_regclass($1) IS NOT NULL AS ok', [`"${schema}".${table}`])).rows[0].ok as boolean;

describe('shipped migrations', () => {
  it('are numbered 1..N with the SHA-256 of the shipped .sql file, LF-normalized', () => {
    const list = listMigrations();
    expect(list.map((m) => m.version)).toEqual(Array.from({ length: list.length }, (_, i) => i + 1));
    expect(POSTGRES_SCHEMA_VERSION).toBe(list.length);
    const file = readFileSync(fileURLToPath(new URL('../src/migrations/0001_initial.sql', import.meta.url)), 'utf8');
    expect(list[0]).toMatchObject({ version: 1, name: 'initial', sql: file });
    expect(list[0]?.checksum).toBe(createHash('sha256').update(file.replace(/\r\n?/g, '\n')).digest('hex'));
    // Copies: editing the returned list changes nothing.
    list[0]!.sql = 'DROP TABLE x';
    expect(listMigrations()[0]?.sql).toBe(file);
  });

  it('are inlined in the built package (dist), identical to the files', async () => {
    const dist = (await import(new URL('../dist/index.js', import.meta.url).href)) as { listMigrations: typeof listMigrations };
    expect(dist.listMigrations()).toEqual(listMigrations());
  });
});

describe('migrate', () => {
  it('creates the schema, applies every migration once, and records version, name, checksum and the injected time', async () => {
    const schema = fresh('mig');
    const report = await migrate({ pool, schema, clock: fixedClock(T0) });
    expect(report).toEqual({ schema, version: POSTGRES_SCHEMA_VERSION, applied: listMigrations().map((m) => m.version) });
    expect(await migrations(schema)).toEqual(listMigrations().map((m) => ({ version: m.version, name: m.name, checksum: m.checksum, applied_at: String(T0) })));
    for (const t of ['cloudmfa_enrolments', 'cloudmfa_otp_guard', 'cloudmfa_challenges', 'cloudmfa_audit']) {
      expect(await tableExists(schema, t)).toBe(true);
    }
  });

  it('is idempotent: a second run applies nothing and changes nothing', async () => {
    const schema = fresh('idem');
    await migrate({ pool, schema, clock: fixedClock(T0) });
    const before = await migrations(schema);
    expect(await migrate({ pool, schema, clock: fixedClock(T0 + 1000) })).toEqual({ schema, version: POSTGRES_SCHEMA_VERSION, applied: [] });
    expect(await migrate({ pool, schema })).toEqual({ schema, version: POSTGRES_SCHEMA_VERSION, applied: [] });
    expect(await migrations(schema)).toEqual(before);
  });

  it('serializes concurrent migrations of one schema (servers starting together): one applies, the rest find nothing to do', async () => {
    const schema = fresh('conc');
    const reports = await Promise.all(Array.from({ length: 6 }, () => migrate({ pool, schema, clock: fixedClock(T0) })));
    expect(reports.filter((r) => r.applied.length === listMigrations().length).length).toBe(1);
    expect(reports.filter((r) => r.applied.length === 0).length).toBe(5);
    expect((await migrations(schema)).length).toBe(listMigrations().length);
  });

  it('keeps schemas apart: a store sees only its own schema', async () => {
    const a = fresh('iso_a');
    const b = fresh('iso_b');
    await migrate({ pool, schema: a });
    await migrate({ pool, schema: b });
    const clock = fixedClock(T0);
    const sa = await openPostgresStore({ pool, schema: a, clock });
    const sb = await openPostgresStore({ pool, schema: b, clock });
    expect((await sa.guard.consume('e1', 5)).ok).toBe(true);
    expect((await sb.guard.consume('e1', 5)).ok).toBe(true);
    expect(await sb.guard.consume('e1', 5)).toMatchObject({ ok: false, reason: 'replayed' });
    expect(sa.schema).toBe(a);
  });

  it('refuses a schema migrated by a newer release, changing nothing, and so does openPostgresStore', async () => {
    const schema = fresh('newer');
    await migrate({ pool, schema });
    await pool.query(`INSERT INTO "${schema}".cloudmfa_migrations VALUES ($1, 'future', 'x', 0)`, [POSTGRES_SCHEMA_VERSION + 1]);
    const before = await migrations(schema);
    expect(await code(migrate({ pool, schema }))).toBe('ERR_STORAGE_CORRUPT');
    expect(await code(openPostgresStore({ pool, schema }))).toBe('ERR_STORAGE_CORRUPT');
    expect(await migrations(schema)).toEqual(before);
  });

  it('refuses an applied migration whose checksum differs from the shipped file (an edited migration)', async () => {
    const schema = fresh('edited');
    await migrate({ pool, schema });
    await pool.query(`UPDATE "${schema}".cloudmfa_migrations SET checksum = 'edited' WHERE version = 1`);
    expect(await code(migrate({ pool, schema }))).toBe('ERR_STORAGE_CORRUPT');
  });

  it('refuses a gap in the applied versions', async () => {
    const schema = fresh('gap');
    await migrate({ pool, schema });
    await pool.query(`UPDATE "${schema}".cloudmfa_migrations SET version = 0 WHERE version = 1`);
    expect(await code(migrate({ pool, schema }))).toBe('ERR_STORAGE_CORRUPT');
  });

  it('rolls back everything when a migration fails (here: a table already in the way)', async () => {
    const schema = fresh('rollback');
    await pool.query(`CREATE SCHEMA "${schema}"`);
    await pool.query(`CREATE TABLE "${schema}".cloudmfa_audit (x int)`);
    const err = await migrate({ pool, schema }).catch((e: unknown) => e);
    expect(isCloudMfaError(err, 'ERR_STORAGE_UNAVAILABLE')).toBe(true);
    expect((err as Error).cause).toEqual({ name: 'error', code: '42P07' });
    // The tables created before the failing statement and the version table are gone.
    expect(await tableExists(schema, 'cloudmfa_enrolments')).toBe(false);
    expect(await tableExists(schema, 'cloudmfa_migrations')).toBe(false);
    expect(await tableExists(schema, 'cloudmfa_audit')).toBe(true);
    await pool.query(`DROP TABLE "${schema}".cloudmfa_audit`);
    expect((await migrate({ pool, schema })).applied).toEqual(listMigrations().map((m) => m.version));
  });

  it('openPostgresStore refuses a schema that is missing or not migrated, with ERR_STORAGE_UNAVAILABLE', async () => {
    const schema = fresh('absent');
    expect(await code(openPostgresStore({ pool, schema }))).toBe('ERR_STORAGE_UNAVAILABLE');
    await pool.query(`CREATE SCHEMA "${schema}"`);
    expect(await code(openPostgresStore({ pool, schema }))).toBe('ERR_STORAGE_UNAVAILABLE');
    await pool.query(`CREATE TABLE "${schema}".cloudmfa_migrations (version integer PRIMARY KEY, name text, checksum text, applied_at bigint)`);
    expect(await code(openPostgresStore({ pool, schema }))).toBe('ERR_STORAGE_UNAVAILABLE');
  });

  it('refuses bad schema names and pools with ERR_STORAGE_INVALID before any I/O', async () => {
    for (const schema of ['', 'Cloudmfa', 'pg_cloudmfa', 'a-b', 'a b', '1abc', 'x'.repeat(64), 'a"b', 'é', 5, null]) {
      expect(await code(migrate({ pool, schema: schema as string }))).toBe('ERR_STORAGE_INVALID');
      expect(await code(openPostgresStore({ pool, schema: schema as string }))).toBe('ERR_STORAGE_INVALID');
    }
    expect(await code(migrate(null as never))).toBe('ERR_STORAGE_INVALID');
    expect(await code(migrate({ pool: { query: () => undefined } as never }))).toBe('ERR_STORAGE_INVALID');
    expect(await code(migrate({ pool, schema: 'ok', clock: 5 as never }))).toBe('ERR_STORAGE_INVALID');
  });
});
