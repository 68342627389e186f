// React glue for the engine: one Authenticator for the app, re-rendering on its events
// (`subscribe`), a one-second tick for codes and countdowns, and the app's own settings
// (auto-lock) kept in the host store beside the vault.
import type { Authenticator, AuthenticatorEvent, InboxItem } from '@cloudmfa/client';
import { utf8Decode, utf8Encode } from '@cloudmfa/core';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import type { Host, NotificationEvent } from '../host/types';
import { createAppAuthenticator, DEFAULT_AUTO_LOCK_MS } from './createAppAuthenticator';

const SETTINGS_KEY = 'app.settings';

export interface AppSettings {
  autoLockMs: number;
}

/** A request the user opened from a notification, with the action chosen there; `n` counts the openings. */
interface OpenedRequest {
  requestId: string;
  intent: 'confirm' | 'suspicious' | null;
  n: number;
}

interface AuthContextValue {
  auth: Authenticator;
  /** The last request opened from a notification (the screens navigate to it). */
  opened: OpenedRequest | null;
  host: Host;
  settings: AppSettings;
  pushToken: string | null;
  /** Saves the settings and re-creates the engine with them (the vault locks). */
  saveSettings(next: AppSettings): Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export async function loadSettings(host: Host): Promise<AppSettings> {
  const raw = await host.store.get(SETTINGS_KEY).catch(() => null);
  if (!raw) return { autoLockMs: DEFAULT_AUTO_LOCK_MS };
  try {
    const parsed = JSON.parse(utf8Decode(raw)) as Partial<AppSettings>;
    const ms = parsed.autoLockMs;
    return { autoLockMs: typeof ms === 'number' && Number.isInteger(ms) && ms >= 0 && ms <= 3_600_000 ? ms : DEFAULT_AUTO_LOCK_MS };
  } catch {
    return { autoLockMs: DEFAULT_AUTO_LOCK_MS };
  }
}

export interface AuthProviderProps {
  host: Host;
  children: ReactNode;
  /** Replaces createAppAuthenticator's defaults (tests: a pinned clock, seeded randomness, an in-process server). */
  engine?: Pick<Parameters<typeof createAppAuthenticator>[0], 'fetch' | 'now' | 'random'>;
  /** Shown while the vault opens. */
  fallback?: ReactNode;
  /** Shown when the vault cannot be opened (ERR_VAULT_DAMAGED...). */
  renderError?: (error: unknown) => ReactNode;
}

export function AuthProvider({ host, children, engine, fallback = null, renderError }: AuthProviderProps) {
  const [value, setValue] = useState<Omit<AuthContextValue, 'opened'> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  const [opened, setOpened] = useState<OpenedRequest | null>(null);

  useEffect(() => {
    let live = true;
    (async () => {
      const settings = await loadSettings(host);
      const pushToken = await host.pushToken().catch(() => null);
      const auth = await createAppAuthenticator({ host, pushToken, autoLockMs: settings.autoLockMs, ...engine });
      if (!live) return;
      const saveSettings = async (next: AppSettings) => {
        await host.store.set(SETTINGS_KEY, utf8Encode(JSON.stringify(next)));
        auth.lock();
        setGeneration((g) => g + 1);
      };
      setValue({ auth, host, settings, pushToken, saveSettings });
    })().catch((e: unknown) => {
      if (live) setError(e);
    });
    return () => {
      live = false;
    };
    // `engine` is fixed for the provider's life: a new one is not a reason to reopen the vault.
  }, [host, generation]);

  // Notifications and token changes go to the engine as the platform hands them over.
  useEffect(() => {
    if (!value) return;
    const { auth } = value;
    let live = true;
    const stopNotes = host.onNotification((event) => {
      void handleNotification(auth, event).then((open) => {
        if (open && live) setOpened((o) => ({ ...open, n: (o?.n ?? 0) + 1 }));
      });
    });
    const stopToken = host.onPushToken((token) => {
      void auth.setPushToken(token);
    });
    return () => {
      live = false;
      stopNotes();
      stopToken();
    };
  }, [host, value]);

  if (error !== null) return <>{renderError ? renderError(error) : null}</>;
  if (!value) return <>{fallback}</>;
  return <AuthContext.Provider value={{ ...value, opened }}>{children}</AuthContext.Provider>;
}

/**
 * Gives a notification to the engine (which verifies it and adds the request), then decides what
 * the user's gesture opens: nothing for a notification shown while the app runs (the list opens
 * new requests by itself), the request for a tap, Confirm or Suspicious (the screen asks for the
 * PIN first when the policy does), and a local discard for Cancel (nothing is sent).
 */
async function handleNotification(auth: Authenticator, event: NotificationEvent): Promise<Omit<OpenedRequest, 'n'> | null> {
  const r = await auth.receiveNotification(event.payload);
  if (!r.ok && r.reason === 'fetch-needed') await auth.refresh();
  const requestId = r.ok ? r.requestId : event.challengeId;
  if (event.action === 'delivered' || requestId === null) return null;
  if (event.action === 'cancel') {
    await auth.respond({ requestId, decision: 'cancel' });
    return null;
  }
  return { requestId, intent: event.action === 'open' ? null : event.action };
}

export function useApp(): AuthContextValue {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useApp() outside <AuthProvider>');
  return v;
}

function useAuth(): Authenticator {
  return useApp().auth;
}

/** Re-renders on each engine event (or only those of `types`). */
export function useAuthEvents(types?: readonly AuthenticatorEvent['type'][]): number {
  const auth = useAuth();
  const [n, setN] = useState(0);
  useEffect(
    () =>
      auth.subscribe((e) => {
        if (!types || types.includes(e.type)) setN((x) => x + 1);
      }),
    // `types` is a constant list at each call site.
    [auth],
  );
  return n;
}

/**
 * The push inbox, read outside render: once after mounting, after every engine event, and every
 * `tickMs` (countdowns, expiry). `auth.inbox()` drops expired requests and may emit `inbox` as it
 * does; called while rendering, that event would update other components in the middle of a
 * render (React refuses that), so no screen reads it during render. `null` until the first read.
 */
export function useInbox(tickMs = 1000): readonly InboxItem[] | null {
  const auth = useAuth();
  const [items, setItems] = useState<readonly InboxItem[] | null>(null);
  useEffect(() => {
    let live = true;
    // A read inside the listener may emit again (the expired requests it drops); the engine
    // emits only when something changed, so the second read is quiet.
    const read = () => {
      if (live) setItems(auth.inbox());
    };
    const stop = auth.subscribe(read);
    read();
    const timer = setInterval(read, tickMs);
    return () => {
      live = false;
      stop();
      clearInterval(timer);
    };
  }, [auth, tickMs]);
  return items;
}

/** Re-renders every `ms` (codes, countdowns); returns Date.now(). */
export function useTick(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** Runs an async action once at a time; `busy` while it runs. */
export function useBusy(): [boolean, <T>(fn: () => Promise<T>) => Promise<T>] {
  const [busy, setBusy] = useState(false);
  const run = useCallback(async <T,>(fn: () => Promise<T>) => {
    setBusy(true);
    try {
      return await fn();
    } finally {
      setBusy(false);
    }
  }, []);
  return [busy, run];
}
