// A push request, opened from the notification (or the list's badge). When the identity's
// policy asks for a PIN and the app is locked, the PIN (or biometrics) comes first; then the
// request's context, the number to type when number matching is on, and Confirm / Cancel /
// Suspicious with the seed's explanation of each.
import type { Authenticator } from '@cloudmfa/client';
import { useEffect, useRef, useState } from 'react';
import { useApp, useAuthEvents, useBusy, useInbox } from '../engine/AuthProvider';
import { decisionHelp, mmss, respondMessages } from '../messages';
import { Button, Card, Field, H2, Message, P, Screen } from '../ui/kit';
import { PinPrompt } from './UnlockScreen';

type Decision = Parameters<Authenticator['respond']>[0]['decision'];

const outcomeText = { approved: 'Approved. You can go back to the sign-in page.', denied: 'Denied and reported to your organisation.', cancelled: 'Cancelled. Nothing was sent.' } as const;

/**
 * `intent`: the action chosen on the notification. Suspicious is sent as soon as the request may
 * be answered (after the PIN when the policy asks for it): denying needs no more than that.
 * Confirm still shows the request and waits for the tap (and the number): an approval is never
 * given on the notification's generic text alone.
 */
export function PushScreen({ requestId, intent = null, onBack }: { requestId: string; intent?: 'confirm' | 'suspicious' | null; onBack: () => void }) {
  const { auth } = useApp();
  useAuthEvents(['lock']);
  const inbox = useInbox();
  const [number, setNumber] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<keyof typeof outcomeText | null>(null);
  const [busy, run] = useBusy();
  const item = inbox?.find((r) => r.id === requestId);
  const locked = auth.status().state === 'locked';
  const mayAnswer = item !== undefined && !(item.requiresPin && locked);
  const sentIntent = useRef(false);
  const answer = (decision: Decision) =>
    run(async () => {
      const r = await auth.respond({ requestId, decision, number: item?.numberMatch && decision === 'confirm' ? number : undefined });
      if (r.ok) setOutcome(r.status);
      else setError(respondMessages[r.reason]);
    });
  useEffect(() => {
    if (intent !== 'suspicious' || !mayAnswer || sentIntent.current) return;
    sentIntent.current = true;
    void answer('suspicious');
  });

  if (outcome) {
    return (
      <Screen title="Sign-in request" onBack={onBack}>
        <Message kind={outcome === 'approved' ? 'ok' : 'info'}>{outcomeText[outcome]}</Message>
        <Button label="Back to tokens" onPress={onBack} />
      </Screen>
    );
  }
  if (inbox === null) return <Screen title="Sign-in request" onBack={onBack}>{null}</Screen>;
  if (!item) {
    return (
      <Screen title="Sign-in request" onBack={onBack}>
        <Message>This request is no longer waiting (answered or expired).</Message>
        <Button label="Back to tokens" onPress={onBack} />
      </Screen>
    );
  }
  if (!mayAnswer) {
    return (
      <Screen title="Sign-in request" onBack={onBack}>
        <PinPrompt prompt={`${item.issuer} asks for your PIN before you answer a sign-in request.`} />
      </Screen>
    );
  }
  const rows: Array<[string, string | undefined]> = [
    ['Message', item.message],
    ['Location', item.location],
    ['IP address', item.ip],
    ['Device', item.device],
    ['Time', item.time !== undefined ? new Date(item.time).toUTCString() : undefined],
  ];
  return (
    <Screen title="Sign-in request" onBack={onBack}>
      <Card>
        <H2>{`${item.service}`}</H2>
        <P muted>{`${item.issuer} · ${item.identityName}`}</P>
        {rows.filter(([, v]) => v).map(([k, v]) => (
          <P key={k}>{`${k}: ${v}`}</P>
        ))}
        <P muted>{`${mmss(item.secondsLeft)} left to answer`}</P>
      </Card>
      {intent === 'confirm' ? <Message>You chose Confirm on the notification: check the request, then confirm it here.</Message> : null}
      {item.numberMatch ? <Field label="Type the number shown on the sign-in page" value={number} onChangeText={setNumber} keyboardType="number-pad" maxLength={4} /> : null}
      {error ? <Message kind="error">{error}</Message> : null}
      <Button label="Confirm" onPress={() => answer('confirm')} disabled={busy || (item.numberMatch && number.length === 0)} hint={decisionHelp.confirm} />
      <P muted>{decisionHelp.confirm}</P>
      <Button kind="secondary" label="Cancel" onPress={() => answer('cancel')} disabled={busy} hint={decisionHelp.cancel} />
      <P muted>{decisionHelp.cancel}</P>
      <Button kind="danger" label="Suspicious" onPress={() => answer('suspicious')} disabled={busy} hint={decisionHelp.suspicious} />
      <P muted>{decisionHelp.suspicious}</P>
    </Screen>
  );
}
