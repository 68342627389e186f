import { type OrganisationRecord, type OrganisationStore } from '@cloudmfa/storage';
import {
  assertOrganisationId,
  normalizeCreateOrganisation,
  normalizeOrganisationChanges,
  normalizeOrganisationList,
  organisationFromRow,
  storageError,
} from '@cloudmfa/storage/adapter';
import { fieldsOf } from './_codec.js';
import type { StoreContext } from './_context.js';
import { organisationIndexKey, organisationKey } from './_keys.js';
import { ORGANISATION_CREATE, ORGANISATION_UPDATE } from './_scripts.js';

/** A record hash (`id`, `i` issuer, `o` origin, `ho` has origin, `p` policy, `c`, `u`, `v`). */
function toOrganisation(reply: unknown): OrganisationRecord {
  const f = fieldsOf(reply, 'organisation');
  return organisationFromRow({
    id: f.get('id'),
    issuer: f.get('i'),
    origin: f.get('ho') === '1' ? (f.get('o') ?? null) : null,
    policy: f.get('p'),
    created_at: f.get('c'),
    updated_at: f.get('u'),
    version: f.get('v'),
  });
}

/** The organisation records: a hash per id and a lexicographic index, in one slot. */
export function redisOrganisations(ctx: StoreContext, keyPrefix: string): OrganisationStore {
  const { client } = ctx;
  const index = organisationIndexKey(keyPrefix);
  return {
    create: (input) =>
      ctx.op(async (now) => {
        const o = normalizeCreateOrganisation(input);
        const reply = await ctx.run(ORGANISATION_CREATE, [organisationKey(keyPrefix, o.id), index], [
          o.id,
          o.issuer,
          o.origin ?? '',
          o.origin === null ? '0' : '1',
          o.policy,
          String(now),
        ]);
        if (reply === 0) throw storageError('ERR_STORAGE_CONFLICT', 'an organisation with this id already exists');
        return toOrganisation(reply);
      }),
    get: (id) =>
      ctx.op(async () => {
        assertOrganisationId(id, 'id');
        const reply = await client.hgetall(organisationKey(keyPrefix, id));
        return Object.keys(reply).length === 0 ? null : toOrganisation(Object.entries(reply).flat());
      }),
    update: (id, changes) =>
      ctx.op(async (now) => {
        assertOrganisationId(id, 'id');
        const c = normalizeOrganisationChanges(changes);
        const set: string[] = [];
        if (c.issuer !== undefined) set.push('i', c.issuer);
        if (c.origin !== undefined) set.push('o', c.origin ?? '', 'ho', c.origin === null ? '0' : '1');
        if (c.policy !== undefined) set.push('p', c.policy);
        const reply = await ctx.run(ORGANISATION_UPDATE, [organisationKey(keyPrefix, id)], [String(now), c.expectedVersion === undefined ? '' : String(c.expectedVersion), ...set]);
        if (reply === 'not_found' || reply === 'version_mismatch') return { ok: false as const, reason: reply };
        if (reply === 'corrupt') throw storageError('ERR_STORAGE_CORRUPT', 'stored organisation cannot be decoded');
        return { ok: true as const, organisation: toOrganisation(reply) };
      }),
    list: (options) =>
      ctx.op(async () => {
        const { limit, after } = normalizeOrganisationList(options);
        const ids = await client.zrangebylex(index, after === null ? '-' : `(${after}`, '+', 'LIMIT', 0, limit + 1);
        const page: OrganisationRecord[] = [];
        for (const id of ids.slice(0, limit)) {
          const reply = await client.hgetall(organisationKey(keyPrefix, id));
          if (Object.keys(reply).length === 0) throw storageError('ERR_STORAGE_CORRUPT', 'stored organisation cannot be decoded');
          page.push(toOrganisation(Object.entries(reply).flat()));
        }
        return { organisations: page, cursor: ids.length > limit ? page[page.length - 1]!.id : null };
      }),
  };
}
