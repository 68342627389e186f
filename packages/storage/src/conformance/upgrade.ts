import { expect } from 'vitest';
import type { MfaStore } from '../types.js';
import { CONFORMANCE_T0 } from './_shared.js';

/**
 * The check an adapter runs after upgrading a database written before organisations existed
 * (docs/storage.md, "Organisations"): every old row belongs to the default organisation, and
 * another organisation (`acme`) sees none of them, nor their idempotency key, follow position
 * or webhook state.
 *
 * Before upgrading, the adapter's test writes these rows with its old schema (T0 is
 * {@link CONFORMANCE_T0}):
 *
 * - enrolment `e1` of user `alice`, `active`, version 2, expiring at T0 + 60 s;
 * - the OTP guard of `e1` with last step 42, no failures, no lock;
 * - challenge `c1` (`e1`, `alice`), `pending`, expiring at T0 + 60 s;
 * - a push pause of user `bob` until T0 + 60 s;
 * - outbox entry `k1` (`otp.accepted`, `e1`, `alice`);
 * - audit event `enrolment.issued` (`e1`, `alice`) with the key `k0`, and no other.
 *
 * `store` is the upgraded store, its clock between T0 and T0 + 60 s; the check writes to it
 * (a consume, two appends, a webhook state) and does not close it.
 *
 * @example
 * ```ts no-run
 * import { checkOrganisationsUpgrade, CONFORMANCE_T0 } from '@cloudmfa/storage/testing';
 * const store = openSqliteStore({ path, clock: fixedClock(CONFORMANCE_T0 + 1000) });
 * await checkOrganisationsUpgrade(store);
 * await store.close();
 * ```
 */
export async function checkOrganisationsUpgrade(store: MfaStore): Promise<void> {
  if (typeof store.forOrganisation !== 'function') throw new Error('the store has no forOrganisation');
  const acme = store.forOrganisation('acme');
  expect((await store.enrolments.get('e1'))?.version).toBe(2);
  expect(await acme.enrolments.get('e1')).toBeNull();
  expect(await store.guard.consume('e1', 42)).toMatchObject({ ok: false, reason: 'replayed' });
  expect((await acme.guard.consume('e1', 42)).ok).toBe(true);
  expect((await store.challenges.get('c1'))?.status).toBe('pending');
  expect(await acme.challenges.get('c1')).toBeNull();
  expect(await store.challenges.getPause('bob')).toBe(CONFORMANCE_T0 + 60_000);
  expect(await acme.challenges.getPause('bob')).toBeNull();
  expect((await store.guard.listPendingAudit()).map((e) => e.key)).toEqual(['k1']);
  expect(await acme.guard.listPendingAudit()).toEqual([]);
  expect((await store.audit.query()).events.map((e) => e.kind)).toEqual(['enrolment.issued']);
  expect((await acme.audit.query()).events).toEqual([]);
  // The idempotency key stays the default organisation's: an append with it writes nothing there.
  expect((await store.audit.append({ key: 'k0', kind: 'other' })).kind).toBe('enrolment.issued');
  expect((await acme.audit.append({ key: 'k0', kind: 'other' })).kind).toBe('other');
  // The forward read and the webhook state, per organisation.
  expect((await store.audit.follow!({ after: null })).events.map((e) => e.kind)).toEqual(['enrolment.issued']);
  expect((await acme.audit.follow!({ after: null })).events.map((e) => e.kind)).toEqual(['other']);
  expect((await store.webhooks!.put({ endpointId: 'ep1', state: { position: null }, expectedVersion: null })).ok).toBe(true);
  expect(await acme.webhooks!.get('ep1')).toBeNull();
}
