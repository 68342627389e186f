// Organisations (docs/storage.md, "Organisations"): the default id, the id rule and the input
// normalizers every adapter shares, so that all of them refuse the same inputs the same way.
import { storageError } from './errors.js';
import { STORAGE_LIMITS } from './limits.js';
import type { OrganisationRecord } from './types.js';
import { assertUserId, parseJsonObject, resolveLimit, serializeJsonObject } from './validate.js';

/**
 * The id of the default organisation: the one `createMfaServer`'s own `issuer`, `origin`,
 * `policy` and `keys` describe, and the one every row written before organisations existed
 * belongs to. It is never stored as an organisation record.
 *
 * @example
 * ```ts
 * store.forOrganisation(DEFAULT_ORGANISATION_ID); // the same rows as store.enrolments, store.audit, ...
 * ```
 */
export const DEFAULT_ORGANISATION_ID = 'default';

const ORG_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const invalid = (m: string) => storageError('ERR_STORAGE_INVALID', m);

/**
 * Asserts an organisation id: 1..63 of `[a-z0-9-]`, starting and ending with a letter or digit
 * (a DNS label, so it can be a host name's first label or a path segment as it is).
 *
 * @example
 * ```ts
 * assertOrganisationId('acme-eu', 'organisationId');
 * ```
 */
export function assertOrganisationId(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || !ORG_RE.test(value)) {
    throw invalid(`"${field}" expected 1..63 characters of [a-z0-9-], starting and ending with a letter or digit`);
  }
}

/**
 * Validated organisation fields (`policy` already JSON text).
 *
 * @example
 * ```ts
 * const o: NormalizedOrganisation = normalizeCreateOrganisation(input);
 * insert.run(o.id, o.issuer, o.origin, o.policy);
 * ```
 */
export interface NormalizedOrganisation {
  id: string;
  issuer: string;
  origin: string | null;
  policy: string;
}

// Issuer names and origins follow the user id rule (1..256 code units, well-formed, no control character).
const assertText = (value: unknown, field: string): string => {
  assertUserId(value, field);
  return value;
};
const assertOrigin = (value: unknown, field: string): string | null => (value === null ? null : assertText(value, field));

/**
 * Validates `organisations.create` input. The default organisation's id is refused
 * (`ERR_STORAGE_CONFLICT`): it is configured, not stored.
 *
 * @example
 * ```ts
 * const o = normalizeCreateOrganisation({ id: 'acme', issuer: 'ACME Corp' }); // o.policy === '{}'
 * ```
 */
export function normalizeCreateOrganisation(input: unknown): NormalizedOrganisation {
  if (typeof input !== 'object' || input === null) throw invalid('"input" expected an object');
  const i = input as Record<string, unknown>;
  assertOrganisationId(i.id, 'id');
  if (i.id === DEFAULT_ORGANISATION_ID) throw storageError('ERR_STORAGE_CONFLICT', 'the default organisation is configured, not stored');
  return {
    id: i.id,
    issuer: assertText(i.issuer, 'issuer'),
    origin: i.origin === undefined ? null : assertOrigin(i.origin, 'origin'),
    policy: serializeJsonObject(i.policy === undefined ? {} : i.policy, 'policy', STORAGE_LIMITS.metaBytes),
  };
}

/**
 * Validates the `changes` of `organisations.update`: absent fields stay.
 *
 * @example
 * ```ts
 * const c = normalizeOrganisationChanges({ policy: { otp: { digits: 8 } }, expectedVersion: 2 });
 * ```
 */
export function normalizeOrganisationChanges(changes: unknown): Partial<Omit<NormalizedOrganisation, 'id'>> & { expectedVersion?: number } {
  if (typeof changes !== 'object' || changes === null) throw invalid('"changes" expected an object');
  const c = changes as Record<string, unknown>;
  const out: Partial<Omit<NormalizedOrganisation, 'id'>> & { expectedVersion?: number } = {};
  if (c.issuer !== undefined) out.issuer = assertText(c.issuer, 'issuer');
  if (c.origin !== undefined) out.origin = assertOrigin(c.origin, 'origin');
  if (c.policy !== undefined) out.policy = serializeJsonObject(c.policy, 'policy', STORAGE_LIMITS.metaBytes);
  if (c.expectedVersion !== undefined) {
    if (typeof c.expectedVersion !== 'number' || !Number.isSafeInteger(c.expectedVersion) || c.expectedVersion < 1) {
      throw invalid('"expectedVersion" expected a positive integer');
    }
    out.expectedVersion = c.expectedVersion;
  }
  return out;
}

/**
 * Validates the options of `organisations.list`: the limit, and the cursor (the last id of
 * the previous page, or `null`).
 *
 * @example
 * ```ts
 * const { limit, after } = normalizeOrganisationList(options); // rows with id > after, by id
 * ```
 */
export function normalizeOrganisationList(options: unknown): { limit: number; after: string | null } {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw invalid('"options" expected an object');
  const o = (options ?? {}) as Record<string, unknown>;
  const limit = resolveLimit(o.limit, 'limit');
  if (o.cursor === undefined) return { limit, after: null };
  assertOrganisationId(o.cursor, 'cursor');
  return { limit, after: o.cursor };
}

/**
 * One organisation's scope per id, made once (`make`) and reused: what an adapter's
 * `forOrganisation` returns. The default id gives `root`.
 *
 * @example
 * ```ts
 * const forOrganisation = scopeCache(root, (org) => buildParts(org));
 * ```
 */
export function scopeCache<T>(root: T, make: (organisationId: string) => T): (id: string) => T {
  const scopes = new Map<string, T>([[DEFAULT_ORGANISATION_ID, root]]);
  return (id) => {
    let s = scopes.get(id);
    if (s === undefined) {
      assertOrganisationId(id, 'organisationId');
      s = make(id);
      scopes.set(id, s);
    }
    return s;
  };
}

/**
 * Decodes an organisation row of the SQL adapters (columns `id`, `issuer`, `origin`, `policy`
 * as JSON text, `created_at`, `updated_at`, `version`; numbers or integer strings). A row that
 * does not decode is `ERR_STORAGE_CORRUPT`.
 *
 * @example
 * ```ts
 * const record = organisationFromRow(db.prepare('SELECT * FROM cloudmfa_organisations WHERE id = ?').get(id));
 * ```
 */
export function organisationFromRow(row: Record<string, unknown>): OrganisationRecord {
  const corrupt = () => storageError('ERR_STORAGE_CORRUPT', 'a stored organisation row does not decode');
  const int = (v: unknown): number => {
    const n = typeof v === 'string' && /^[0-9]{1,16}$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw corrupt();
    return n;
  };
  if (typeof row.id !== 'string' || typeof row.issuer !== 'string' || !(row.origin === null || typeof row.origin === 'string')) throw corrupt();
  const policy = typeof row.policy === 'string' ? row.policy : JSON.stringify(row.policy);
  return {
    id: row.id,
    issuer: row.issuer,
    origin: row.origin,
    policy: parseJsonObject(policy, 'policy'),
    createdAt: int(row.created_at),
    updatedAt: int(row.updated_at),
    version: int(row.version),
  };
}
