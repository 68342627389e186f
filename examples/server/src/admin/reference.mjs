// GET /api-reference: the OpenAPI document (`createOpenApiDocument`) rendered as one static HTML
// page, built once at start: no script, no CDN, every string from the document escaped. Each
// operation gets an anchor `op-<operationId>` with its method, path, summary, parameters,
// request body schema and each response's status, description and schema.
import { esc, layout } from '../html.mjs';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** A JSON Schema as an indented, escaped block. */
const schemaBlock = (schema) => `<pre class="mono schema">${esc(JSON.stringify(schema, null, 2))}</pre>`;

function parametersTable(parameters) {
  if (!parameters?.length) return '';
  const rows = parameters
    .map(
      (p) =>
        `<tr><td class="mono">${esc(p.name)}</td><td>${esc(p.in)}</td><td>${p.required ? 'required' : 'optional'}</td><td class="mono">${esc(JSON.stringify(p.schema))}</td><td>${esc(p.description ?? '')}</td></tr>`,
    )
    .join('');
  return `<h4>Parameters</h4><table><thead><tr><th>Name</th><th>In</th><th></th><th>Schema</th><th>Description</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function responsesList(responses) {
  return Object.entries(responses)
    .map(([status, r]) => {
      const schema = r.content?.['application/json']?.schema;
      const headers = r.headers ? ` <span class="note">headers: ${esc(Object.keys(r.headers).join(', '))}</span>` : '';
      return `<details><summary><b class="status">${esc(status)}</b> ${esc(r.description)}${headers}</summary>${schema ? schemaBlock(schema) : ''}</details>`;
    })
    .join('');
}

/**
 * @param {Record<string, any>} doc an OpenAPI 3.1 document
 * @returns {string} the page
 */
export function renderApiReference(doc) {
  const operations = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) if (item[method]) operations.push({ path, method, op: item[method] });
  }
  const tags = doc.tags?.length ? doc.tags : [{ name: 'default' }];
  const toc = tags
    .map((tag) => {
      const items = operations
        .filter((o) => (o.op.tags ?? ['default']).includes(tag.name))
        .map((o) => `<li><a href="#op-${esc(o.op.operationId)}"><code>${esc(o.method.toUpperCase())} ${esc(o.path)}</code></a></li>`)
        .join('');
      return `<h3>${esc(tag.name)}</h3><p class="note">${esc(tag.description ?? '')}</p><ul>${items}</ul>`;
    })
    .join('');
  const body = operations
    .map(
      ({ path, method, op }) => `<section class="operation" id="op-${esc(op.operationId)}">
<h2><code>${esc(method.toUpperCase())} ${esc(path)}</code></h2>
<p>${esc(op.summary ?? '')} <span class="note">(${esc(op.operationId)}${op.security ? ', authorised' : ''})</span></p>
${parametersTable(op.parameters)}
${op.requestBody ? `<h4>Request body (application/json)</h4>${schemaBlock(op.requestBody.content['application/json'].schema)}` : ''}
<h4>Responses</h4>${responsesList(op.responses)}
</section>`,
    )
    .join('\n');
  const errorSchema = doc.components?.schemas?.Error;
  return layout({
    title: 'API reference',
    issuer: '',
    body: `<h1>${esc(doc.info?.title ?? 'API')} <span class="note">OpenAPI ${esc(doc.openapi)}, version ${esc(doc.info?.version ?? '')}</span></h1>
<section><p>${esc(doc.info?.description ?? '')}</p><p>The document: <a href="/openapi.json">/openapi.json</a>.</p>${toc}</section>
${body}
${errorSchema ? `<section id="schema-Error"><h2>Error</h2>${schemaBlock(errorSchema)}</section>` : ''}`,
  });
}
