// The OpenAPI document (docs/server.md 7.5): valid OpenAPI 3.1 by an independent validator,
// generated from the schemas the routes validate with, and the harness that checks every HTTP
// answer of the tests against it fails on drift.
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createOpenApiDocument } from '../src/index.js';
import { ADMIN_ROUTES } from '../src/http/adminRoutes.js';
import { DEVICE_ROUTES } from '../src/http/deviceDocs.js';
import { checkDocumented, DOCUMENT, UndocumentedResponse } from './openapi.js';

const jsonResponse = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });

describe('createOpenApiDocument', () => {
  it('is a valid OpenAPI 3.1 document (with and without the options)', async () => {
    for (const doc of [DOCUMENT, createOpenApiDocument(), createOpenApiDocument({ basePath: '/mfa', serverUrl: 'https://mfa.acme.example', admin: false })]) {
      const validator = new Validator();
      const result = await validator.validate(doc);
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      expect([result.valid, validator.version]).toEqual([true, '3.1']);
    }
    expect(DOCUMENT.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('describes every device and admin route, with the schemas the routes validate with', () => {
    const operations = Object.entries(DOCUMENT.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op: op as unknown as Record<string, unknown> })));
    const routes = [...DEVICE_ROUTES, ...ADMIN_ROUTES];
    expect(operations.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    for (const r of routes) {
      const op = DOCUMENT.paths[r.path]?.[r.method.toLowerCase()] as unknown as { operationId: string; requestBody?: { content: Record<string, { schema: unknown }> } };
      expect(op.operationId).toBe(r.operationId);
      if (r.body) {
        const { $schema: _, ...schema } = z.toJSONSchema(r.body, { io: 'input' }) as Record<string, unknown>;
        expect(op.requestBody?.content['application/json']?.schema).toEqual(schema);
      } else expect(op.requestBody).toBeUndefined();
    }
    const admin = createOpenApiDocument({ basePath: '/mfa', adminSecurity: { type: 'http', scheme: 'bearer' } }) as typeof DOCUMENT;
    expect(Object.keys(admin.paths).every((p) => p.startsWith('/mfa/v1/'))).toBe(true);
    expect((admin.paths['/mfa/v1/admin/orgs/{orgId}/verify']?.post as unknown as { security: unknown }).security).toEqual([{ admin: [] }]);
    expect(Object.keys((createOpenApiDocument({ admin: false }) as typeof DOCUMENT).paths).some((p) => p.includes('/admin/'))).toBe(false);
  });

  it('refuses bad options with ERR_INVALID_ARGUMENT', () => {
    for (const options of [{ basePath: 'mfa' }, { basePath: '/mfa/' }, { serverUrl: 'ftp://x' }, { adminSecurity: 'bearer' }]) {
      expect(() => createOpenApiDocument(options as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
  });
});

describe('the harness that checks every answer of the HTTP tests', () => {
  const status = { id: 'abc', status: 'pending', expiresAt: 1, finalizedAt: null, numberMatch: true };

  it('passes an answer as documented', async () => {
    await checkDocumented('GET', '/v1/push/challenges/abc', jsonResponse(200, status));
    await checkDocumented('POST', '/v1/admin/orgs/default/push/resume', jsonResponse(200, { ok: true }));
    await checkDocumented('GET', '/v1/nothing', jsonResponse(404, { error: { code: 'ERR_HTTP_NOT_FOUND', message: 'no such route' } }));
  });

  it('fails a body that drifted, a status the operation does not list, and a non-JSON answer', async () => {
    const drifted = [
      ['GET', '/v1/push/challenges/abc', jsonResponse(200, { ...status, number: '42' })],
      ['GET', '/v1/push/challenges/abc', jsonResponse(200, { ...status, expiresAt: '1' })],
      ['GET', '/v1/push/challenges/abc', jsonResponse(200, { ...status, status: 'approvedd' })],
      ['GET', '/v1/push/challenges/abc', jsonResponse(409, { error: { code: 'ERR_PUSH_REPLAYED', message: 'x' } })],
      ['GET', '/v1/time', jsonResponse(200, { serverTime: 1, extra: true })],
      ['POST', '/v1/admin/orgs/default/verify', jsonResponse(200, { ok: false, reason: 'nope' })],
      ['POST', '/v1/admin/orgs/default/enrolments', jsonResponse(200, {})],
      ['GET', '/v1/admin/orgs/default/keys', jsonResponse(400, { error: { code: 'bad code', message: 'x' } })],
      ['GET', '/v1/nothing', jsonResponse(200, {})],
      ['GET', '/v1/time', new Response('{"serverTime":1}', { status: 200, headers: { 'content-type': 'text/plain' } })],
    ] as const;
    for (const [method, path, res] of drifted) {
      await expect(checkDocumented(method, path, res), `${method} ${path}`).rejects.toBeInstanceOf(UndocumentedResponse);
    }
  });
});
