// GET /: the forms (enrol, verify, push, look up) and the most recent audit entries.
import { csrfField, esc } from '../html.mjs';
import { auditTable } from './audit.mjs';
import { page } from './layout.mjs';

export async function dashboard(ctx, session) {
  const recent = await ctx.server.queryAudit({ limit: 15 });
  const f = csrfField(session);
  return page(
    ctx,
    'Dashboard',
    `<h1>Dashboard</h1><p class="note">Store: ${esc(ctx.storeKind)}. Device API routes: <code>/v1/activations/redeem</code>, <code>/v1/push/respond</code>, <code>/v1/push/poll</code>, <code>/v1/push/challenges/{id}</code>.</p>
<div class="grid">
<section><h2>Enrol a user</h2><form method="post" action="/enrol">${f}
<label>User id <input name="userId" required maxlength="256"></label>
<label>Account shown in the app <input name="account" maxlength="128" placeholder="defaults to the user id"></label>
<label>Email the activation to <input name="email" type="email" maxlength="320" placeholder="${ctx.mailer.sends ? 'optional: sent over SMTP' : 'optional: shown, not sent'}"></label>
<label>Mode <select name="mode"><option value="online">online (CloudMFA app)</option><option value="offline">offline (seed in the QR)</option><option value="otpauth">otpauth (any TOTP app)</option></select></label>
<p class="note">online: the QR holds no seed, the app redeems it once; offline: the seed sealed in the QR; otpauth: Google Authenticator, Authy and other TOTP apps.</p>
<button>Enrol</button></form></section>
<section><h2>Verify a code</h2><form method="post" action="/verify">${f}
<label>User id <input name="userId" required maxlength="256"></label>
<label>Code <input name="code" required maxlength="64" inputmode="numeric" autocomplete="one-time-code"></label>
<button>Verify</button></form></section>
<section><h2>Send a push</h2><form method="post" action="/push">${f}
<label>User id <input name="userId" required maxlength="256"></label>
<label>Service <input name="service" required maxlength="64" value="Example sign-in"></label>
<label>Message <input name="message" maxlength="200" placeholder="optional"></label>
<label><input type="checkbox" name="numberMatch" value="1" checked> number matching</label>
<button>Send</button></form></section>
<section><h2>Look up a user</h2><form method="get" action="/users">
<label>User id <input name="userId" required maxlength="256"></label><button>Show enrolments</button></form></section>
</div>
<section><h2>Recent audit entries</h2>${auditTable(recent.events)}<p><a href="/audit">Whole audit log</a></p></section>`,
    session,
  );
}
