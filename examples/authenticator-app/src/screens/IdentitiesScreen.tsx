// Identities list: each identity with its current code (grouped digits), a countdown ring and
// the seconds left; tap to copy; a badge when a push request is waiting; an empty state that
// explains how to add a token.
import type { IdentityCode } from '@cloudmfa/client';
import { useState } from 'react';
import { Pressable, Text, View } from 'react-native';
import { useApp, useAuthEvents, useBusy, useInbox, useTick } from '../engine/AuthProvider';
import { groupCode } from '../messages';
import { CountdownRing } from '../ui/CountdownRing';
import { Button, Card, colors, Message, P, Screen, TextButton } from '../ui/kit';

export function IdentitiesScreen({ onAdd, onSettings, onPush }: { onAdd: () => void; onSettings: () => void; onPush: (requestId: string) => void }) {
  const { auth, host } = useApp();
  useAuthEvents();
  useTick(1000);
  const [copied, setCopied] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, run] = useBusy();
  const identities = auth.list();
  const codes = auth.codes();
  const inbox = useInbox() ?? [];
  const byId = new Map<string, IdentityCode>(codes.ok ? codes.codes.map((c) => [c.id, c]) : []);

  const refresh = () =>
    run(async () => {
      const r = await auth.refresh();
      setNote(r.failed > 0 ? 'Some servers could not be reached.' : r.added > 0 ? null : 'No sign-in requests are waiting.');
    });

  return (
    <Screen
      title="Tokens"
      actions={
        <>
          {auth.status().hasPin ? <TextButton label="Lock" onPress={() => auth.lock()} /> : null}
          <TextButton label="Settings" onPress={onSettings} />
        </>
      }
    >
      {codes.ok && codes.clock.skewed ? (
        <Message kind="error">{`Your phone's clock is ${Math.round(Math.abs(codes.clock.offsetMs) / 1000)} s ${codes.clock.offsetMs < 0 ? 'fast' : 'slow'}. Codes use the server's time.`}</Message>
      ) : null}
      {inbox.length > 0 ? (
        <Pressable role="button" accessibilityLabel={`${inbox.length} sign-in request${inbox.length > 1 ? 's' : ''} waiting`} onPress={() => onPush(inbox[0].id)} style={{ backgroundColor: '#fef3c7', borderRadius: 8, padding: 12 }}>
          <Text style={{ fontWeight: '600' }}>{`${inbox.length} sign-in request${inbox.length > 1 ? 's' : ''} waiting`}</Text>
          <Text>{`${inbox[0].service} · ${inbox[0].issuer}`}</Text>
        </Pressable>
      ) : null}
      {identities.length === 0 ? (
        <Card>
          <P>No tokens yet.</P>
          <P muted>
            To add one, tap "Add token" and scan the QR code from your activation e-mail (or paste its text). The e-mail also gives the password that unlocks the QR code. Google Authenticator QR codes and exports work too.
          </P>
        </Card>
      ) : null}
      {identities.map((identity) => {
        const code = byId.get(identity.id);
        const waiting = inbox.filter((r) => r.identityId === identity.id);
        const text = code && code.code ? code.code : null;
        return (
          <Pressable
            key={identity.id}
            role="button"
            accessibilityLabel={`${identity.name} code ${text ?? 'none'}, tap to copy`}
            onPress={async () => {
              if (code?.type === 'hotp') {
                const r = await auth.nextHotpCode(identity.id);
                if (r.ok) {
                  await host.copy(r.code);
                  setCopied(identity.id);
                }
                return;
              }
              if (text) {
                await host.copy(text);
                setCopied(identity.id);
              }
            }}
          >
            <Card>
              <View style={{ flexDirection: 'row', justifyContent: 'space-between', alignItems: 'center' }}>
                <View style={{ flexShrink: 1 }}>
                  <Text style={{ fontSize: 16, fontWeight: '600', color: colors.text }}>{identity.name}</Text>
                  <Text style={{ color: colors.muted }}>{identity.account ? `${identity.account} · ${identity.issuer}` : identity.issuer}</Text>
                </View>
                {waiting.length > 0 ? (
                  <Pressable role="button" accessibilityLabel={`Push request for ${identity.name}`} onPress={() => onPush(waiting[0].id)} style={{ backgroundColor: colors.danger, borderRadius: 12, paddingHorizontal: 8, paddingVertical: 2 }}>
                    <Text style={{ color: '#fff', fontWeight: '700' }}>{waiting.length}</Text>
                  </Pressable>
                ) : null}
              </View>
              <View style={{ flexDirection: 'row', alignItems: 'center', gap: 12 }}>
                <Text testID={`code-${identity.id}`} style={{ fontSize: 32, fontVariant: ['tabular-nums'], letterSpacing: 2, color: colors.brand }}>
                  {code?.type === 'hotp' ? (text ? groupCode(text) : 'Tap for a code') : text ? groupCode(text) : '––– –––'}
                </Text>
                {code?.type === 'totp' ? (
                  <>
                    <CountdownRing fraction={code.fraction} />
                    <Text style={{ color: colors.muted }}>{`${code.secondsLeft} s`}</Text>
                  </>
                ) : null}
              </View>
              {copied === identity.id ? <Message kind="ok">Copied</Message> : null}
            </Card>
          </Pressable>
        );
      })}
      <Button label="Add token" onPress={onAdd} />
      {identities.some((i) => i.push) ? <Button kind="secondary" label="Check for sign-in requests" onPress={refresh} disabled={busy} /> : null}
      {note ? <Message>{note}</Message> : null}
    </Screen>
  );
}
