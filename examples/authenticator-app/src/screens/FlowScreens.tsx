// The activation flow, one screen per `flow.step()` (docs/client.md section 3):
// Password -> Review -> (PIN: set, then confirm) -> Account added.
import type { ActivationFlow, FlowStep } from '@cloudmfa/client';
import { useRef, useState } from 'react';
import { useApp, useBusy, useTick } from '../engine/AuthProvider';
import { confirmMessages, mmss, nameMessages, passwordMessages, pinChoiceMessages } from '../messages';
import { Button, Card, Field, H2, Message, P, Screen, Toggle } from '../ui/kit';

type Step<K extends FlowStep['step']> = Extract<FlowStep, { step: K }>;

export function FlowScreen({ flow, onDone, onCancel }: { flow: ActivationFlow; onDone: () => void; onCancel: () => void }) {
  const [, setVersion] = useState(0);
  const [wantBiometrics, setWantBiometrics] = useState(false);
  // The set-pin step does not repeat the policy: remember the one the user reviewed.
  const biometricsAllowed = useRef(false);
  const changed = () => setVersion((v) => v + 1);
  const cancel = async () => {
    await flow.cancel();
    onCancel();
  };
  const step = flow.step();
  if (step.step === 'review') biometricsAllowed.current = step.policy.biometricsAllowed;
  switch (step.step) {
    case 'password':
      return <PasswordScreen flow={flow} step={step} onChange={changed} onCancel={cancel} />;
    case 'review':
      return <ReviewScreen flow={flow} step={step} onChange={changed} onCancel={cancel} />;
    case 'set-pin':
      return <SetPinScreen flow={flow} step={step} onChange={changed} onCancel={cancel} biometrics={[wantBiometrics, setWantBiometrics]} biometricsAllowed={biometricsAllowed.current} />;
    case 'account':
      return <AccountScreen flow={flow} step={step} wantBiometrics={wantBiometrics} onDone={onDone} />;
    case 'failed':
      return (
        <Screen title="Not added" onBack={onCancel}>
          <Message kind="error">{confirmMessages[step.reason]}</Message>
          <Button label="Back to tokens" onPress={onCancel} />
        </Screen>
      );
    case 'done':
    case 'cancelled':
      return (
        <Screen title="Add token" onBack={onDone}>
          <Button label="Back to tokens" onPress={onDone} />
        </Screen>
      );
  }
}

interface StepProps<K extends FlowStep['step']> {
  flow: ActivationFlow;
  step: Step<K>;
  onChange: () => void;
  onCancel: () => void;
}

function PasswordScreen({ flow, step, onChange, onCancel }: StepProps<'password'>) {
  useTick(1000); // re-render each second: the step is read again from the engine, on its corrected clock
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, run] = useBusy();
  const live = flow.step();
  const secondsLeft = live.step === 'password' ? live.secondsLeft : step.secondsLeft;
  const unlock = () =>
    run(async () => {
      const r = await flow.unlock(password);
      if (r.ok) onChange();
      else {
        setError(passwordMessages[r.reason]);
        if (r.reason === 'wrong-password') setPassword('');
      }
    });
  return (
    <Screen title="Password" onBack={onCancel}>
      <P>Enter the password to unlock the QR code. It is in the activation e-mail, next to the QR code.</P>
      <P muted>{secondsLeft > 0 ? `This QR code can be used for ${mmss(secondsLeft)} more.` : 'This QR code may have expired; the server decides.'}</P>
      <Field label="Password" value={password} onChangeText={setPassword} secureTextEntry onSubmitEditing={unlock} />
      {error ? <Message kind="error">{error}</Message> : null}
      <Button label="Unlock" onPress={unlock} disabled={busy || password.length === 0} />
      {busy ? <P muted>Opening…</P> : null}
    </Screen>
  );
}

function ReviewScreen({ flow, step, onChange, onCancel }: StepProps<'review'>) {
  const { auth } = useApp();
  const [name, setName] = useState(step.name);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, run] = useBusy();
  const locked = auth.status().state === 'locked';
  const { policy } = step;
  const next = () =>
    run(async () => {
      if (name !== step.name) {
        const renamed = flow.rename(name);
        if (!renamed.ok) return setError(nameMessages[renamed.reason]);
      }
      const r = await flow.confirm(locked ? { pin } : {});
      if (r.ok || r.reason === 'pin-required') return onChange();
      setError(confirmMessages[r.reason]);
      setPin('');
      onChange();
    });
  return (
    <Screen title="Review" onBack={onCancel}>
      <P>Ensure it matches the company you expect. Only continue if you asked for this token.</P>
      <Card>
        <H2>{step.company}</H2>
        {step.origin ? <P muted>{`Server: ${step.origin.replace(/^https?:\/\//, '')}`}</P> : null}
        {step.account ? <P muted>{`Account: ${step.account}`}</P> : null}
        {step.accounts.length > 0 ? <P muted>{`${step.accounts.length} accounts: ${step.accounts.map((a) => a.account).join(', ')}`}</P> : null}
        <P muted>{policy.pinRequired ? `Your organisation requires a PIN (at least ${policy.minPinLength} digits).` : 'No PIN required by your organisation.'}</P>
        <P muted>{policy.biometricsAllowed ? 'Biometrics allowed.' : 'Biometrics not allowed by your organisation.'}</P>
      </Card>
      <Field label="Token name (optional)" value={name} onChangeText={setName} maxLength={64} />
      {locked ? <Field label="PIN" value={pin} onChangeText={setPin} secureTextEntry keyboardType="number-pad" /> : null}
      {error ? <Message kind="error">{error}</Message> : null}
      <Button label="Next" onPress={next} disabled={busy || (locked && pin.length === 0)} />
      {busy ? <P muted>Adding…</P> : null}
      <Button kind="secondary" label="Cancel" onPress={onCancel} disabled={busy} />
    </Screen>
  );
}

function SetPinScreen({ flow, step, onChange, onCancel, biometrics, biometricsAllowed }: StepProps<'set-pin'> & { biometrics: [boolean, (v: boolean) => void]; biometricsAllowed: boolean }) {
  const { host } = useApp();
  const [first, setFirst] = useState<string | null>(null);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, run] = useBusy();
  const [wantBiometrics, setWantBiometrics] = biometrics;
  const submit = () =>
    run(async () => {
      if (first === null) {
        if (pin.length < step.minPinLength) return setError(`At least ${step.minPinLength} digits.`);
        setFirst(pin);
        setPin('');
        setError(null);
        return;
      }
      const r = await flow.setPin({ pin: first, confirmation: pin });
      setFirst(null);
      setPin('');
      if (!r.ok) return setError(pinChoiceMessages[r.reason]);
      const confirmed = await flow.confirm();
      if (!confirmed.ok) setError(confirmMessages[confirmed.reason]);
      onChange();
    });
  return (
    <Screen title={first === null ? 'Set a PIN' : 'Confirm the PIN'} onBack={onCancel}>
      <P>{first === null ? `Your organisation requires a PIN to protect this token. Choose at least ${step.minPinLength} digits.` : 'Type the same PIN again.'}</P>
      <Field key={first === null ? 'set' : 'confirm'} label={first === null ? 'New PIN' : 'Confirm PIN'} value={pin} onChangeText={setPin} secureTextEntry keyboardType="number-pad" onSubmitEditing={submit} />
      {error ? <Message kind="error">{error}</Message> : null}
      {host.biometrics && biometricsAllowed ? <Toggle label="Also unlock with biometrics" value={wantBiometrics} onChange={setWantBiometrics} /> : null}
      <Button label={first === null ? 'Next' : 'Set PIN'} onPress={submit} disabled={busy || pin.length === 0} />
      {busy ? <P muted>Adding…</P> : null}
    </Screen>
  );
}

function AccountScreen({ flow, step, wantBiometrics, onDone }: { flow: ActivationFlow; step: Step<'account'>; wantBiometrics: boolean; onDone: () => void }) {
  const { auth } = useApp();
  const [error, setError] = useState<string | null>(null);
  const [busy, run] = useBusy();
  const save = () =>
    run(async () => {
      const r = await flow.save();
      if (!r.ok) return setError(r.reason === 'locked' ? 'Unlock the app first.' : 'Not possible at this step.');
      if (wantBiometrics) await auth.enableBiometrics();
      onDone();
    });
  return (
    <Screen title="Token added">
      {step.accounts.map((a) => (
        <Message kind="ok" key={`${a.issuer}/${a.account}`}>{`${a.account} at ${a.issuer} added`}</Message>
      ))}
      <P muted>{`Shown as "${step.name}".`}</P>
      {error ? <Message kind="error">{error}</Message> : null}
      <Button label="Done" onPress={save} disabled={busy} />
    </Screen>
  );
}
