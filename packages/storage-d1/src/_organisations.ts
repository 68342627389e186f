import { type OrganisationStore } from '@cloudmfa/storage';
import {
  assertOrganisationId,
  normalizeCreateOrganisation,
  normalizeOrganisationChanges,
  normalizeOrganisationList,
  organisationFromRow,
  storageError,
} from '@cloudmfa/storage/adapter';
import type { D1Context } from './_context.js';

const INSERT = `INSERT INTO cloudmfa_organisations (id, issuer, origin, policy, created_at, updated_at, version)
    VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1) ON CONFLICT (id) DO NOTHING RETURNING *`;
const GET = 'SELECT * FROM cloudmfa_organisations WHERE id = ?1';
const UPDATE = `UPDATE cloudmfa_organisations
    SET issuer = coalesce(?3, issuer), origin = CASE WHEN ?4 THEN ?5 ELSE origin END, policy = coalesce(?6, policy),
        updated_at = ?2, version = version + 1
    WHERE id = ?1 AND (?7 IS NULL OR version = ?7) RETURNING *`;
const LIST = 'SELECT * FROM cloudmfa_organisations WHERE ?1 IS NULL OR id > ?1 ORDER BY id LIMIT ?2';

/** The organisation records of the D1 store (one table, keyed by id). */
export function d1Organisations(ctx: D1Context): OrganisationStore {
  const { st, batch, now } = ctx;
  return {
    create: async (input) => {
      const t = now();
      const o = normalizeCreateOrganisation(input);
      const [rows] = await batch([st(INSERT, o.id, o.issuer, o.origin, o.policy, t)]);
      if (!rows?.[0]) throw storageError('ERR_STORAGE_CONFLICT', 'an organisation with this id already exists');
      return organisationFromRow(rows[0]);
    },
    get: async (id) => {
      now();
      assertOrganisationId(id, 'id');
      const [rows] = await batch([st(GET, id)]);
      return rows?.[0] ? organisationFromRow(rows[0]) : null;
    },
    update: async (id, changes) => {
      const t = now();
      assertOrganisationId(id, 'id');
      const c = normalizeOrganisationChanges(changes);
      const [won, cur] = await batch([
        st(UPDATE, id, t, c.issuer ?? null, c.origin !== undefined ? 1 : 0, c.origin ?? null, c.policy ?? null, c.expectedVersion ?? null),
        st(GET, id),
      ]);
      if (won?.[0]) return { ok: true, organisation: organisationFromRow(won[0]) };
      return cur?.[0] ? { ok: false, reason: 'version_mismatch' } : { ok: false, reason: 'not_found' };
    },
    list: async (options) => {
      now();
      const { limit, after } = normalizeOrganisationList(options);
      const [rows = []] = await batch([st(LIST, after, limit + 1)]);
      const all = rows.map(organisationFromRow);
      const page = all.slice(0, limit);
      return { organisations: page, cursor: all.length > limit ? page[page.length - 1]!.id : null };
    },
  };
}
