// GET /audit and the audit table shared with the dashboard.
import { esc, time } from '../html.mjs';
import { HttpRefusal } from './http.mjs';
import { page } from './layout.mjs';

export function auditTable(events) {
  if (events.length === 0) return '<p class="note">No entries.</p>';
  const rows = events
    .map(
      (e) =>
        `<tr${e.kind === 'otp.locked' || e.kind === 'push.suspicious' || e.kind === 'enrolment.double_redemption' ? ' class="risk"' : ''}><td class="mono">${esc(time(e.at))}</td><td>${esc(e.kind)}</td><td>${esc(e.userId ?? '')}</td><td class="mono">${esc(e.enrolmentId ?? '')}</td><td class="mono">${esc(JSON.stringify(e.detail))}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>Time</th><th>Kind</th><th>User</th><th>Enrolment</th><th>Detail</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export async function auditPage(ctx, params, session) {
  const p = await ctx.server.queryAudit({ ...auditQuery(params), limit: 100 });
  const next = p.cursor ? `<p><a href="/audit?${new URLSearchParams({ ...Object.fromEntries(params), cursor: p.cursor })}">Older entries</a></p>` : '';
  return page(ctx, 'Audit log', `<h1>Audit log${params.get('userId') ? ` of ${esc(params.get('userId'))}` : ''}</h1><section>${auditTable(p.events)}${next}</section>`, session);
}

function auditQuery(params) {
  const q = {};
  for (const name of ['userId', 'enrolmentId', 'cursor']) {
    const v = params.get(name);
    if (v !== null && v !== '') q[name] = v;
  }
  for (const name of ['limit', 'from', 'to']) {
    const v = params.get(name);
    if (v !== null && v !== '') {
      if (!/^[0-9]{1,16}$/.test(v)) throw new HttpRefusal(400, 'ERR_ADMIN_MALFORMED');
      q[name] = Number(v);
    }
  }
  return q;
}
