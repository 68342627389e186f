// Settings: PIN on/off and change, biometrics, auto-lock, backup export/import, clock check
// (the offset the client measured), about.
import { decodeBase64Url, encodeBase64Url } from '@cloudmfa/core';
import { useState } from 'react';
import { View } from 'react-native';
import { AUTO_LOCK_CHOICES } from '../engine/createAppAuthenticator';
import { useApp, useAuthEvents, useBusy } from '../engine/AuthProvider';
import { pinChoiceMessages } from '../messages';
import { Button, Card, Field, H2, Message, P, Screen, Toggle } from '../ui/kit';

type Note = { kind: 'ok' | 'error' | 'info'; text: string } | null;

const importMessages = {
  locked: 'Unlock the app first.',
  'wrong-password': 'Wrong backup password.',
  'password-required': 'This backup is encrypted: enter its password.',
  damaged: 'This backup is damaged.',
  unsupported: 'This is not a CloudMFA backup, an Aegis export or a Google Authenticator export.',
  'migration-incomplete': 'Paste every part of the Google Authenticator export.',
  'aegis-not-enabled': 'This build cannot read Aegis exports.',
} as const;

/** A backup pasted as text: a CloudMFA backup (base64url), an Aegis JSON export, or otpauth-migration:// lines. */
function backupFileFromText(text: string): Uint8Array | string | string[] {
  const t = text.trim();
  if (t.startsWith('{')) return t;
  if (/^otpauth-migration:/i.test(t)) return t.split(/\s+/).filter(Boolean);
  try {
    return decodeBase64Url(t.replace(/\s+/g, ''));
  } catch {
    return t;
  }
}

export function SettingsScreen({ onBack }: { onBack: () => void }) {
  const { auth, host, settings, saveSettings, pushToken } = useApp();
  useAuthEvents();
  const [busy, run] = useBusy();
  const status = auth.status();
  const [pin, setPin] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [pinNote, setPinNote] = useState<Note>(null);
  const [bioNote, setBioNote] = useState<Note>(null);
  const [backupPassword, setBackupPassword] = useState('');
  const [backupText, setBackupText] = useState('');
  const [backupNote, setBackupNote] = useState<Note>(null);
  const [clockNote, setClockNote] = useState<Note>(null);
  const clock = auth.clock();
  const pinRequired = auth.list().some((i) => i.policy.pinRequired);
  const biometricsAllowed = auth.list().every((i) => i.policy.biometricsAllowed);

  const choosePin = (change: boolean) =>
    run(async () => {
      const r = change ? await auth.changePin({ pin, confirmation }) : await auth.setPin({ pin, confirmation });
      setPin('');
      setConfirmation('');
      setPinNote(r.ok ? { kind: 'ok', text: change ? 'PIN changed.' : 'PIN set.' } : { kind: 'error', text: pinChoiceMessages[r.reason] });
    });

  return (
    <Screen title="Settings" onBack={onBack}>
      <Card>
        <H2>PIN</H2>
        <P muted>{status.hasPin ? 'The app asks for your PIN to show codes and to answer sign-in requests.' : 'No PIN: anyone holding this phone unlocked sees your codes.'}</P>
        <Field label={status.hasPin ? 'New PIN' : 'PIN'} value={pin} onChangeText={setPin} secureTextEntry keyboardType="number-pad" />
        <Field label="Type it again" value={confirmation} onChangeText={setConfirmation} secureTextEntry keyboardType="number-pad" />
        <Button label={status.hasPin ? 'Change PIN' : 'Turn PIN on'} onPress={() => choosePin(status.hasPin)} disabled={busy || pin.length === 0} />
        {status.hasPin ? (
          <Button
            kind="secondary"
            label="Turn PIN off"
            disabled={busy}
            onPress={() =>
              run(async () => {
                const r = await auth.removePin();
                setPinNote(r.ok ? { kind: 'ok', text: 'PIN turned off.' } : { kind: 'error', text: r.reason === 'pin-required-by-policy' ? 'Your organisation requires a PIN for one of your tokens.' : 'Unlock the app first.' });
              })
            }
          />
        ) : null}
        {pinRequired ? <P muted>Required by your organisation for at least one token.</P> : null}
        {pinNote ? <Message kind={pinNote.kind}>{pinNote.text}</Message> : null}
      </Card>

      <Card>
        <H2>Biometrics</H2>
        {!host.biometrics ? (
          <P muted>This device has no biometrics set up.</P>
        ) : (
          <Toggle
            label="Unlock with biometrics"
            value={status.hasBiometrics}
            disabled={busy}
            onChange={(on) =>
              run(async () => {
                if (!on) {
                  // Drops the biometric slot and the host's key; the PIN stays.
                  const off = await auth.disableBiometrics();
                  setBioNote(off.ok ? { kind: 'ok', text: 'Biometrics off. The PIN stays on.' } : { kind: 'error', text: 'Unlock the app first.' });
                  return;
                }
                const r = await auth.enableBiometrics();
                setBioNote(r.ok ? { kind: 'ok', text: 'Biometrics on.' } : { kind: 'error', text: r.reason === 'not-allowed-by-policy' ? 'Your organisation does not allow biometrics.' : r.reason === 'no-pin' ? 'Turn the PIN on first.' : r.reason === 'locked' ? 'Unlock the app first.' : 'Biometrics are not available.' });
              })
            }
          />
        )}
        {!biometricsAllowed ? <P muted>Not allowed by your organisation for at least one token.</P> : null}
        {bioNote ? <Message kind={bioNote.kind}>{bioNote.text}</Message> : null}
      </Card>

      <Card>
        <H2>Auto-lock</H2>
        <P muted>Lock the app after this much idle time.</P>
        <View style={{ flexDirection: 'row', flexWrap: 'wrap', gap: 8 }}>
          {AUTO_LOCK_CHOICES.map((c) => (
            <Button key={c.ms} kind={settings.autoLockMs === c.ms ? 'primary' : 'secondary'} label={c.label} onPress={() => void saveSettings({ autoLockMs: c.ms })} disabled={busy} />
          ))}
        </View>
      </Card>

      <Card>
        <H2>Backup</H2>
        <P muted>An encrypted copy of the tokens that can move to another phone. Tokens bound to this phone (online activation) are not exported: ask your organisation for a new QR code on a new phone.</P>
        <Field label="Backup password" value={backupPassword} onChangeText={setBackupPassword} secureTextEntry />
        <Button
          label="Export backup"
          disabled={busy || backupPassword.length === 0}
          onPress={() =>
            run(async () => {
              const r = await auth.exportBackup(backupPassword);
              if (!r.ok) return setBackupNote({ kind: 'error', text: r.reason === 'locked' ? 'Unlock the app first.' : 'The password needs at least 8 characters.' });
              const text = encodeBase64Url(r.file);
              setBackupText(text);
              await host.copy(text);
              setBackupNote({ kind: 'ok', text: `Backup of ${r.exported} tokens copied (${r.skipped.length} bound to this phone not included). Keep it with its password apart.` });
            })
          }
        />
        <Field label="Backup to import" value={backupText} onChangeText={setBackupText} multiline placeholder="CloudMFA backup, Aegis export or otpauth-migration:// lines" />
        <Button
          kind="secondary"
          label="Import backup"
          disabled={busy || backupText.trim().length === 0}
          onPress={() =>
            run(async () => {
              const r = await auth.importBackup({ file: backupFileFromText(backupText), password: backupPassword || undefined });
              setBackupNote(r.ok ? { kind: 'ok', text: `${r.imported.length} tokens imported${r.skipped > 0 ? `, ${r.skipped} skipped` : ''}.` } : { kind: 'error', text: importMessages[r.reason] });
            })
          }
        />
        {backupNote ? <Message kind={backupNote.kind}>{backupNote.text}</Message> : null}
      </Card>

      <Card>
        <H2>Clock</H2>
        <P>{clock.source === 'none' ? 'Not checked yet against a server.' : `Offset to the server: ${(clock.offsetMs / 1000).toFixed(1)} s (from ${clock.source}).`}</P>
        {clock.skewed ? <Message kind="error">{`Your phone's clock is ${Math.round(Math.abs(clock.offsetMs) / 1000)} s ${clock.offsetMs < 0 ? 'fast' : 'slow'}; codes use the server's time.`}</Message> : null}
        <Button
          kind="secondary"
          label="Check clock"
          disabled={busy}
          onPress={() =>
            run(async () => {
              const r = await auth.syncClock();
              setClockNote(r.ok ? { kind: 'ok', text: `Checked: offset ${(r.clock.offsetMs / 1000).toFixed(1)} s.` } : { kind: 'error', text: r.reason === 'no-server' ? 'Add an online token first: its server tells the time.' : 'The server could not be reached.' });
            })
          }
        />
        {clockNote ? <Message kind={clockNote.kind}>{clockNote.text}</Message> : null}
      </Card>

      <Card>
        <H2>About</H2>
        <P muted>CloudMFA Authenticator, the example app of the CloudMFA SDK (@cloudmfa/client).</P>
        <P muted>{`Platform: ${host.platform}. Device keys: ${host.deviceKeyStorage}.`}</P>
        <P muted>{pushToken ? 'Push notifications: on.' : 'Push notifications: off; the app checks for requests when you ask.'}</P>
      </Card>
    </Screen>
  );
}
