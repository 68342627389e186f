// Organisations (docs/server.md, "Organisations"): the records through the store, each organisation's
// context (its store scope, policy, issuer, origin and keys) built per record version, and the
// audited changes.
import { isCloudMfaError } from '@cloudmfa/core';
import { DEFAULT_ORGANISATION_ID, type AuditLog, type JsonObject, type JsonValue, type OrganisationRecord, type OrganisationScope, type OrganisationStore } from '@cloudmfa/storage';
import { type MfaServerPolicy, resolveServerPolicy } from '../policy.js';
import type {
  CreateOrganisationOptions,
  MfaOrganisationServer,
  OrganisationList,
  OrganisationView,
  UpdateOrganisationOptions,
} from '../types.js';
import { record } from './audit.js';
import type { ServerContext } from './context.js';
import { serverError } from './errors.js';
import { isDisplayText } from './text.js';

const ORG_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HTTPS_ORIGIN = /^https:\/\/[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?$/;
const LOOPBACK_ORIGIN = /^http:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::[0-9]{1,5})?$/;

/** Whether `origin` follows the rule of `MfaServerOptions.origin`. */
export function isOrigin(origin: unknown): origin is string {
  return typeof origin === 'string' && origin.length <= 127 && (HTTPS_ORIGIN.test(origin) || LOOPBACK_ORIGIN.test(origin));
}

type Keys = Pick<ServerContext, 'keyRing' | 'pushSigner'>;

interface Setup {
  root: ServerContext;
  records: OrganisationStore | null;
  scope: (organisationId: string) => { store: OrganisationScope; auditLog: AuditLog };
  keys: ((organisationId: string) => Promise<Keys>) | null;
  api: (ctx: ServerContext) => MfaOrganisationServer;
}

const notFound = () => serverError('ERR_ORGANISATION_NOT_FOUND', 'no such organisation');

function assertNewId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !ORG_RE.test(id)) {
    throw serverError('ERR_INVALID_ARGUMENT', '"organisationId" expected 1..63 characters of [a-z0-9-], starting and ending with a letter or digit');
  }
  if (id === DEFAULT_ORGANISATION_ID) throw serverError('ERR_ORGANISATION_CONFLICT', 'the default organisation is configured, not stored');
}
function assertIssuer(issuer: unknown): asserts issuer is string {
  if (!isDisplayText(issuer, 64)) {
    throw serverError('ERR_INVALID_ARGUMENT', '"issuer" expected 1..64 UTF-8 bytes without control or bidirectional-override characters');
  }
}
function assertOrigin(origin: unknown): asserts origin is string {
  if (!isOrigin(origin)) throw serverError('ERR_INVALID_ARGUMENT', '"origin" expected https://host[:port] (or http:// on a loopback host), lowercase, no path');
}
/** Validates a policy input and returns it as stored (plain JSON) with its resolution. */
function policyOf(input: unknown): { stored: JsonObject; resolved: MfaServerPolicy } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw serverError('ERR_SERVER_POLICY', '"policy" expected an object');
  const resolved = resolveServerPolicy(input as object);
  return { stored: JSON.parse(JSON.stringify(input)) as JsonObject, resolved };
}

function toView(r: OrganisationRecord): OrganisationView {
  return {
    id: r.id,
    issuer: r.issuer,
    origin: r.origin,
    policy: resolveServerPolicy(r.policy),
    policyInput: r.policy,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    version: r.version,
  };
}

/** The changed leaves of two resolved policies, as `path -> { from, to }`. */
function policyChanges(before: unknown, after: unknown, path: string, out: JsonObject): void {
  if (typeof before === 'object' && before !== null && typeof after === 'object' && after !== null && !Array.isArray(before)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const k of [...keys].sort()) policyChanges((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k], `${path}.${k}`, out);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out[path] = { from: (before ?? null) as JsonValue, to: (after ?? null) as JsonValue };
}

/** The organisation half of the facade (see `MfaServer`). */
export function createOrganisations(setup: Setup) {
  const { root } = setup;
  const noStore = () => serverError('ERR_SERVER_CONFIG', '"store" has no organisations: give an MfaStore with "organisations" and "forOrganisation"');
  const records: OrganisationStore = setup.records ?? {
    create: () => Promise.reject(noStore()),
    get: () => Promise.reject(noStore()),
    update: () => Promise.reject(noStore()),
    list: () => Promise.reject(noStore()),
  };
  const scopes = new Map<string, { store: OrganisationScope; auditLog: AuditLog }>();
  const keys = new Map<string, Promise<Keys>>();
  const built = new Map<string, { version: number; api: MfaOrganisationServer }>();

  const scopeOf = (id: string) => {
    let s = scopes.get(id);
    if (!s) {
      s = setup.scope(id);
      scopes.set(id, s);
    }
    return s;
  };
  // A context that only audits (no keys): what create and update record with.
  const auditCtx = (id: string, actor: string | null): ServerContext => ({ ...root, organisationId: id, ...scopeOf(id), actor });
  const keysOf = (id: string): Promise<Keys> => {
    const resolve = setup.keys;
    if (!resolve) return Promise.reject(serverError('ERR_SERVER_CONFIG', '"organisationKeys" is needed to serve an organisation other than the default'));
    let p = keys.get(id);
    if (!p) {
      p = resolve(id);
      keys.set(id, p);
      // A failed resolution is not remembered: the next call asks again.
      p.catch(() => keys.delete(id));
    }
    return p;
  };

  return {
    async forOrganisation(id: unknown, rootApi: MfaOrganisationServer): Promise<MfaOrganisationServer> {
      if (id === DEFAULT_ORGANISATION_ID) return rootApi;
      if (typeof id !== 'string' || !ORG_RE.test(id)) throw notFound();
      const r = await records.get(id);
      if (!r) throw notFound();
      const cached = built.get(id);
      if (cached && cached.version === r.version) return cached.api;
      const k = await keysOf(id);
      const ctx: ServerContext = Object.freeze({
        ...root,
        ...k,
        organisationId: id,
        ...scopeOf(id),
        policy: resolveServerPolicy(r.policy),
        issuer: r.issuer,
        origin: r.origin,
      });
      const api = setup.api(ctx);
      built.set(id, { version: r.version, api });
      return api;
    },

    async create(o: CreateOrganisationOptions, actor: string | null): Promise<OrganisationView> {
      assertNewId(o.organisationId);
      assertIssuer(o.issuer);
      if (o.origin !== undefined) assertOrigin(o.origin);
      const policy = policyOf(o.policy ?? {});
      let r: OrganisationRecord;
      try {
        r = await records.create({ id: o.organisationId, issuer: o.issuer, origin: o.origin ?? null, policy: policy.stored });
      } catch (e) {
        if (isCloudMfaError(e, 'ERR_STORAGE_CONFLICT')) throw serverError('ERR_ORGANISATION_CONFLICT', 'an organisation with this id already exists');
        throw e;
      }
      await record(auditCtx(r.id, actor), 'organisation.created', { detail: { issuer: r.issuer, origin: r.origin, version: r.version, policy: r.policy } });
      return toView(r);
    },

    async update(o: UpdateOrganisationOptions, actor: string | null): Promise<OrganisationView> {
      const id = o.organisationId;
      if (typeof id !== 'string' || !ORG_RE.test(id) || id === DEFAULT_ORGANISATION_ID) throw notFound();
      if (o.issuer !== undefined) assertIssuer(o.issuer);
      if (o.origin !== undefined && o.origin !== null) assertOrigin(o.origin);
      const policy = o.policy === undefined ? undefined : policyOf(o.policy);
      if (o.expectedVersion !== undefined && (!Number.isSafeInteger(o.expectedVersion) || o.expectedVersion < 1)) {
        throw serverError('ERR_INVALID_ARGUMENT', '"expectedVersion" expected a positive integer');
      }
      // Compare-and-set on the version read, so the audited changes are exactly what was
      // replaced; a concurrent writer makes it read again (or refuse, with expectedVersion).
      for (let attempt = 0; ; attempt++) {
        const before = await records.get(id);
        if (!before) throw notFound();
        if (o.expectedVersion !== undefined && before.version !== o.expectedVersion) {
          throw serverError('ERR_ORGANISATION_CONFLICT', 'the organisation changed since the expected version');
        }
        const r = await records.update(id, {
          ...(o.issuer !== undefined && { issuer: o.issuer }),
          ...(o.origin !== undefined && { origin: o.origin }),
          ...(policy && { policy: policy.stored }),
          expectedVersion: before.version,
        });
        if (!r.ok) {
          if (r.reason === 'not_found') throw notFound();
          if (o.expectedVersion !== undefined || attempt >= 4) throw serverError('ERR_ORGANISATION_CONFLICT', 'the organisation changed concurrently');
          continue;
        }
        const after = r.organisation;
        const changes: JsonObject = {};
        if (after.issuer !== before.issuer) changes.issuer = { from: before.issuer, to: after.issuer };
        if (after.origin !== before.origin) changes.origin = { from: before.origin, to: after.origin };
        policyChanges(resolveServerPolicy(before.policy), resolveServerPolicy(after.policy), 'policy', changes);
        await record(auditCtx(id, actor), 'organisation.updated', { detail: { version: after.version, changes } });
        return toView(after);
      }
    },

    async get(id: unknown): Promise<OrganisationView | null> {
      if (typeof id !== 'string' || !ORG_RE.test(id) || id === DEFAULT_ORGANISATION_ID) return null;
      const r = await records.get(id);
      return r ? toView(r) : null;
    },

    async list(o: { limit?: number; cursor?: string }): Promise<OrganisationList> {
      const page = await records.list({ ...(o.limit !== undefined && { limit: o.limit }), ...(o.cursor !== undefined && { cursor: o.cursor }) });
      return { organisations: page.organisations.map(toView), cursor: page.cursor };
    },
  };
}
