import * as z from 'zod';
import { ADMIN_ERRORS, ADMIN_ROUTES, type Documented } from './http/adminRoutes.js';
import { ENROLMENT_ID, errorBody, ORGANISATION_ID } from './http/adminSchemas.js';
import { DEVICE_ROUTES } from './http/deviceDocs.js';
import { CHALLENGE_ID } from './http/schemas.js';
import { serverError } from './internal/errors.js';

/**
 * Options of {@link createOpenApiDocument}.
 *
 * @example
 * ```ts
 * const options: OpenApiDocumentOptions = { serverUrl: 'https://mfa.acme.example', basePath: '/mfa', adminSecurity: { type: 'http', scheme: 'bearer' } };
 * ```
 */
export interface OpenApiDocumentOptions {
  /** Where the handlers are mounted (their `basePath`): prefixed to every path. Default `''`. */
  basePath?: string;
  /** The server's URL, for the document's `servers`. Default none (paths relative to where the document is served). */
  serverUrl?: string;
  /** `info.title`. Default `CloudMFA API`. */
  title?: string;
  /** `info.version` (your API's version, not the SDK's). Default `1`. */
  version?: string;
  /**
   * How your `authorize` hook authenticates, as an OpenAPI Security Scheme Object (e.g.
   * `{ type: 'http', scheme: 'bearer' }`): applied to every admin operation. Default none.
   */
  adminSecurity?: Record<string, unknown>;
  /** Leave the admin routes out (a document for the device routes only). Default `true`. */
  admin?: boolean;
}

/** What each error status means, for the documents' descriptions. */
const STATUS_TEXT: Record<number, string> = {
  400: 'Malformed: not JSON, a body or query outside its schema, a bad id in the path (ERR_HTTP_MALFORMED, ERR_ACTIVATION_MALFORMED, ERR_ACTIVATION_STALE, ERR_PUSH_MALFORMED, ERR_PUSH_MISMATCH); on admin routes also an argument the facade refuses, with its own code (ERR_INVALID_ARGUMENT, ERR_PUSH_CONTEXT_*, ...), or ERR_ADMIN_EMAIL_UNAVAILABLE',
  401: 'The authorize hook did not authenticate the caller (ERR_ADMIN_UNAUTHORIZED; WWW-Authenticate says how)',
  403: 'Refused: ERR_ADMIN_FORBIDDEN (the principal may not act on this organisation), ERR_ACTIVATION_INVALID, ERR_PUSH_BAD_SIGNATURE, ERR_PUSH_NOT_ACTIVE, ERR_PUSH_MISMATCH',
  404: 'No such record: ERR_ADMIN_NOT_FOUND (organisation, enrolment, challenge), ERR_PUSH_NOT_FOUND; or ERR_HTTP_NOT_FOUND, an organisation the device handler\'s resolveOrganisation does not know',
  409: 'Already used or changed: ERR_ACTIVATION_ALREADY_REDEEMED, ERR_PUSH_REPLAYED, ERR_PUSH_PAUSED, ERR_ADMIN_CONFLICT (an organisation id taken, or a version that moved on)',
  410: 'Too late: ERR_ACTIVATION_EXPIRED, ERR_ACTIVATION_REVOKED, ERR_PUSH_EXPIRED',
  413: 'The body is over the cap (ERR_HTTP_BODY_TOO_LARGE)',
  415: 'The body is not application/json (ERR_HTTP_MEDIA_TYPE)',
  429: 'Throttled (ERR_ACTIVATION_THROTTLED, ERR_ADMIN_THROTTLED); Retry-After says when to retry',
  500: 'A bug (ERR_HTTP_INTERNAL); bad input never causes it',
  503: 'The store is unavailable (ERR_HTTP_UNAVAILABLE); Retry-After: 1',
};

type Json = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12 (the dialect of OpenAPI 3.1), inline, without `$schema`. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'throw' }) as Json;
  return rest;
}

const jsonContent = (schema: Json) => ({ 'application/json': { schema } });

function responses(success: readonly Documented[], errors: readonly number[], headers: Record<string, string> | undefined, error: Json): Json {
  const out: Json = {};
  for (const r of success) {
    out[String(r.status)] = {
      description: r.description,
      ...(headers ? { headers: Object.fromEntries(Object.entries(headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) } : {}),
      content: jsonContent(jsonSchema(r.schema, 'output')),
    };
  }
  for (const status of [...new Set(errors)].sort((a, b) => a - b)) {
    const h: Json = {};
    if (status === 429 || status === 503) h['retry-after'] = { description: 'Seconds to wait', schema: { type: 'string' } };
    if (status === 401) h['www-authenticate'] = { description: 'The challenge of the authorize hook', schema: { type: 'string' } };
    const own = out[String(status)] as { description: string; content: Record<string, { schema: Json }> } | undefined;
    // A status the route answers itself too (a rate-limited verify is 429 with its result, an
    // admin throttle is 429 with an error): either body.
    const content = own ? jsonContent({ oneOf: [own.content['application/json']!.schema, error] }) : jsonContent(error);
    out[String(status)] = { description: own ? `${own.description}; or ${STATUS_TEXT[status] ?? 'an error'}` : (STATUS_TEXT[status] ?? 'Error'), ...(Object.keys(h).length ? { headers: h } : {}), content };
  }
  return out;
}

const pathParam = (name: string, pattern: RegExp, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', pattern: pattern.source },
});

const PATH_PARAMS: Record<string, Json> = {
  orgId: pathParam('orgId', ORGANISATION_ID, 'The organisation acted on (`default`: the server\'s own): one the principal may act on'),
  enrolmentId: pathParam('enrolmentId', ENROLMENT_ID, 'An enrolment id'),
  challengeId: pathParam('challengeId', CHALLENGE_ID, 'A push challenge id'),
  id: pathParam('id', CHALLENGE_ID, 'A push challenge id'),
};

function parameters(path: string, query: z.ZodObject | undefined): Json[] {
  const out: Json[] = [];
  for (const m of path.matchAll(/\{([A-Za-z]+)\}/g)) out.push(PATH_PARAMS[m[1] as string] as Json);
  if (query) {
    for (const [name, field] of Object.entries(query.shape as Record<string, z.ZodType>)) {
      out.push({ name, in: 'query', required: !field.safeParse(undefined).success, schema: jsonSchema(field, 'input') });
    }
  }
  return out;
}

/**
 * The OpenAPI 3.1 document of the device routes (`createHttpHandler` / `createNodeHandler`) and
 * the admin routes (`createAdminHandler` / `createNodeAdminHandler`), generated from the zod
 * schemas the handlers validate with (request bodies and queries) and the schemas of their
 * answers; JSON Schema 2020-12, as OpenAPI 3.1 uses. Every answer of the HTTP tests is checked
 * against it. Serve it (e.g. at `/openapi.json`) and render it with any OpenAPI tool.
 *
 * @example
 * ```ts
 * const doc = createOpenApiDocument({ serverUrl: 'https://mfa.acme.example', adminSecurity: { type: 'http', scheme: 'bearer' } });
 * const res = new Response(JSON.stringify(doc), { headers: { 'content-type': 'application/json' } });
 * ```
 */
export function createOpenApiDocument(options: OpenApiDocumentOptions = {}): Record<string, unknown> {
  if (typeof options !== 'object' || options === null) throw serverError('ERR_INVALID_ARGUMENT', '"options" expected an object');
  const { basePath = '', serverUrl, title = 'CloudMFA API', version = '1', adminSecurity, admin = true } = options;
  if (typeof basePath !== 'string' || (basePath !== '' && !/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath))) {
    throw serverError('ERR_INVALID_ARGUMENT', '"basePath" expected "" or /segment[/segment...] without a trailing slash');
  }
  if (serverUrl !== undefined && (typeof serverUrl !== 'string' || !/^https?:\/\/[^\s]+$/.test(serverUrl))) throw serverError('ERR_INVALID_ARGUMENT', '"serverUrl" expected an http(s) URL');
  if (typeof title !== 'string' || typeof version !== 'string') throw serverError('ERR_INVALID_ARGUMENT', '"title" and "version" expected strings');
  if (adminSecurity !== undefined && (typeof adminSecurity !== 'object' || adminSecurity === null)) throw serverError('ERR_INVALID_ARGUMENT', '"adminSecurity" expected a Security Scheme Object');

  const error = { $ref: '#/components/schemas/Error' };
  const paths: Record<string, Json> = {};
  const add = (path: string, method: string, operation: Json) => {
    paths[basePath + path] ??= {};
    (paths[basePath + path] as Json)[method.toLowerCase()] = operation;
  };
  for (const r of DEVICE_ROUTES) {
    add(r.path, r.method, {
      operationId: r.operationId,
      summary: r.summary,
      tags: ['device'],
      ...(r.path.includes('{') ? { parameters: parameters(r.path, undefined) } : {}),
      ...(r.body ? { requestBody: { required: true, content: jsonContent(jsonSchema(r.body, 'input')) } } : {}),
      responses: responses(r.responses, r.errors, r.headers, error),
    });
  }
  if (admin) {
    for (const r of ADMIN_ROUTES) {
      add(r.path, r.method, {
        operationId: r.operationId,
        summary: r.summary,
        tags: ['admin'],
        parameters: parameters(r.path, r.query),
        ...(r.body ? { requestBody: { required: true, content: jsonContent(jsonSchema(r.body, 'input')) } } : {}),
        responses: responses(r.responses, [...ADMIN_ERRORS, ...(r.body ? [413, 415] : []), ...(r.scope === 'records' && r.method !== 'GET' ? [409] : [])], undefined, error),
        ...(adminSecurity ? { security: [{ admin: [] }] } : {}),
      });
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title,
      version,
      description:
        'CloudMFA: the device routes the authenticator app calls, and the admin routes (authorised by the host application). Errors are `{ "error": { "code", "message" } }` with a stable code.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    tags: [
      { name: 'device', description: 'Called by the authenticator app' },
      ...(admin ? [{ name: 'admin', description: 'Called by administrators and the host application, through its authorize hook' }] : []),
    ],
    paths,
    components: {
      schemas: { Error: jsonSchema(errorBody, 'output') },
      ...(admin && adminSecurity ? { securitySchemes: { admin: adminSecurity } } : {}),
    },
  };
}
