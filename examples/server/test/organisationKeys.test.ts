// Each stored organisation's keys in the reference server (docs/guides/reference-server.md
// section 3.1): CLOUDMFA_ORG_KEY_DIR holds one key file per organisation, created on its first
// operation, read again after a restart, never shared with the server's own keys, never logged.
// In-process (`startApp`) on loopback ports, a temporary SQLite file, a pinned clock.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '@cloudmfa/core';
import { parseOtpauthUri, totp } from '@cloudmfa/otp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '@cloudmfa/storage-sqlite';
import { startApp } from '../src/app.mjs';
import { ConfigError, readConfig } from '../src/config.mjs';
import { checkAnswer } from '../../../packages/server/test/openapi.js';
import { call, seededRandom, testServerEnv } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);
const TOKEN = 'test-admin-token-0123456789abcdef';
const clock = fixedClock(T0);
let dir: string;
let keyDir: string;
let app: Awaited<ReturnType<typeof startApp>> | null = null;
const logs: object[] = [];

const env = (extra: Record<string, string> = {}) => testServerEnv(dir, TOKEN, { CLOUDMFA_ORG_KEY_DIR: keyDir, ...extra });
const start = async () => {
  app = await startApp(readConfig(env()), { clock, random: seededRandom('org-keys-test'), log: (e) => logs.push(e) });
  return app;
};

/** The admin JSON API; every answer is checked against the OpenAPI document. */
const api = async (path: string, body?: unknown) => {
  const reply = await call(`${app!.adminUrl}/api${path}`, { token: TOKEN, ...(body === undefined ? {} : { body }) });
  checkAnswer({ method: body === undefined ? 'GET' : 'POST', path: path.split('?')[0] as string, status: reply.status, contentType: reply.headers.get('content-type'), text: reply.text });
  return reply;
};

const codeFor = (uri: string, offsetSteps = 0) => totp({ secret: parseOtpauthUri({ uri }).secret, now: () => clock() + offsetSteps * 30_000 });
const kekOf = (file: string) => JSON.parse(readFileSync(file, 'utf8')).kek.keys.k1 as string;
const pushOf = (file: string) => JSON.parse(readFileSync(file, 'utf8')).push.privateKey as string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cmfa-example-orgkeys-'));
  keyDir = join(dir, 'org-keys');
  mkdirSync(keyDir, { mode: 0o700 });
  await start();
});

afterAll(async () => {
  await app?.close(1000);
  rmSync(dir, { recursive: true, force: true });
});

describe('CLOUDMFA_ORG_KEY_DIR', () => {
  let aliceUri = '';

  it("a stored organisation's first operation creates its own key file (0600), and its operations are served", async () => {
    expect((await api('/v1/admin/orgs', { organisationId: 'acme', issuer: 'ACME Corp' })).status).toBe(201);
    expect(() => statSync(join(keyDir, 'acme.json'))).toThrow(); // no operation yet, no file
    const started = await api('/v1/admin/orgs/acme/enrolments', { userId: 'alice', mode: 'otpauth' });
    expect(started.status).toBe(201);
    aliceUri = started.json.uri;
    expect(parseOtpauthUri({ uri: aliceUri }).issuer).toBe('ACME Corp');
    expect(statSync(join(keyDir, 'acme.json')).mode & 0o777).toBe(0o600);

    const verified = await api('/v1/admin/orgs/acme/verify', { userId: 'alice', code: codeFor(aliceUri) });
    expect(verified.json).toMatchObject({ ok: true, activated: true });
    // The same user id in the server's own organisation is another user.
    expect((await api('/v1/admin/orgs/default/verify', { userId: 'alice', code: codeFor(aliceUri, 1) })).json).toEqual({ ok: false, reason: 'not_found' });
  });

  it("each organisation's keys are its own, and the log names them without any key", async () => {
    expect((await api('/v1/admin/orgs', { organisationId: 'globex', issuer: 'Globex' })).status).toBe(201);
    expect((await api('/v1/admin/orgs/globex/enrolments', { userId: 'bob', mode: 'otpauth' })).status).toBe(201);
    const files = [join(dir, 'keys.json'), join(keyDir, 'acme.json'), join(keyDir, 'globex.json')];
    expect(new Set(files.map(kekOf)).size).toBe(3);
    expect(new Set(files.map(pushOf)).size).toBe(3);

    const read = logs.filter((e) => (e as { event?: string }).event === 'organisation_keys');
    expect(read.map((e) => [(e as { organisation: string }).organisation, (e as { created: boolean }).created])).toEqual([
      ['acme', true],
      ['globex', true],
    ]);
    const logText = JSON.stringify(logs);
    for (const f of files) {
      expect(logText).not.toContain(kekOf(f));
      expect(logText).not.toContain(pushOf(f));
    }
  });

  it('after a restart the same files are read: seeds sealed before still open', async () => {
    const before = readFileSync(join(keyDir, 'acme.json'), 'utf8');
    await app!.close(1000);
    logs.length = 0;
    clock.advance(30_000);
    await start();
    const verified = await api('/v1/admin/orgs/acme/verify', { userId: 'alice', code: codeFor(aliceUri) });
    expect(verified.json).toMatchObject({ ok: true });
    expect(readFileSync(join(keyDir, 'acme.json'), 'utf8')).toBe(before);
    expect(logs.filter((e) => (e as { event?: string }).event === 'organisation_keys')).toEqual([
      expect.objectContaining({ organisation: 'acme', created: false }),
    ]);
  });

  it('an unreadable key file fails only that organisation, and is read again on the next operation', async () => {
    expect((await api('/v1/admin/orgs', { organisationId: 'initech', issuer: 'Initech' })).status).toBe(201);
    const file = join(keyDir, 'initech.json');
    writeFileSync(file, '{"version":1,"kek":"not a ring"}', { mode: 0o600 });
    const refused = await api('/v1/admin/orgs/initech/enrolments', { userId: 'carol', mode: 'otpauth' });
    expect(refused.status).toBe(500);
    expect(refused.text).not.toContain('not a ring');
    // Other organisations go on.
    expect((await api('/v1/admin/orgs/acme/enrolments', { userId: 'dave', mode: 'otpauth' })).status).toBe(201);

    rmSync(file);
    expect((await api('/v1/admin/orgs/initech/enrolments', { userId: 'carol', mode: 'otpauth' })).status).toBe(201);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("every stored organisation's audit outbox is drained, at start and on close; one that fails does not stop the others", async () => {
    // Abacus (listed before acme) cannot serve: its key file is unreadable.
    expect((await api('/v1/admin/orgs', { organisationId: 'abacus', issuer: 'Abacus' })).status).toBe(201);
    const enrolmentIds: Record<string, string> = {};
    for (const org of ['abacus', 'acme']) {
      const started = await api(`/v1/admin/orgs/${org}/enrolments`, { userId: 'erin', mode: 'otpauth' });
      expect(started.status).toBe(201);
      enrolmentIds[org] = started.json.enrolmentId as string;
    }
    await app!.close(1000);
    writeFileSync(join(keyDir, 'abacus.json'), '{"version":1,"kek":"not a ring"}', { mode: 0o600 });
    // An entry waits in each one's outbox, as an audit log that was down at the acceptance
    // leaves it: put there through the store while the server is stopped (a consume without
    // `auditLog` keeps the outbox on every store).
    const store = openSqliteStore({ path: join(dir, 'cloudmfa.db'), clock });
    try {
      for (const org of ['abacus', 'acme']) {
        const enrolmentId = enrolmentIds[org] as string;
        const audit = { key: `outbox-drain-${org}-0001`, kind: 'otp.accepted', enrolmentId, userId: 'erin', detail: { method: 'totp', delta: 0, step: 1 } };
        expect(await store.forOrganisation(org).guard.consume(enrolmentId, 1, { audit })).toMatchObject({ ok: true });
        expect(await store.forOrganisation(org).guard.listPendingAudit()).toHaveLength(1);
      }
    } finally {
      await store.close();
    }
    logs.length = 0;
    await start();
    await app!.close(1000);
    const after = openSqliteStore({ path: join(dir, 'cloudmfa.db'), clock });
    try {
      const acme = after.forOrganisation('acme');
      expect(await acme.guard.listPendingAudit()).toEqual([]);
      const page = await acme.audit.query({ enrolmentId: enrolmentIds.acme, limit: 100 });
      expect(page.events.filter((e) => e.kind === 'otp.accepted').map((e) => [e.userId, e.detail.step, e.detail.acceptedAt])).toEqual([['erin', 1, expect.any(Number)]]);
      // Nothing of it in the default organisation's log; abacus's entry waits for a later drain.
      expect((await after.audit.query({ enrolmentId: enrolmentIds.acme, limit: 100 })).events).toEqual([]);
      expect(await after.forOrganisation('abacus').guard.listPendingAudit()).toHaveLength(1);
    } finally {
      await after.close();
    }
    // Abacus's failure, at start and on close: its id and error code, nothing of the file.
    const failed = logs.filter((e) => (e as { event?: string }).event === 'audit_outbox_drain_failed');
    expect(failed).toEqual([
      { level: 'warn', event: 'audit_outbox_drain_failed', organisationId: 'abacus', code: expect.stringMatching(/^ERR_[A-Z_]+$|^error$/) },
      { level: 'warn', event: 'audit_outbox_drain_failed', organisationId: 'abacus', code: expect.stringMatching(/^ERR_[A-Z_]+$|^error$/) },
    ]);
    expect(JSON.stringify(logs)).not.toContain('not a ring');

    // Its keys readable again (a new file), the next run drains it as well.
    rmSync(join(keyDir, 'abacus.json'));
    await start();
    await app!.close(1000);
    const last = openSqliteStore({ path: join(dir, 'cloudmfa.db'), clock });
    try {
      expect(await last.forOrganisation('abacus').guard.listPendingAudit()).toEqual([]);
      const page = await last.forOrganisation('abacus').audit.query({ enrolmentId: enrolmentIds.abacus, limit: 100 });
      expect(page.events.filter((e) => e.kind === 'otp.accepted')).toHaveLength(1);
    } finally {
      await last.close();
    }
    await start();
  });
});

describe('CLOUDMFA_ORG_KEY_DIR checked at start', () => {
  const refuses = async (keyDirValue: string, message: RegExp) => {
    const config = readConfig(testServerEnv(dir, TOKEN, { CLOUDMFA_ORG_KEY_DIR: keyDirValue, CLOUDMFA_DB: join(dir, 'other.db') }));
    const failed = await startApp(config, { clock, log: () => undefined }).then(
      async (a) => {
        await a.close(1000);
        return null;
      },
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(ConfigError);
    expect((failed as Error).message).toMatch(message);
  };

  it('refuses a missing directory, a file, and a directory open to group or others', async () => {
    await refuses(join(dir, 'missing'), /does not exist/);
    const plain = join(dir, 'plain-file');
    writeFileSync(plain, '');
    await refuses(plain, /expected a directory/);
    const open = join(dir, 'open-dir');
    mkdirSync(open);
    chmodSync(open, 0o750);
    await refuses(open, /open to group or others/);
  });
});
