// POST /push and GET /push/:id: sends a push challenge and follows its status; best-effort
// delivery through the APNs/FCM hook.
import { esc, layout, time } from '../html.mjs';
import { html, redirect } from './http.mjs';
import { page } from './layout.mjs';

export async function deliver(ctx, challenge) {
  if (!ctx.deliverPush) return;
  try {
    await ctx.deliverPush(challenge);
  } catch (e) {
    // Delivery is best effort: the device also polls. Log the failure's class only.
    ctx.warn({ event: 'push_delivery_failed', error: typeof e?.name === 'string' ? e.name : 'Error' });
  }
}

export async function pushPage(ctx, form, session) {
  const context = { service: form('service') };
  if (form('message')) context.message = form('message');
  const r = await ctx.server.createPushChallenge({ userId: form('userId'), context, numberMatch: form('numberMatch') === '1' });
  if (!r.ok) {
    const why = r.reason === 'paused' ? `pushes to this user are paused for another ${Math.ceil(r.retryAfterMs / 1000)} s (a push was marked suspicious)` : 'the user has no active device with a push key';
    return page(ctx, 'Push', `<h1>Push to ${esc(form('userId'))}</h1><section><p class="bad">Not sent: ${esc(why)}</p></section><p><a href="/">Back</a></p>`, session);
  }
  await deliver(ctx, r);
  // The number stays in this session (not in the URL, so not in the browser history).
  if (r.number) {
    if (session.numbers.size >= 32) session.numbers.delete(session.numbers.keys().next().value);
    session.numbers.set(r.challengeId, r.number);
  }
  return redirect(`/push/${encodeURIComponent(r.challengeId)}`);
}

export async function pushStatusPage(ctx, id, session) {
  const s = await ctx.server.getChallengeStatus(id);
  if (!s) return html(404, layout({ title: 'Push', issuer: ctx.issuer, session, body: '<section><p class="bad">No such challenge.</p></section>' }));
  const pending = s.status === 'pending';
  const n = session.numbers.get(id) ?? null;
  return page(
    ctx,
    'Push',
    `<h1>Push challenge</h1><section>
${s.numberMatch && n && pending ? `<p>Number to type on the phone:</p><p class="big">${esc(n)}</p>` : ''}
<p>Status: <b class="${s.status === 'approved' ? 'ok' : pending ? '' : 'bad'}">${esc(s.status)}</b>${pending ? ' (this page refreshes every 2 s)' : ''}</p>
<p class="note">Challenge <code>${esc(s.id)}</code> · expires ${esc(time(s.expiresAt))}${s.finalizedAt ? ` · finalized ${esc(time(s.finalizedAt))}` : ''}</p>
<p class="note">Delivery: ${ctx.deliverPush ? 'APNs/FCM hook configured' : 'no APNs/FCM credentials configured; the app finds the challenge by polling /v1/push/poll'}.</p>
</section><p><a href="/">Back</a></p>`,
    session,
    pending ? { refreshSeconds: 2 } : {},
  );
}
