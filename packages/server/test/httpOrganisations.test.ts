// The device routes of two organisations on one handler (docs/server.md, "Organisations", HTTP), resolved
// by host and by path, on both adapters: each route runs in its organisation's scope, and an id
// of one organisation used at another is answered exactly like an unknown one.
import { createSoftwareSigner } from '@cloudmfa/core';
import { describe, expect, it } from 'vitest';
import type { MfaServer, MfaServerKeys, ResolvedOrganisation } from '../src/index.js';
import { ADAPTERS } from './adapters.js';
import { activateOnline, answerPush, FAST_KDF, makeDevice, makeServer, numberOf, pollRequest, seededRandom } from './helpers.js';

const orgKeys = (id: string): MfaServerKeys => ({
  kek: { current: `${id}-1`, keys: { [`${id}-1`]: new Uint8Array(32).fill(id.length) } },
  push: createSoftwareSigner({ algorithm: 'ES256', random: seededRandom(`push-${id}`) }),
});

interface Mode {
  name: string;
  /** The URL of a route of organisation `org`. */
  url: (org: string, path: string) => string;
  resolve: (where: { host: string | null; path: string }) => ResolvedOrganisation;
}

const MODES: Mode[] = [
  {
    name: 'by host',
    url: (org, path) => `https://${org}.mfa.example${path}`,
    resolve: ({ host }) => /^([a-z0-9-]+)\.mfa\.example(?::\d+)?$/.exec(host ?? '')?.[1] ?? null,
  },
  {
    name: 'by path',
    url: (org, path) => `https://mfa.example/orgs/${org}${path}`,
    resolve: ({ path }) => {
      const m = /^\/orgs\/([a-z0-9-]+)\//.exec(path);
      return m ? { organisationId: m[1]!, basePath: `/orgs/${m[1]}` } : null;
    },
  },
];

describe.each(ADAPTERS)('HTTP organisations: $name', (adapter) => {
  describe.each(MODES)('$name', (mode) => {
    it('routes run in the resolved organisation; ids of another organisation are refused as unknown; an unknown organisation is 404', async () => {
      const t = makeServer({ organisationKeys: orgKeys });
      const policy = { activation: { kdf: FAST_KDF } };
      await t.server.createOrganisation({ organisationId: 'acme', issuer: 'ACME', origin: 'https://acme.mfa.example', policy });
      await t.server.createOrganisation({ organisationId: 'globex', issuer: 'Globex', origin: 'https://globex.mfa.example', policy });
      const acme = { ...t, server: (await t.server.forOrganisation('acme')) as MfaServer };
      const handler = adapter.create(t.server, { resolveOrganisation: mode.resolve });
      const post = (org: string, path: string, body: unknown) =>
        handler(new Request(mode.url(org, path), { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }));
      const get = (org: string, path: string) => handler(new Request(mode.url(org, path)));
      const answer = async (res: Response) => ({ status: res.status, body: await res.json() });

      // Redemption: at ACME's routes it succeeds; the same request at Globex's is what an
      // enrolment Globex never issued gets.
      const device = makeDevice('a');
      let redeemRequest: unknown;
      const { identity } = await activateOnline(acme, device, {
        send: async (r) => {
          redeemRequest = r;
          const other = await answer(await post('globex', '/v1/activations/redeem', r));
          expect(other.status).not.toBe(200);
          const res = await post('acme', '/v1/activations/redeem', r);
          expect(res.status).toBe(200);
          return { ok: true as const, response: await res.json() };
        },
      });
      expect(identity.issuer).toBe('ACME');
      expect((await answer(await post('globex', '/v1/activations/redeem', redeemRequest))).status).not.toBe(200);

      // Push: status, poll and answer of ACME's challenge at Globex are those of unknown ones.
      const c = await acme.server.createPushChallenge({ userId: 'alice', context: { service: 'VPN' } });
      if (!c.ok) throw new Error('no challenge');
      const unknownStatus = await answer(await get('globex', '/v1/push/challenges/AAAAAAAAAAAAAAAAAAAAAA'));
      expect(await answer(await get('globex', `/v1/push/challenges/${c.challengeId}`))).toEqual(unknownStatus);
      expect((await get('acme', `/v1/push/challenges/${c.challengeId}`)).status).toBe(200);
      const poll = { request: await pollRequest(acme, identity, device) };
      const foreignPoll = await answer(await post('globex', '/v1/push/poll', poll));
      expect(foreignPoll.status).toBe(404);
      expect(await answer(await post('acme', '/v1/push/poll', poll))).toEqual({ status: 200, body: { enrolmentId: identity.enrolmentId, challenges: [c.token] } });
      const response = await answerPush(acme, identity, device, c.token, 'confirm', numberOf(c));
      const foreign = await answer(await post('globex', '/v1/push/respond', { response }));
      expect(foreign.status).toBe(404);
      expect((await answer(await post('acme', '/v1/push/respond', { response }))).body).toMatchObject({ status: 'approved' });

      // Unknown organisations: like an unknown route.
      const unknownRoute = await answer(await get('acme', '/v1/nothing'));
      expect(unknownRoute.status).toBe(404);
      expect(await answer(await get('initech', '/v1/time'))).toEqual(unknownRoute);
      expect((await get('acme', '/v1/time')).status).toBe(200);
    });
  });
});
