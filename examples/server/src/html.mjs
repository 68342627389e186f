// Tiny HTML helpers for the admin pages. Every value that comes from a request or a store goes
// through `esc` (or `attr`); templates only concatenate escaped text.

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);

export const time = (ms) => (typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : '');

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#1b2b45;color:#fff;padding:.7rem 1.2rem;display:flex;gap:1rem;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600}header nav{display:flex;gap:1rem;flex:1}
main{max-width:62rem;margin:1.2rem auto;padding:0 1rem}
section{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:1rem 1.2rem;margin-bottom:1rem}
h1{font-size:1.35rem}h2{font-size:1.1rem;margin-top:0}
label{display:block;margin:.35rem 0}input,select{font:inherit;padding:.3rem .45rem;box-sizing:border-box;max-width:100%}
input:not([type=checkbox]),select{display:block;width:100%;margin-top:.15rem}
button{font:inherit;padding:.35rem .9rem;border-radius:5px;border:1px solid #1b2b45;background:#1b2b45;color:#fff;cursor:pointer}
button.quiet{background:#fff;color:#1b2b45}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #e4e7eb;padding:.3rem .4rem;text-align:left;vertical-align:top}
code,.mono{font-family:ui-monospace,Menlo,monospace;word-break:break-all}
.big{font-size:2.4rem;font-weight:700;letter-spacing:.15em}
.ok{color:#126b2f;font-weight:600}.bad{color:#a4161a;font-weight:600}.risk{color:#a4161a}
.note{color:#5b6470;font-size:13px}.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1rem}
`;

/**
 * A whole page. `session` (when logged in) adds the navigation and the logout form.
 *
 * @param {{ title: string, body: string, session?: { csrf: string } | null, refreshSeconds?: number, issuer?: string }} page
 */
export function layout({ title, body, session = null, refreshSeconds, issuer = '' }) {
  const nav = session
    ? `<nav><a href="/">Dashboard</a><a href="/audit">Audit log</a></nav>
       <form method="post" action="/logout"><input type="hidden" name="csrf" value="${esc(session.csrf)}"><button class="quiet">Log out</button></form>`
    : '<nav></nav>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
${refreshSeconds ? `<meta http-equiv="refresh" content="${Number(refreshSeconds)}">` : ''}
<title>${esc(title)} · CloudMFA admin</title><style>${STYLE}</style></head>
<body><header><a href="/">CloudMFA admin${issuer ? ` · ${esc(issuer)}` : ''}</a>${nav}</header>
<main>${body}</main></body></html>`;
}

/** A hidden CSRF field for a form. */
export const csrfField = (session) => `<input type="hidden" name="csrf" value="${esc(session.csrf)}">`;
