import { type OrganisationStore, type UpdateOrganisationResult } from '@cloudmfa/storage';
import {
  assertOrganisationId,
  normalizeCreateOrganisation,
  normalizeOrganisationChanges,
  normalizeOrganisationList,
  organisationFromRow,
  storageError,
} from '@cloudmfa/storage/adapter';
import { type SqliteContext } from './_context.js';
import { type Row } from '@cloudmfa/sqlite-dialect';

const toOrganisation = (r: Row) => organisationFromRow(r);

/** The organisation records of the SQLite store (one table, keyed by id). */
export function sqliteOrganisations(ctx: SqliteContext): OrganisationStore {
  const { runner, q, now } = ctx;
  const insert = q(`INSERT INTO cloudmfa_organisations (id, issuer, origin, policy, created_at, updated_at, version)
      VALUES (@id, @issuer, @origin, @policy, @now, @now, 1) ON CONFLICT (id) DO NOTHING RETURNING *`);
  const get = q('SELECT * FROM cloudmfa_organisations WHERE id = ?');
  const update = q(`UPDATE cloudmfa_organisations
      SET issuer = coalesce(@issuer, issuer), origin = CASE WHEN @setOrigin THEN @origin ELSE origin END,
          policy = coalesce(@policy, policy), updated_at = @now, version = version + 1
      WHERE id = @id AND (@expectedVersion IS NULL OR version = @expectedVersion) RETURNING *`);
  const list = q('SELECT * FROM cloudmfa_organisations WHERE @after IS NULL OR id > @after ORDER BY id LIMIT @limit');

  return {
    create: async (input) => {
      const t = now();
      const o = normalizeCreateOrganisation(input);
      return runner.write(() => {
        const row = insert.get({ ...o, now: t }) as Row | undefined;
        if (!row) throw storageError('ERR_STORAGE_CONFLICT', 'an organisation with this id already exists');
        return toOrganisation(row);
      });
    },
    get: async (id) => {
      now();
      assertOrganisationId(id, 'id');
      return runner.read(() => {
        const row = get.get(id) as Row | undefined;
        return row ? toOrganisation(row) : null;
      });
    },
    update: async (id, changes) => {
      const t = now();
      assertOrganisationId(id, 'id');
      const c = normalizeOrganisationChanges(changes);
      return runner.write((): UpdateOrganisationResult => {
        const row = update.get({
          id,
          now: t,
          issuer: c.issuer ?? null,
          setOrigin: c.origin !== undefined ? 1 : 0,
          origin: c.origin ?? null,
          policy: c.policy ?? null,
          expectedVersion: c.expectedVersion ?? null,
        }) as Row | undefined;
        if (row) return { ok: true, organisation: toOrganisation(row) };
        return get.get(id) ? { ok: false, reason: 'version_mismatch' } : { ok: false, reason: 'not_found' };
      });
    },
    list: async (options) => {
      now();
      const { limit, after } = normalizeOrganisationList(options);
      return runner.read(() => {
        const rows = (list.all({ after, limit: limit + 1 }) as Row[]).map(toOrganisation);
        const page = rows.slice(0, limit);
        return { organisations: page, cursor: rows.length > limit ? page[page.length - 1]!.id : null };
      });
    },
  };
}
