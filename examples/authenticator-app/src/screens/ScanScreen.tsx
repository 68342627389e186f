// The camera (expo-camera's barcode scanner, QR only). Permission: asked when the screen opens;
// a refusal is explained, with a way to the system settings (the OS does not ask twice).
import type { ActivationFlow } from '@cloudmfa/client';
import { CameraView, useCameraPermissions } from 'expo-camera';
import { useRef, useState } from 'react';
import { View } from 'react-native';
import { useApp } from '../engine/AuthProvider';
import { Button, Message, P, Screen } from '../ui/kit';
import { beginFromText } from './AddScreen';

export function ScanScreen({ onBack, onFlow }: { onBack: () => void; onFlow: (flow: ActivationFlow) => void }) {
  const { auth, host } = useApp();
  const [permission, requestPermission] = useCameraPermissions();
  const [message, setMessage] = useState<{ text: string; info?: boolean } | null>(null);
  const last = useRef<string | null>(null);

  if (!permission) return <Screen title="Scan QR code" onBack={onBack}><P>Checking camera access…</P></Screen>;
  if (!permission.granted) {
    return (
      <Screen title="Scan QR code" onBack={onBack}>
        <P>The camera is used only to read the QR code from your activation e-mail.</P>
        {permission.canAskAgain ? (
          <Button label="Allow camera" onPress={() => void requestPermission()} />
        ) : (
          <>
            <Message kind="error">Camera access was denied. Allow it for this app in Settings, or go back and use "Enter text".</Message>
            <Button label="Open Settings" onPress={() => void host.openSettings()} />
          </>
        )}
      </Screen>
    );
  }
  return (
    <Screen title="Scan QR code" onBack={onBack}>
      <View style={{ height: 320, borderRadius: 12, overflow: 'hidden' }}>
        <CameraView
          style={{ flex: 1 }}
          facing="back"
          barcodeScannerSettings={{ barcodeTypes: ['qr'] }}
          onBarcodeScanned={({ data }) => {
            // The scanner reports the same code many times a second: act once per text.
            if (data === last.current) return;
            last.current = data;
            const r = beginFromText(auth, data);
            if (r.ok) onFlow(r.flow);
            else setMessage({ text: r.message, info: r.info });
          }}
        />
      </View>
      <P muted>Point the camera at the QR code in your activation e-mail.</P>
      {message ? <Message kind={message.info ? 'info' : 'error'}>{message.text}</Message> : null}
    </Screen>
  );
}
