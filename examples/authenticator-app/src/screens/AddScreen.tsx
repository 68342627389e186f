// Add (+): "Scan QR code" (the camera) or "Enter text" (paste: web and simulators). Both hand
// the text to the same routing (`scan` / `begin`): activation envelopes, otpauth:// URIs and
// Google Authenticator migration QR codes (part after part).
import type { ActivationFlow } from '@cloudmfa/client';
import { useState } from 'react';
import { useApp } from '../engine/AuthProvider';
import { scanMessages } from '../messages';
import { Button, Field, Message, P, Screen } from '../ui/kit';

export type BeginOutcome = { ok: true; flow: ActivationFlow } | { ok: false; message: string; info?: boolean };

/**
 * What to do with a scanned or pasted text: a flow, or a sentence (a migration part still
 * missing is information, not an error). `begin` routes the text itself (it is `scan` plus the
 * flow): calling `scan` first would record a migration part twice (`migration-duplicate`).
 */
export function beginFromText(auth: ReturnType<typeof useApp>['auth'], text: string): BeginOutcome {
  const begun = auth.begin(text);
  if (begun.ok) return { ok: true, flow: begun.flow };
  if (begun.reason === 'migration-incomplete') {
    return { ok: false, info: true, message: `Part scanned. Scan part ${(begun.missing ?? []).join(', ')} of the export next.` };
  }
  return { ok: false, message: scanMessages[begun.reason] };
}

export function AddScreen({ onBack, onScan, onFlow }: { onBack: () => void; onScan: () => void; onFlow: (flow: ActivationFlow) => void }) {
  const { auth } = useApp();
  const [text, setText] = useState('');
  const [message, setMessage] = useState<{ text: string; info?: boolean } | null>(null);
  const next = () => {
    const r = beginFromText(auth, text);
    if (r.ok) onFlow(r.flow);
    else {
      setMessage({ text: r.message, info: r.info });
      if (r.info) setText('');
    }
  };
  return (
    <Screen title="Add token" onBack={onBack}>
      <Button label="Scan QR code" onPress={onScan} />
      <P muted>Or enter the text of the QR code (on a computer or a simulator, paste it):</P>
      <Field label="QR code text" value={text} onChangeText={setText} multiline placeholder="CMFA:… or otpauth://…" />
      {message ? <Message kind={message.info ? 'info' : 'error'}>{message.text}</Message> : null}
      <Button label="Continue" onPress={next} disabled={text.trim().length === 0} />
    </Screen>
  );
}
