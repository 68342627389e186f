// The lock screen: PIN (or biometrics when enabled). Pending sign-in requests stay visible:
// they can be opened (the request screen asks for the PIN before an answer).
import type { UnlockResult } from '@cloudmfa/client';
import { useState } from 'react';
import { useApp, useAuthEvents, useBusy, useInbox, useTick } from '../engine/AuthProvider';
import { Button, Field, Message, P, Screen } from '../ui/kit';

function unlockMessage(r: Exclude<UnlockResult, { ok: true }>, now: number): string {
  switch (r.reason) {
    case 'wrong-pin':
      return r.attemptsLeft !== null ? `Wrong PIN. ${r.attemptsLeft} attempts left before the tokens are erased.` : r.retryAt !== null && r.retryAt > now ? `Wrong PIN. Try again in ${Math.ceil((r.retryAt - now) / 1000)} s.` : 'Wrong PIN.';
    case 'too-soon':
      return `Too many wrong PINs. Try again in ${Math.ceil((r.retryAt - now) / 1000)} s.`;
    case 'wiped':
      return 'Too many wrong PINs: the tokens were erased. Add them again.';
    case 'cancelled':
      return 'Biometrics cancelled. Enter your PIN.';
    case 'biometrics-invalid':
      return 'Your biometrics changed since they were set up. Enter your PIN, then turn biometrics on again in Settings.';
  }
}

/** PIN entry used by the lock screen and before answering a push. */
export function PinPrompt({ prompt, onUnlocked }: { prompt: string; onUnlocked?: () => void }) {
  const { auth } = useApp();
  const now = useTick(1000);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, run] = useBusy();
  const status = auth.status();
  const submit = () =>
    run(async () => {
      const r = await auth.unlock(pin);
      setPin('');
      if (r.ok) {
        setError(null);
        onUnlocked?.();
      } else setError(unlockMessage(r, Date.now()));
    });
  return (
    <>
      <P>{prompt}</P>
      <Field label="PIN" value={pin} onChangeText={setPin} secureTextEntry keyboardType="number-pad" onSubmitEditing={submit} />
      {error ? <Message kind="error">{error}</Message> : null}
      <Button label="Unlock" onPress={submit} disabled={busy || pin.length === 0 || (status.retryAt !== null && status.retryAt > now)} />
      {status.hasBiometrics ? (
        <Button
          kind="secondary"
          label="Use biometrics"
          disabled={busy}
          onPress={() =>
            run(async () => {
              const r = await auth.unlockWithBiometrics();
              if (r.ok) onUnlocked?.();
              else setError(unlockMessage(r, Date.now()));
            })
          }
        />
      ) : null}
    </>
  );
}

export function UnlockScreen({ onPush }: { onPush: (requestId: string) => void }) {
  const { auth } = useApp();
  useAuthEvents(['lock']);
  const [busy, run] = useBusy();
  const [note, setNote] = useState<string | null>(null);
  const inbox = useInbox() ?? [];
  return (
    <Screen title="Locked">
      <PinPrompt prompt="Enter your PIN to see your codes." />
      {inbox.length > 0 ? <Button kind="secondary" label={`${inbox.length} sign-in request${inbox.length > 1 ? 's' : ''} waiting`} onPress={() => onPush(inbox[0].id)} /> : null}
      {/* Requests are verified and shown while locked (the engine's public index); answering needs the PIN. */}
      {auth.list().some((i) => i.push) ? (
        <Button
          kind="secondary"
          label="Check for sign-in requests"
          disabled={busy}
          onPress={() =>
            run(async () => {
              const r = await auth.refresh();
              setNote(r.failed > 0 ? 'Some servers could not be reached.' : r.added === 0 && auth.inbox().length === 0 ? 'No sign-in requests are waiting.' : null);
            })
          }
        />
      ) : null}
      {note ? <Message>{note}</Message> : null}
    </Screen>
  );
}
