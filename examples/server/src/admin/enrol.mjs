// POST /enrol: starts an activation and shows its QR code and password (or otpauth URI).
import { esc, time } from '../html.mjs';
import { page } from './layout.mjs';

export async function enrolPage(ctx, form, session) {
  const mode = form('mode') || 'online';
  const account = form('account');
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
</section>`,
    session,
  );
}
