import { serverError } from '../internal/errors.js';
import type { MfaServer } from '../types.js';
import { adminTable, type AdminHooks } from './adminRoutes.js';
import type { RouteTable } from './dispatch.js';

/** Checks the admin handlers' own options (the dispatcher checks the shared ones) and builds their route table. */
export function checkAdminOptions(options: { server: MfaServer; authorize: unknown } & AdminHooks): (maxBodyBytes: number) => RouteTable {
  const { server, authorize, sendActivationEmail, deliverPush } = options;
  if (typeof authorize !== 'function') throw serverError('ERR_SERVER_CONFIG', '"authorize" expected a function (request) => { ok, principal, organisations }');
  if (sendActivationEmail !== undefined && typeof sendActivationEmail !== 'function') throw serverError('ERR_SERVER_CONFIG', '"sendActivationEmail" expected a function');
  if (deliverPush !== undefined && typeof deliverPush !== 'function') throw serverError('ERR_SERVER_CONFIG', '"deliverPush" expected a function');
  if (typeof server !== 'object' || server === null || typeof server.withActor !== 'function' || typeof server.forOrganisation !== 'function') throw serverError('ERR_SERVER_CONFIG', '"server" expected what createMfaServer returned');
  const hooks: AdminHooks = { ...(sendActivationEmail ? { sendActivationEmail } : {}), ...(deliverPush ? { deliverPush } : {}) };
  return adminTable({ server, authorize: authorize as (native: unknown) => unknown, hooks });
}
