// POST /verify: checks a code for a user and explains the outcome.
import { esc } from '../html.mjs';
import { page } from './layout.mjs';

function describeVerify(r) {
  if (r.ok) {
    return `<p class="ok">Accepted</p><p>${esc(r.method.toUpperCase())} step ${esc(r.step)}, delta ${esc(r.delta)}${r.activated ? ', this code activated the enrolment' : ''}.</p>`;
  }
  switch (r.reason) {
    case 'invalid':
      return `<p class="bad">Refused: wrong code (${esc(r.detail)})</p><p>${esc(r.failures)} consecutive failure(s)${r.retryAfterMs ? `; next attempt accepted in ${esc(Math.ceil(r.retryAfterMs / 1000))} s` : ''}.</p>`;
    case 'replayed':
      return '<p class="bad">Refused: this code was already used (replay)</p>';
    case 'locked':
      return `<p class="bad">Refused: locked</p><p>Try again in ${esc(Math.ceil(r.retryAfterMs / 1000))} s (or unlock the enrolment).</p>`;
    case 'not_active':
      return `<p class="bad">Refused: the enrolment is ${esc(r.status)}</p>`;
    default:
      return '<p class="bad">Refused: no enrolment for this user</p>';
  }
}

export async function verifyPage(ctx, form, session) {
  const r = await ctx.server.verifyOtp({ userId: form('userId'), code: form('code') });
  return page(ctx, 'Verification', `<h1>Verify a code for ${esc(form('userId'))}</h1><section>${describeVerify(r)}</section><p><a href="/">Back</a></p>`, session);
}
