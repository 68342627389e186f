import { type Clock, fixedClock } from '@cloudmfa/core';
import { afterEach, beforeEach, describe } from 'vitest';
import type { MfaStore } from './types.js';
import { CONFORMANCE_T0, type Ctx } from './conformance/_shared.js';
import { enrolmentTests } from './conformance/enrolments.js';
import { forgetTests, guardTests } from './conformance/guard.js';
import { outboxTests } from './conformance/outbox.js';
import { attemptConcurrencyTests, attemptTests } from './conformance/attempt.js';
import { directAuditConcurrencyTests, directAuditTests } from './conformance/directAudit.js';
import { challengeTests } from './conformance/challenges.js';
import { auditTests } from './conformance/audit.js';
import { validationTests } from './conformance/validation.js';
import { unicodeTests } from './conformance/unicode.js';
import { limitTests } from './conformance/limits.js';
import { concurrencyTests } from './conformance/concurrency.js';
import { closedTests } from './conformance/closed.js';
import { organisationTests } from './conformance/organisations.js';
import { webhookTests } from './conformance/webhooks.js';
import { auditCopyTests, challengeCopyTests, enrolmentCopyTests, organisationCopyTests, webhookCopyTests } from './conformance/copies.js';

export { checkOrganisationsUpgrade } from './conformance/upgrade.js';
export { runSecureStoreConformance, type SecureStoreConformanceOptions, type SecureStoreFactory } from './conformance/secureStore.js';

/**
 * The groups of {@link runStorageConformance}; each can be switched off with a reason.
 *
 * @example
 * ```ts
 * runStorageConformance({ name: 'x', factory, skip: { concurrency: 'single-connection driver' } satisfies Partial<Record<ConformanceGroup, string>> });
 * ```
 */
export type ConformanceGroup =
  | 'enrolments'
  | 'guard'
  | 'outbox'
  | 'challenges'
  | 'audit'
  | 'validation'
  | 'unicode'
  | 'limits'
  | 'concurrency'
  | 'closed'
  | 'webhooks'
  | 'organisations';

/**
 * One fresh, isolated store set made by a {@link StoreFactory}, and how to dispose of it.
 *
 * @example
 * ```ts
 * const inst: ConformanceInstance = { store, cleanup: () => pool.query('DROP SCHEMA t1 CASCADE') };
 * ```
 */
export interface ConformanceInstance {
  store: MfaStore;
  /** Drops the isolated database / schema / key prefix. Must work after `store.close()`. */
  cleanup?: () => Promise<void> | void;
}

/**
 * Makes a fresh isolated store set whose clock is `clock` (the suite moves it).
 *
 * @example
 * ```ts
 * const factory: StoreFactory = ({ clock }) => ({ store: createMemoryStore({ clock }) });
 * ```
 */
export type StoreFactory = (context: { clock: Clock }) => Promise<ConformanceInstance> | ConformanceInstance;

/**
 * Options of {@link runStorageConformance}.
 *
 * @example
 * ```ts
 * runStorageConformance({ name: 'redis', factory, concurrency: 200 } satisfies ConformanceOptions);
 * ```
 */
export interface ConformanceOptions {
  /** The adapter's name, the title of the suite's `describe` block. */
  name: string;
  /** Makes one fresh, isolated store set per test. */
  factory: StoreFactory;
  /** Groups to switch off, each with the reason, which is printed in the test name. */
  skip?: Partial<Record<ConformanceGroup, string>>;
  /** Concurrent attempts in the concurrency group; default 100. */
  concurrency?: number;
  /**
   * The adapter promises the direct path of `consume`'s `auditLog` (docs/storage.md section 5):
   * given its own audit log, an accepted consume appends the entry in the same atomic step and
   * answers `logged`. Then the suite requires `logged`; without it, either `logged` or the
   * outbox passes (a log that is not the store's own must always keep the outbox).
   */
  directAudit?: boolean;
}

export { CONFORMANCE_T0 } from './conformance/_shared.js';

/**
 * The shared conformance suite for {@link MfaStore} adapters: every operation, expiry through
 * the injected clock, the error codes, unicode and maximum-size values, and concurrency
 * (N concurrent consumes / redemptions / finalisations with exactly one winner each), and
 * organisations (records, and isolation of every part between two organisations).
 * Call it at the top level of a vitest test file. Each test gets a fresh store set from
 * `factory`.
 *
 * @example
 * ```ts no-run
 * import { runStorageConformance } from '@cloudmfa/storage/testing';
 * runStorageConformance({
 *   name: 'sqlite',
 *   factory: ({ clock }) => ({ store: openSqliteStore({ path: ':memory:', clock }) }),
 * });
 * ```
 */
export function runStorageConformance(options: ConformanceOptions): void {
  const { name, factory, skip, concurrency: n = 100, directAudit = false } = options;
  const ctx = { open: async () => factory({ clock: ctx.clock }) } as Ctx;
  let cleanup: (() => Promise<void> | void) | undefined;

  const group = (g: ConformanceGroup, body: () => void) => {
    const reason = skip?.[g];
    if (reason !== undefined) describe.skip(`${g} (switched off: ${reason})`, body);
    else describe(g, body);
  };

  describe(`storage conformance: ${name}`, () => {
    beforeEach(async () => {
      ctx.clock = fixedClock(CONFORMANCE_T0);
      const inst = await factory({ clock: ctx.clock });
      ctx.store = inst.store;
      cleanup = inst.cleanup;
    });
    afterEach(async () => {
      await ctx.store.close();
      await cleanup?.();
    });

    group('enrolments', () => {
      enrolmentTests(ctx);
      enrolmentCopyTests(ctx);
    });
    group('guard', () => {
      guardTests(ctx);
      forgetTests(ctx);
      attemptTests(ctx);
    });
    group('outbox', () => {
      outboxTests(ctx, n);
      directAuditTests(ctx, directAudit);
    });
    group('challenges', () => {
      challengeTests(ctx);
      challengeCopyTests(ctx);
    });
    group('audit', () => {
      auditTests(ctx);
      auditCopyTests(ctx);
    });
    group('validation', () => validationTests(ctx));
    group('unicode', () => unicodeTests(ctx));
    group('limits', () => limitTests(ctx));
    group('concurrency', () => {
      concurrencyTests(ctx, n);
      attemptConcurrencyTests(ctx, n);
      directAuditConcurrencyTests(ctx, n, directAudit);
    });
    group('closed', () => closedTests(ctx));
    group('webhooks', () => {
      webhookTests(ctx, n);
      webhookCopyTests(ctx);
    });
    group('organisations', () => {
      organisationTests(ctx);
      organisationCopyTests(ctx);
    });
  });
}
