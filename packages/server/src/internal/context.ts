import type { Clock, CryptoProvider, RandomSource, Signer } from '@cloudmfa/core';
import type { AuditLog, OrganisationScope } from '@cloudmfa/storage';
import type { MfaServerPolicy } from '../policy.js';
import type { MfaEventSink } from '../types.js';
import type { AuditMoves } from './auditMoves.js';
import type { KeyRing } from './sealing.js';

/**
 * Everything an operation needs, for one organisation: resolved once by createMfaServer for the
 * default one, and per organisation record version for the others (docs/server.md, "Organisations").
 */
export interface ServerContext {
  /** The organisation the operations serve; every store call goes through its scope. */
  readonly organisationId: string;
  readonly store: OrganisationScope;
  /**
   * The organisation's audit log as the store handed it out, not wrapped: passed to
   * `guard.consume` as `auditLog`, so a store that holds it appends the accepted entry in the
   * same atomic step (it decides by object identity; docs/storage.md section 5).
   */
  readonly auditLog: AuditLog;
  readonly policy: MfaServerPolicy;
  readonly keyRing: KeyRing;
  readonly pushSigner: Signer;
  readonly issuer: string;
  readonly origin: string | null;
  readonly clock: Clock;
  /** Already wrapped with `checkedRandom`. */
  readonly random: RandomSource;
  readonly crypto: CryptoProvider;
  readonly events: MfaEventSink | undefined;
  /**
   * How accepted codes' outbox entries are moved to the audit log (`MfaServerOptions.auditMove`):
   * one per server instance, shared by every organisation's context, so its bound and its flush
   * cover them all.
   */
  readonly auditMoves: AuditMoves;
  /** Who acts (`withActor`): recorded as `detail.actor` in the audit entries the operation writes; `null` when unnamed. */
  readonly actor: string | null;
}

/** The server clock, floored to whole milliseconds like the stores do. */
export function nowOf(ctx: ServerContext): number {
  return Math.floor(ctx.clock());
}
