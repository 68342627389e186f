// GET /users?userId=: a user's enrolments with revoke / unlock / resume-push forms.
import { csrfField, esc, time } from '../html.mjs';
import { page } from './layout.mjs';

export async function userPage(ctx, userId, session) {
  const list = await ctx.server.listEnrolments(userId);
  const f = csrfField(session);
  const hidden = `${f}<input type="hidden" name="userId" value="${esc(userId)}">`;
  const rows = list
    .map(
      (e) => `<tr><td class="mono">${esc(e.id)}</td><td>${esc(e.status)}${e.expired ? ' (expired)' : ''}</td><td>${esc(e.mode)}</td><td>${esc(e.account)}</td>
<td>${e.device ? `${esc(e.device.platform)}${e.device.push ? ', push' : ''}` : ''}</td><td class="mono">${esc(time(e.createdAt))}</td><td class="mono">${esc(time(e.activatedAt))}</td><td>${esc(e.keyId ?? '')}</td>
<td>${
        e.status !== 'revoked'
          ? `<form method="post" action="/revoke">${hidden}<input type="hidden" name="enrolmentId" value="${esc(e.id)}"><button class="quiet">Revoke</button></form>
<form method="post" action="/unlock">${hidden}<input type="hidden" name="enrolmentId" value="${esc(e.id)}"><button class="quiet">Unlock</button></form>`
          : ''
      }</td></tr>`,
    )
    .join('');
  return page(
    ctx,
    'User',
    `<h1>Enrolments of ${esc(userId)}</h1><section>${
      list.length
        ? `<table><thead><tr><th>Id</th><th>Status</th><th>Mode</th><th>Account</th><th>Device</th><th>Created</th><th>Activated</th><th>KEK</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
        : '<p class="note">No enrolments.</p>'
    }
<form method="post" action="/resume">${hidden}<button class="quiet">Resume pushes</button></form></section>
<p><a href="/audit?userId=${encodeURIComponent(userId)}">Audit entries of this user</a></p>`,
    session,
  );
}
