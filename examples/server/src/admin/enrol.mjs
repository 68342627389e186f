// POST /enrol: starts an activation and shows its QR code and password (or otpauth URI), and
// the activation email: sent over SMTP when a recipient is given and SMTP is configured,
// otherwise shown as it would be sent.
import { checkRecipient, previewHtml } from '../email.mjs';
import { esc, time } from '../html.mjs';
import { page } from './layout.mjs';

/** The activation email section of the enrolment page. */
async function emailSection(ctx, a, to) {
  const email = ctx.mailer.render(a);
  if (ctx.mailer.sends && to) {
    const r = await ctx.mailer.send({ to, email, enrolmentId: a.enrolmentId });
    const password = email.password ? ' The password went in a second email.' : ctx.mailer.passwordDelivery === 'out-of-band' && a.password ? ' The email does not carry the password: give it to the user another way.' : '';
    return r.sent
      ? `<section><h2>Activation email</h2><p class="ok">Sent to ${esc(to)}.${esc(password)}</p></section>`
      : `<section><h2>Activation email</h2><p class="bad">The email to ${esc(to)} could not be sent (${esc(r.code)}). The activation above is still valid until it expires: give it to the user another way, or enrol again.</p></section>`;
  }
  const why = ctx.mailer.sends ? 'No recipient was given, so nothing was sent.' : 'SMTP is not configured (CLOUDMFA_SMTP_HOST), so nothing was sent.';
  const preview = (title, content) => `<h3>${esc(title)}: ${esc(content.subject)}</h3>
<iframe sandbox="" title="${esc(title)} preview" srcdoc="${esc(previewHtml(content))}" style="width:100%;height:34rem;border:1px solid #dde1e6;border-radius:6px;background:#fff"></iframe>
<details><summary>Plain-text part</summary><pre class="mono" style="white-space:pre-wrap">${esc(content.text)}</pre></details>`;
  return `<section><h2>Activation email</h2><p class="note">${esc(why)} This is the email the user would receive (the preview shows the QR code inline; the email carries it as a <code>cid:</code> attachment).</p>
${preview('Activation email', email.activation)}${email.password ? preview('Password email', email.password) : ''}</section>`;
}

export async function enrolPage(ctx, form, session) {
  const mode = form('mode') || 'online';
  const account = form('account');
  const to = form('email') ? checkRecipient(form('email')) : '';
  const a = await ctx.server.startActivation({ userId: form('userId'), mode, ...(account ? { account } : {}) });
  const png = `data:image/png;base64,${Buffer.from(a.qr.png).toString('base64')}`;
  const minutes = Math.round((a.expiresAt - ctx.clock()) / 60000);
  const secret =
    a.mode === 'otpauth'
      ? `<p>Scan with Google Authenticator, Authy or any TOTP app. This URI holds the seed: treat this page as a secret.</p><p class="mono">${esc(a.uri)}</p>${
          a.warnings.length ? `<p class="note">Warnings: ${esc(a.warnings.join(', '))}</p>` : ''
        }`
      : `<p>Password (send it on another channel than the QR):</p><p class="big mono">${esc(a.password)}</p>`;
  return page(
    ctx,
    'Enrolment',
    `<h1>Activation for ${esc(a.userId)}</h1><section>
<p>Mode <b>${esc(a.mode)}</b> · enrolment <code>${esc(a.enrolmentId)}</code> · expires ${esc(time(a.expiresAt))} (in about ${esc(minutes)} min)</p>
<img alt="activation QR code" width="288" height="288" src="${png}" style="image-rendering:pixelated">
${secret}
<p class="note">${a.mode === 'online' ? 'The QR carries no seed: the CloudMFA app redeems it once against the device API before it expires.' : 'The enrolment becomes active with the first correct code.'}</p>
</section>
${await emailSection(ctx, a, to)}`,
    session,
  );
}
