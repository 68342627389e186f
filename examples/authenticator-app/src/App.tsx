// The app: the host's seams into one Authenticator (AuthProvider), then a small screen stack.
// No navigation library: the screens are few and the state of each is the engine's.
import type { ActivationFlow } from '@cloudmfa/client';
import { useEffect, useState } from 'react';
import { View } from 'react-native';
import { AuthProvider, type AuthProviderProps, useApp, useAuthEvents } from './engine/AuthProvider';
import type { Host } from './host/types';
import { AddScreen } from './screens/AddScreen';
import { FlowScreen } from './screens/FlowScreens';
import { IdentitiesScreen } from './screens/IdentitiesScreen';
import { PushScreen } from './screens/PushScreen';
import { ScanScreen } from './screens/ScanScreen';
import { SettingsScreen } from './screens/SettingsScreen';
import { UnlockScreen } from './screens/UnlockScreen';
import { Message, P, Screen } from './ui/kit';

type Route =
  | { name: 'list' }
  | { name: 'add' }
  | { name: 'scan' }
  | { name: 'flow'; flow: ActivationFlow }
  | { name: 'push'; requestId: string; intent?: 'confirm' | 'suspicious' | null }
  | { name: 'settings' };

function Screens() {
  const { auth, opened } = useApp();
  useAuthEvents(['lock', 'inbox']);
  const [route, setRoute] = useState<Route>({ name: 'list' });
  const home = () => setRoute({ name: 'list' });
  const openPush = (requestId: string) => setRoute({ name: 'push', requestId });

  // A request that arrives while the list is shown opens by itself (a tapped notification does the same).
  useEffect(() => auth.subscribe((e) => {
    if (e.type !== 'inbox') return;
    const first = auth.inbox()[0];
    setRoute((r) => (first && r.name === 'list' ? { name: 'push', requestId: first.id } : r));
  }), [auth]);

  // A tapped notification (or its Confirm / Suspicious action) opens its request, whatever is shown.
  useEffect(() => {
    if (opened) setRoute({ name: 'push', requestId: opened.requestId, intent: opened.intent });
  }, [opened]);

  // Pending requests are looked for when the app starts: push delivery is never the only path.
  useEffect(() => {
    if (auth.list().some((i) => i.push)) void auth.refresh();
  }, [auth]);

  if (route.name === 'push') return <PushScreen key={route.requestId} requestId={route.requestId} intent={route.intent ?? null} onBack={home} />;
  // The activation flow has its own PIN steps; every other screen needs the vault open.
  if (route.name === 'flow') return <FlowScreen flow={route.flow} onDone={home} onCancel={home} />;
  if (auth.status().state === 'locked') return <UnlockScreen onPush={openPush} />;
  switch (route.name) {
    case 'list':
      return <IdentitiesScreen onAdd={() => setRoute({ name: 'add' })} onSettings={() => setRoute({ name: 'settings' })} onPush={openPush} />;
    case 'add':
      return <AddScreen onBack={home} onScan={() => setRoute({ name: 'scan' })} onFlow={(flow) => setRoute({ name: 'flow', flow })} />;
    case 'scan':
      return <ScanScreen onBack={() => setRoute({ name: 'add' })} onFlow={(flow) => setRoute({ name: 'flow', flow })} />;
    case 'settings':
      return <SettingsScreen onBack={home} />;
  }
}

export function AppShell({ host, engine }: { host: Host; engine?: AuthProviderProps['engine'] }) {
  return (
    <View style={{ flex: 1 }}>
      <AuthProvider
        host={host}
        engine={engine}
        fallback={
          <Screen title="CloudMFA">
            <P muted>Opening…</P>
          </Screen>
        }
        renderError={() => (
          <Screen title="CloudMFA">
            <Message kind="error">The token store on this device cannot be opened. Restore a backup after reinstalling the app.</Message>
          </Screen>
        )}
      >
        <Screens />
      </AuthProvider>
    </View>
  );
}
