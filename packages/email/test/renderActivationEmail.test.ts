import { openEnvelope } from '@cloudmfa/activation';
import { encodeBase32, encodeBase64Url } from '@cloudmfa/core';
import type { StartedActivation } from '@cloudmfa/server';
import { describe, expect, it } from 'vitest';
import { activateOnline, makeDevice, makeServer, testCrypto } from '../../server/test/helpers.js';
import { type ActivationEmailMessages, type ActivationForEmail, englishMessages, renderActivationEmail } from '../src/index.js';
import { issue, rejection, T0, tagsOf } from './helpers.js';
import { zbarDecode } from './smtpServer.js';

// The elements the template draws, whatever the values: an injected value adds none.
const TEMPLATE_TAGS = new Set(['html', 'head', 'meta', 'title', 'body', 'div', 'p', 'img', 'h2', 'ol', 'li']);

describe('renderActivationEmail: online (the default)', () => {
  it('text and HTML parts, the QR as an inline PNG the HTML refers to by cid, which decodes to the envelope', async () => {
    const { activation, clock } = await issue('online');
    const { activation: email, password } = renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock });
    expect(password).toBeNull();
    expect(email.subject).toBe('Activate two-factor sign-in for Acme Corporation');
    expect(email.language).toBe('en');
    expect(email.images).toHaveLength(1);
    const [qr] = email.images;
    expect(qr!.contentType).toBe('image/png');
    expect(qr!.filename).toBe('activation-qr.png');
    expect([...qr!.content.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(email.html).toContain(`<img src="cid:${qr!.contentId}"`);
    expect(zbarDecode(qr!.content)).toBe(activation.text);
    // The plain-text reader is told where the QR code is.
    expect(email.text).toContain('The QR code to scan is in the image activation-qr.png of this email.');
  });

  it('says the real validity (the envelope’s 5 minutes) and its expiry time, the company name to expect, and the CloudMFA app’s steps', async () => {
    const { activation, clock } = await issue('online');
    expect(activation.expiresAt).toBe(T0 + 300_000);
    // Rendered 2 minutes later: the lifetime stays the envelope's, the expiry is the activation's.
    clock.advance(120_000);
    const { activation: email } = renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock });
    const validity = 'The QR code is valid for 5 minutes, until Jan 1, 2026, 12:05 AM UTC. After that, ask for a new one.';
    expect(email.text).toContain(validity);
    expect(email.html).toContain(validity);
    expect(email.text).toContain('the app shows the company name "Acme Corporation"');
    expect(email.html).toContain('the app shows the company name &quot;Acme Corporation&quot;');
    expect(email.text).toContain('With the CloudMFA app\n1. Install the CloudMFA app');
    expect(email.text).not.toContain('Google Authenticator');
    // The time zone is the caller's choice.
    const paris = renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock, timeZone: 'Europe/Paris' });
    expect(paris.activation.text).toContain('until Jan 1, 2026, 01:05 AM GMT+1');
  });

  it('a lifetime set per activation is the one the email states', async () => {
    const { server, clock } = (await import('./helpers.js')).emailServer();
    const activation = await server.startActivation({ userId: 'alice', lifetimeSeconds: 600 });
    const { activation: email } = renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock });
    expect(email.text).toContain('valid for 10 minutes, until Jan 1, 2026, 12:10 AM UTC');
  });

  it('never carries the seed: the QR is the online envelope, which holds none, and the seed the phone gets at redemption is in neither part', async () => {
    const t = makeServer();
    const { identity, activation } = await activateOnline(t, makeDevice('phone'));
    const { activation: email } = renderActivationEmail({ activation, issuer: 'Acme Corporation', now: () => activation.expiresAt - 1 });
    const opened = await openEnvelope({ text: zbarDecode(email.images[0]!.content), password: activation.password!, now: () => activation.expiresAt - 1, crypto: testCrypto });
    expect(opened.payload.mode).toBe('online');
    expect(Object.keys(opened.payload)).not.toContain('secret');
    const seed = identity.seed;
    expect(seed.length).toBeGreaterThanOrEqual(20);
    const hex = Buffer.from(seed).toString('hex');
    const all = `${email.subject}\n${email.text}\n${email.html}\n${Buffer.from(email.images[0]!.content).toString('latin1')}`;
    for (const form of [encodeBase32(seed), encodeBase32(seed).replace(/=+$/, ''), hex, hex.toUpperCase(), encodeBase64Url(seed), Buffer.from(seed).toString('base64')]) {
      expect(all).not.toContain(form);
    }
    expect(all).not.toMatch(/otpauth:|secret=/i);
  });

  it('refuses text that is not what the mode says, so a seed cannot ride in an "online" email', async () => {
    const { activation: otpauth, clock } = await issue('otpauth');
    const { activation: offline } = await issue('offline');
    const { activation: online } = await issue('online');
    const cases: ActivationForEmail[] = [
      { ...online, text: otpauth.text },
      { ...online, text: offline.text, expiresAt: offline.expiresAt },
      { ...online, text: 'CMFA:NOT-AN-ENVELOPE' },
      { ...offline, mode: 'online' },
      { ...online, mode: 'offline' },
      { ...online, mode: 'otpauth', password: null },
      { ...otpauth, mode: 'online', password: 'JWKC-3H7F-VM03' },
      { ...online, expiresAt: online.expiresAt + 1 },
      { ...online, password: null },
      { ...otpauth, password: 'x' },
      { ...online, mode: 'push' as 'online' },
    ];
    for (const activation of cases) {
      expect((await rejection(() => renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock }))).code).toBe('ERR_INVALID_ARGUMENT');
    }
  });

  it('refuses an expired activation', async () => {
    const { activation, clock } = await issue('online');
    clock.advance(300_000);
    expect((await rejection(() => renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock }))).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('takes StartedActivation as it is (a compile-time check)', () => {
    const accepts = (a: StartedActivation): ActivationForEmail => a;
    expect(typeof accepts).toBe('function');
  });
});

describe('the password, by the organisation’s policy', () => {
  it('same-email (the default): under the QR code, in both parts', async () => {
    const { activation, clock } = await issue('online');
    const email = renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock });
    expect(email.activation.text).toContain(`Activation password: ${activation.password}`);
    expect(email.activation.html).toContain(`>${activation.password}</p>`);
    expect(email.password).toBeNull();
  });

  it('separate-email: a second message holds it, the first does not', async () => {
    const { activation, clock } = await issue('online');
    const email = renderActivationEmail({ activation, issuer: 'Acme Corporation', passwordDelivery: 'separate-email', now: clock });
    for (const part of [email.activation.text, email.activation.html, email.activation.subject]) expect(part).not.toContain(activation.password!);
    expect(email.activation.text).toContain('The activation password comes in a separate email.');
    expect(email.password).not.toBeNull();
    expect(email.password!.subject).toBe('Your activation password for Acme Corporation');
    expect(email.password!.text).toContain(`Activation password: ${activation.password}`);
    expect(email.password!.html).toContain(`>${activation.password}</p>`);
    expect(email.password!.text).toContain('valid for 5 minutes');
    expect(email.password!.images).toEqual([]);
    // The password email has no QR code: neither factor travels with the other.
    expect(email.password!.html).not.toContain('cid:');
  });

  it('out-of-band: in no email', async () => {
    const { activation, clock } = await issue('offline');
    const email = renderActivationEmail({ activation, issuer: 'Acme Corporation', passwordDelivery: 'out-of-band', now: clock });
    expect(email.password).toBeNull();
    expect(email.activation.text).not.toContain(activation.password!);
    expect(email.activation.html).not.toContain(activation.password!);
    expect(email.activation.text).toContain('Your administrator gives you the activation password separately.');
  });

  it('an offline envelope: the CloudMFA app’s steps, the QR decodes to the envelope', async () => {
    const { activation, clock } = await issue('offline');
    const email = renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock });
    expect(zbarDecode(email.activation.images[0]!.content)).toBe(activation.text);
    expect(email.activation.text).toContain('With the CloudMFA app');
    expect(email.activation.text).toContain(`Activation password: ${activation.password}`);
  });

  it('refuses an unknown policy value', async () => {
    const { activation, clock } = await issue('online');
    const e = await rejection(() => renderActivationEmail({ activation, issuer: 'Acme Corporation', passwordDelivery: 'sms' as 'same-email', now: clock }));
    expect(e.code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('otpauth mode (Google Authenticator, Authy)', () => {
  it('the QR carries the otpauth URI; the steps are the authenticator apps’; it warns that the code is the secret; no password', async () => {
    const { activation, clock } = await issue('otpauth', { account: 'alice@acme.example' });
    const email = renderActivationEmail({ activation, issuer: 'Acme Corporation', passwordDelivery: 'separate-email', now: clock });
    expect(email.password).toBeNull();
    expect(zbarDecode(email.activation.images[0]!.content)).toBe(activation.uri);
    expect(email.activation.text).toContain('With Google Authenticator, Authy or another authenticator app');
    expect(email.activation.text).toContain('Check that the new entry reads "Acme Corporation" (alice@acme.example).');
    expect(email.activation.text).toContain('This QR code contains your secret key.');
    expect(email.activation.text).not.toContain('With the CloudMFA app');
    expect(email.activation.text).not.toContain('Activation password');
    // Lifetime of a pending otpauth enrolment: from now to its expiry.
    expect(email.activation.text).toContain('valid for 5 minutes, until Jan 1, 2026, 12:05 AM UTC');
    // The seed is only in the image (which is the point of this mode), never in the text.
    const secret = new URL(activation.uri!).searchParams.get('secret')!;
    expect(email.activation.text).not.toContain(secret);
    expect(email.activation.html).not.toContain(secret);
  });

  it('refuses an issuer other than the URI’s: the email would name a company the app does not show', async () => {
    const { activation, clock } = await issue('otpauth');
    expect((await rejection(() => renderActivationEmail({ activation, issuer: 'Other Corp', now: clock }))).code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('escaping: issuer and account names are attacker-influenced', () => {
  const attacks = [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    "Acme' onmouseover='alert(1)",
    'Acme &amp; <b>Co</b>',
    '</title><style>*{display:none}</style>',
    '<!-- comment --><a href="https://evil.example/">click</a>',
  ];

  it.each(attacks)('issuer %j: shown as text, adds no element', async (issuer) => {
    const { activation, clock } = await issue('online', { issuer });
    const email = renderActivationEmail({ activation, issuer, recipientName: issuer, now: clock });
    expect(new Set(tagsOf(email.activation.html))).toEqual(TEMPLATE_TAGS);
    expect(email.activation.html).not.toContain(issuer);
    const escaped = issuer.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
    expect(email.activation.html).toContain(escaped);
    // The plain-text part shows the name as it is: it is text.
    expect(email.activation.text).toContain(issuer);
    expect(email.activation.subject).toBe(`Activate two-factor sign-in for ${issuer}`);
  });

  it.each(attacks)('account %j in otpauth mode: shown as text, adds no element', async (account) => {
    const { activation, clock } = await issue('otpauth', { account });
    const email = renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock });
    expect(new Set(tagsOf(email.activation.html))).toEqual(TEMPLATE_TAGS);
    expect(email.activation.html).not.toContain(account);
    expect(email.activation.text).toContain(`(${account})`);
    expect(zbarDecode(email.activation.images[0]!.content)).toBe(activation.uri);
  });

  it('refuses names with line breaks (header injection), other controls, bidirectional overrides or lone surrogates', async () => {
    const { activation, clock } = await issue('online');
    for (const bad of ['Acme\r\nBcc: victim@example.com', 'Acme\nCo', 'Acme\u0000', 'Acme\u0085', '\u202eemcA', 'Acme\u2066x', 'Acme\u2028', 'Acme\ud800', '', '   ', 'A'.repeat(129)]) {
      expect((await rejection(() => renderActivationEmail({ activation, issuer: bad, now: clock }))).code).toBe('ERR_INVALID_ARGUMENT');
      expect((await rejection(() => renderActivationEmail({ activation, issuer: 'Acme Corporation', recipientName: bad, now: clock }))).code).toBe('ERR_INVALID_ARGUMENT');
    }
  });

  it('escapes what a translation returns too: a translation cannot add markup', async () => {
    const { activation, clock } = await issue('online');
    const messages: ActivationEmailMessages = { ...englishMessages, intro: () => '<img src=x onerror=alert(1)>', qrAlt: '" onerror="alert(1)' };
    const email = renderActivationEmail({ activation, issuer: 'Acme Corporation', messages, now: clock });
    expect(new Set(tagsOf(email.activation.html))).toEqual(TEMPLATE_TAGS);
    expect(email.activation.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(email.activation.html).toContain('alt="&quot; onerror=&quot;alert(1)"');
  });
});

// A second locale, written here as an application would: every string replaced.
const german: ActivationEmailMessages = {
  locale: 'de-DE',
  subject: ({ issuer }) => `Zwei-Faktor-Anmeldung für ${issuer} aktivieren`,
  passwordSubject: ({ issuer }) => `Ihr Aktivierungspasswort für ${issuer}`,
  greeting: ({ name }) => (name === null ? 'Guten Tag,' : `Guten Tag ${name},`),
  intro: ({ issuer }) => `${issuer} hat die Zwei-Faktor-Anmeldung für Sie eingerichtet. Scannen Sie den QR-Code mit Ihrem Telefon.`,
  qrAlt: 'Aktivierungs-QR-Code',
  qrInText: ({ filename }) => `Der QR-Code ist das Bild ${filename} dieser E-Mail.`,
  validity: ({ minutes, expiresAt }) => `Der QR-Code ist ${minutes} Minuten gültig, bis ${expiresAt}.`,
  review: ({ issuer }) => `Die App zeigt vorher den Firmennamen „${issuer}“. Fahren Sie nur fort, wenn Sie diesen Namen sehen.`,
  passwordLabel: 'Aktivierungspasswort',
  passwordCare: 'Geben Sie es in der App ein, wenn sie danach fragt.',
  passwordInSeparateEmail: 'Das Aktivierungspasswort erhalten Sie in einer separaten E-Mail.',
  passwordOutOfBand: 'Ihr Administrator teilt Ihnen das Aktivierungspasswort auf anderem Weg mit.',
  passwordEmailIntro: ({ issuer }) => `Dies ist das Passwort zur Aktivierungs-E-Mail von ${issuer}.`,
  appStepsTitle: 'Mit der CloudMFA-App',
  appSteps: ({ issuer }) => ['Öffnen Sie die CloudMFA-App.', 'Tippen Sie auf „Hinzufügen“ und scannen Sie den Code.', `Prüfen Sie den Namen „${issuer}“ und geben Sie das Passwort ein.`],
  authenticatorStepsTitle: 'Mit Google Authenticator oder Authy',
  authenticatorSteps: ({ issuer, account }) => ['Tippen Sie auf „+“.', 'Scannen Sie den Code.', `Prüfen Sie den Eintrag „${issuer}“ (${account}).`],
  otpauthWarning: 'Dieser QR-Code enthält Ihren geheimen Schlüssel. Löschen Sie diese E-Mail danach.',
  notExpected: ({ issuer }) => `Falls Sie diese E-Mail nicht erwartet haben, wenden Sie sich an den IT-Support von ${issuer}.`,
};

describe('localisable strings', () => {
  it('a second locale replaces every word, the language tag and the date format', async () => {
    const { activation, clock } = await issue('online');
    const email = renderActivationEmail({ activation, issuer: 'Acme GmbH', recipientName: 'Jürgen', messages: german, timeZone: 'Europe/Berlin', now: clock });
    const expiry = new Intl.DateTimeFormat('de-DE', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin', timeZoneName: 'short' }).format(activation.expiresAt);
    expect(expiry).toContain('01:05');
    expect(email.activation.subject).toBe('Zwei-Faktor-Anmeldung für Acme GmbH aktivieren');
    expect(email.activation.language).toBe('de-DE');
    expect(email.activation.html).toContain('<html lang="de-DE">');
    expect(email.activation.text).toBe(
      [
        'Guten Tag Jürgen,',
        'Acme GmbH hat die Zwei-Faktor-Anmeldung für Sie eingerichtet. Scannen Sie den QR-Code mit Ihrem Telefon.',
        'Der QR-Code ist das Bild activation-qr.png dieser E-Mail.',
        `Der QR-Code ist 5 Minuten gültig, bis ${expiry}.`,
        'Die App zeigt vorher den Firmennamen „Acme GmbH“. Fahren Sie nur fort, wenn Sie diesen Namen sehen.',
        `Aktivierungspasswort: ${activation.password}`,
        'Geben Sie es in der App ein, wenn sie danach fragt.',
        'Mit der CloudMFA-App\n1. Öffnen Sie die CloudMFA-App.\n2. Tippen Sie auf „Hinzufügen“ und scannen Sie den Code.\n3. Prüfen Sie den Namen „Acme GmbH“ und geben Sie das Passwort ein.',
        'Falls Sie diese E-Mail nicht erwartet haben, wenden Sie sich an den IT-Support von Acme GmbH.',
      ].join('\n\n') + '\n',
    );
    expect(email.activation.html).toContain('alt="Aktivierungs-QR-Code"');
    for (const english of Object.values(englishMessages).filter((v): v is string => typeof v === 'string' && v !== 'en')) {
      expect(email.activation.text).not.toContain(english);
    }
    const separate = renderActivationEmail({ activation, issuer: 'Acme GmbH', messages: german, passwordDelivery: 'separate-email', now: clock });
    expect(separate.password!.subject).toBe('Ihr Aktivierungspasswort für Acme GmbH');
  });

  it('the password is never handed to a translation function', async () => {
    const { activation, clock } = await issue('online');
    const seen: unknown[] = [];
    const spy = Object.fromEntries(
      Object.entries(german).map(([k, v]) => [k, typeof v === 'function' ? (arg: unknown) => (seen.push(arg), (v as (a: unknown) => unknown)(arg)) : v]),
    ) as unknown as ActivationEmailMessages;
    renderActivationEmail({ activation, issuer: 'Acme GmbH', messages: spy, passwordDelivery: 'separate-email', now: clock });
    expect(seen.length).toBeGreaterThan(5);
    expect(JSON.stringify(seen)).not.toContain(activation.password!);
  });

  it('a translation that returns something unusable is refused (ERR_EMAIL_MESSAGES)', async () => {
    const { activation, clock } = await issue('online');
    const broken: Partial<ActivationEmailMessages>[] = [
      { subject: () => 'Activate\r\nBcc: victim@example.com' },
      { passwordSubject: () => 'Password\nX-Injected: 1' },
      { intro: () => 42 as unknown as string },
      { greeting: () => '' },
      { appSteps: () => [] },
      { appSteps: () => ['ok', 7 as unknown as string] },
      {
        validity: () => {
          throw new Error('missing key');
        },
      },
    ];
    for (const override of broken) {
      const e = await rejection(() =>
        renderActivationEmail({ activation, issuer: 'Acme Corporation', messages: { ...englishMessages, ...override }, passwordDelivery: 'separate-email', now: clock }),
      );
      expect(e.code).toBe('ERR_EMAIL_MESSAGES');
    }
  });

  it('refuses an unknown time zone or locale with a typed error', async () => {
    const { activation, clock } = await issue('online');
    expect((await rejection(() => renderActivationEmail({ activation, issuer: 'Acme Corporation', timeZone: 'Mars/Olympus', now: clock }))).code).toBe('ERR_INVALID_ARGUMENT');
    expect((await rejection(() => renderActivationEmail({ activation, issuer: 'Acme Corporation', messages: { ...englishMessages, locale: 'not a tag!' }, now: clock }))).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
  });
});

describe('the inline image', () => {
  it('a fresh Content-ID per email from the injected random source; the PNG’s size is the one the HTML gives', async () => {
    const { activation, clock } = await issue('online');
    const a = renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock, random: () => new Uint8Array(10).fill(1) });
    const b = renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock, random: () => new Uint8Array(10).fill(2) });
    expect(a.activation.images[0]!.contentId).toMatch(/^activation-qr\.[a-z2-7]{16}@cloudmfa\.invalid$/);
    expect(a.activation.images[0]!.contentId).not.toBe(b.activation.images[0]!.contentId);
    const png = a.activation.images[0]!.content;
    const width = new DataView(png.buffer, png.byteOffset).getUint32(16);
    expect(a.activation.html).toContain(`width="${width}" height="${width}"`);
    const big = renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock, qrScale: 10 });
    expect(new DataView(big.activation.images[0]!.content.buffer, big.activation.images[0]!.content.byteOffset).getUint32(16)).toBe((width / 6) * 10);
    expect(zbarDecode(big.activation.images[0]!.content)).toBe(activation.text);
    for (const qrScale of [1, 17, 2.5]) {
      expect((await rejection(() => renderActivationEmail({ activation, issuer: 'Acme Corporation', now: clock, qrScale }))).code).toBe('ERR_INVALID_ARGUMENT');
    }
  });
});
