// Every answer of the HTTP tests is checked against the OpenAPI document (docs/server.md 7.5):
// the operation of its method and path must document its status, and its JSON body must match
// that status' schema (JSON Schema 2020-12, with ajv's 2020 validator). A route that answers a
// status its operation does not list, or a body that drifted from the schema (a field added,
// renamed or of another type), fails the test that made the request.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { createOpenApiDocument } from '../src/index.js';

type Json = Record<string, unknown>;

export const DOCUMENT = createOpenApiDocument({ adminSecurity: { type: 'http', scheme: 'bearer' } }) as Json & {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Json }>; headers?: Json }> }>>;
  components: { schemas: Record<string, Json> };
};

const ajv = new Ajv2020({ strict: true, allErrors: true });

/** The schema with the document's `#/components/schemas/*` references put in place. */
function inline(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(inline);
  if (schema === null || typeof schema !== 'object') return schema;
  const ref = (schema as Json).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) return inline(DOCUMENT.components.schemas[ref.slice('#/components/schemas/'.length)]);
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inline(v)]));
}

const compiled = new Map<string, ValidateFunction>();
function validator(key: string, schema: Json): ValidateFunction {
  let v = compiled.get(key);
  if (!v) {
    v = ajv.compile(inline(schema) as Json);
    compiled.set(key, v);
  }
  return v;
}

const TEMPLATES = Object.keys(DOCUMENT.paths).map((template) => ({
  template,
  re: new RegExp(`^${template.replace(/\{[A-Za-z]+\}/g, '[^/]+')}$`),
}));

/** The document's path template of a request path (below the mount point), or `null`. */
function templateOf(path: string): string | null {
  // Concrete paths are matched before templated ones (OpenAPI 3.1, Paths Object): the template
  // with the fewest parameters wins (`/push/resume` over `/push/{challengeId}`).
  const params = (t: string) => t.split('{').length;
  const all = TEMPLATES.filter((t) => t.re.test(path)).sort((a, b) => params(a.template) - params(b.template));
  return all[0]?.template ?? null;
}

export class UndocumentedResponse extends Error {}

/**
 * Checks one answer against the document; throws {@link UndocumentedResponse} when it is not
 * described there. `path` is below the handler's `basePath`.
 */
export async function checkDocumented(method: string, path: string, res: Response): Promise<void> {
  checkAnswer({ method, path, status: res.status, contentType: res.headers.get('content-type'), text: await res.clone().text() });
}

/** {@link checkDocumented} for an answer already read (status, content type, body text). */
export function checkAnswer({ method, path, status, contentType, text }: { method: string; path: string; status: number; contentType: string | null; text: string }): void {
  const where = `${method} ${path} -> ${status}`;
  const template = templateOf(path);
  const operation = template ? DOCUMENT.paths[template]?.[method.toLowerCase()] : undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UndocumentedResponse(`${where}: the body is not JSON`);
  }
  if (contentType !== 'application/json; charset=utf-8') throw new UndocumentedResponse(`${where}: content-type ${contentType}`);
  if (!operation) {
    // No such operation: only the router's own refusals may answer.
    if (status !== 404 && status !== 405) throw new UndocumentedResponse(`${where}: no operation, and not a 404/405`);
    const v = validator('Error', DOCUMENT.components.schemas.Error as Json);
    if (!v(body)) throw new UndocumentedResponse(`${where}: ${ajv.errorsText(v.errors)}`);
    return;
  }
  const response = operation.responses[String(status)];
  if (!response) throw new UndocumentedResponse(`${where}: status not documented for ${method} ${template}`);
  const schema = response.content?.['application/json']?.schema;
  if (!schema) throw new UndocumentedResponse(`${where}: no JSON schema documented`);
  const v = validator(`${method} ${template} ${status}`, schema);
  if (!v(body)) throw new UndocumentedResponse(`${where}: ${ajv.errorsText(v.errors)} in ${text.slice(0, 300)}`);
}

/** A handler whose every answer is checked against the document first (`mount`: where it is mounted, or how to find it per request). */
export function documented(handler: (req: Request) => Promise<Response>, mount: string | undefined | ((url: URL) => string | undefined) = ''): (req: Request) => Promise<Response> {
  return async (req) => {
    const method = req.method;
    const url = new URL(req.url);
    // A base per request: an organisation resolved from the path has its own.
    const basePath = (typeof mount === 'function' ? mount(url) : mount) ?? '';
    const res = await handler(req);
    // Outside the mount point nothing of ours answers (404 from the router itself).
    const path = basePath !== '' && url.pathname.startsWith(`${basePath}/`) ? url.pathname.slice(basePath.length) : url.pathname;
    await checkDocumented(method, path, res);
    return res;
  };
}
