// The entry component: the platform's host (host.ts on phones, host.web.ts in browsers), then the app.
import { useEffect, useState } from 'react';
import { AppShell } from './App';
import { createHost } from './host/host';
import type { Host } from './host/types';

export function Root() {
  const [host, setHost] = useState<Host | null>(null);
  useEffect(() => {
    void createHost().then(setHost);
  }, []);
  return host ? <AppShell host={host} /> : null;
}
