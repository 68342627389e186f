// Key layout of organisations (docs/storage.md, "Organisations"): the default organisation keeps the
// key names of a store written before organisations, another organisation's keys carry its id
// inside the hash tag (one slot per enrolment, user and audit log, as before), and dropping the
// store drops every organisation's keys.
import { fixedClock } from '@cloudmfa/core';
import { createRedisStore, dropRedisStore } from '@cloudmfa/storage-redis';
import { afterAll, expect, it } from 'vitest';
import { keysUnder, newClient, uniquePrefix } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1);
const admin = newClient();
afterAll(async () => {
  await admin.quit();
});

it('default keys are unchanged, an organisation id sits inside the hash tag, drop removes all', async () => {
  const p = uniquePrefix('orgs');
  const store = createRedisStore({ client: admin, keyPrefix: p, clock: fixedClock(T0) });
  const secret = new Uint8Array([1, 2, 3]);
  await store.enrolments.create({ id: 'enr1', userId: 'alice', secret, expiresAt: T0 + 60_000 });
  await store.forOrganisation('acme').enrolments.create({ id: 'enr1', userId: 'alice', secret, expiresAt: T0 + 60_000 });
  await store.forOrganisation('acme').guard.consume('enr1', 7);
  await store.organisations.create({ id: 'acme', issuer: 'ACME' });
  const keys = await keysUnder(admin, p);
  expect(keys).toContain(`${p}{enr1}:enr`);
  expect(keys).toContain(`${p}{acme/enr1}:enr`);
  expect(keys).toContain(`${p}{acme/enr1}:guard`);
  expect(keys).toContain(`${p}{o:index}:rec:acme`);
  // Every key's tag is the default one's (no slash) or starts with an organisation id.
  for (const k of keys) expect(k.slice(p.length)).toMatch(/^\{(?:[a-z0-9-]+\/)?[^/{}]+\}/);
  await store.close();
  await dropRedisStore({ client: admin, keyPrefix: p });
  expect(await keysUnder(admin, p)).toEqual([]);
});
