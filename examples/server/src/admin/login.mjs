// GET /login and the page shown after a refused login.
import { esc, layout } from '../html.mjs';
import { html } from './http.mjs';

export function loginPage(ctx, status = 200, message = '', headers = {}) {
  return html(
    status,
    layout({
      title: 'Log in',
      issuer: ctx.issuer,
      body: `<section><h1>Log in</h1>${message ? `<p class="bad">${esc(message)}</p>` : ''}
<p class="note">The admin token was printed when the server started (or set with CLOUDMFA_ADMIN_TOKEN).</p>
<form method="post" action="/login"><label>Admin token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
<button>Log in</button></form></section>`,
    }),
    headers,
  );
}
