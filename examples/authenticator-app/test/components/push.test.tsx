// Push request: the notification as expo-notifications hands it over, carrying the APNs and
// FCM payloads exactly as @cloudmfa/server built them (their JSON bytes); the PIN first; the
// context; number matching; Confirm / Suspicious / Cancel; a failure to send.
import { act, fireEvent, screen } from '@testing-library/react-native';
import { addThroughUi, PIN, renderApp, testHost, testServer } from './harness';

const CONTEXT = { service: 'Acme VPN', message: 'Sign in to the VPN', ip: '203.0.113.9', location: 'Berlin, DE', device: 'Firefox on Linux' };

async function enrolled() {
  const srv = testServer();
  const host = testHost();
  const started = await srv.server.startActivation({ userId: 'alice', account: 'alice@acme.example' });
  renderApp(host, srv);
  await addThroughUi(started.text, started.password, { pin: PIN });
  fireEvent.press(screen.getByRole('button', { name: 'Lock' }));
  await screen.findByRole('heading', { name: 'Locked' });
  return { srv, host };
}

async function sendPush(srv: ReturnType<typeof testServer>, numberMatch: boolean) {
  srv.clock.advance(30_000);
  const r = await srv.server.createPushChallenge({ userId: 'alice', context: CONTEXT, numberMatch });
  if (!r.ok) throw new Error(`push refused: ${r.reason}`);
  return r;
}

/** iOS: expo-notifications' Notification.request for a remote notification (`trigger.payload` is the APNs dictionary). */
/** The push screen's PIN step (not the lock screen's): the request is there, its details not yet. */
async function pinFirst(): Promise<void> {
  await screen.findByText('Acme Corporation asks for your PIN before you answer a sign-in request.');
  expect(screen.queryByRole('button', { name: 'Confirm' })).toBeNull();
  fireEvent.changeText(screen.getByLabelText('PIN'), PIN);
  fireEvent.press(screen.getByRole('button', { name: 'Unlock' }));
}

const iosRequest = (apnsJson: string) => {
  const payload = JSON.parse(apnsJson);
  return { identifier: 'n1', content: { title: payload.aps.alert.title, body: payload.aps.alert.body, data: { cloudmfa: payload.cloudmfa } }, trigger: { type: 'push', payload } };
};
/** Android: FCM data message (`trigger.remoteMessage.data` is the data map). */
const androidRequest = (fcmJson: string) => {
  const message = JSON.parse(fcmJson);
  return { identifier: 'n2', content: { title: message.data.title, body: message.data.body, data: message.data }, trigger: { type: 'push', remoteMessage: { data: message.data, priority: 'high' } } };
};

describe('Push request', () => {
  it('iOS notification: PIN first (a wrong one refused), then the context and the number; Confirm approves', async () => {
    const { srv, host } = await enrolled();
    const push = await sendPush(srv, true);
    expect(push.apns.challengeIncluded).toBe(true);
    act(() => host.notify(iosRequest(push.apns.json)));
    expect(await screen.findByText('Acme Corporation asks for your PIN before you answer a sign-in request.')).toBeTruthy();
    expect(screen.queryByText('Location: Berlin, DE')).toBeNull();
    fireEvent.changeText(screen.getByLabelText('PIN'), '000000');
    fireEvent.press(screen.getByRole('button', { name: 'Unlock' }));
    expect(await screen.findByText('Wrong PIN.')).toBeTruthy();
    fireEvent.changeText(screen.getByLabelText('PIN'), PIN);
    fireEvent.press(screen.getByRole('button', { name: 'Unlock' }));
    expect(await screen.findByText('Location: Berlin, DE')).toBeTruthy();
    expect(screen.getByText('IP address: 203.0.113.9')).toBeTruthy();
    expect(screen.getByText('Device: Firefox on Linux')).toBeTruthy();
    expect(screen.getByText('2:00 left to answer')).toBeTruthy();
    expect(screen.getByText('Suspicious: it was not you. The sign-in is denied, logged, and your organisation is alerted.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Confirm' })).toBeDisabled();
    fireEvent.changeText(screen.getByLabelText('Type the number shown on the sign-in page'), push.number as string);
    fireEvent.press(screen.getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText('Approved. You can go back to the sign-in page.')).toBeTruthy();
    expect((await srv.server.getChallengeStatus(push.challengeId))?.status).toBe('approved');
    expect(srv.events.map((e) => e.kind)).toContain('push.approved');
  });

  it('Android notification: Suspicious denies it and raises a risk event', async () => {
    const { srv, host } = await enrolled();
    const push = await sendPush(srv, false);
    act(() => host.notify(androidRequest(push.fcm.json)));
    await pinFirst();
    fireEvent.press(await screen.findByRole('button', { name: 'Suspicious' }));
    expect(await screen.findByText('Denied and reported to your organisation.')).toBeTruthy();
    expect((await srv.server.getChallengeStatus(push.challengeId))?.status).toBe('denied');
    expect(srv.events.filter((e) => e.risk).map((e) => e.kind)).toContain('push.suspicious');
  });

  it('Cancel sends nothing: the challenge stays pending and nothing is audited', async () => {
    const { srv } = await enrolled();
    const push = await sendPush(srv, false);
    // No notification (a web build, a lost push): the lock screen's check polls the server.
    fireEvent.press(screen.getByRole('button', { name: 'Check for sign-in requests' }));
    const before = srv.events.length;
    await pinFirst();
    fireEvent.press(await screen.findByRole('button', { name: 'Cancel' }));
    expect(await screen.findByText('Cancelled. Nothing was sent.')).toBeTruthy();
    expect((await srv.server.getChallengeStatus(push.challengeId))?.status).toBe('pending');
    expect(srv.events.length).toBe(before);
  });

  it('keeps the request when the answer cannot be sent, and sends it on the next try', async () => {
    const { srv, host } = await enrolled();
    const push = await sendPush(srv, false);
    act(() => host.notify(iosRequest(push.apns.json)));
    await pinFirst();
    srv.setOffline(true);
    fireEvent.press(await screen.findByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText('No connection. Your answer was not sent: try again.')).toBeTruthy();
    srv.setOffline(false);
    fireEvent.press(screen.getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText('Approved. You can go back to the sign-in page.')).toBeTruthy();
  });

  it('says so when the request is gone (expired before it was opened)', async () => {
    const { srv, host } = await enrolled();
    const push = await sendPush(srv, false);
    act(() => host.notify(iosRequest(push.apns.json)));
    await screen.findByText('Acme Corporation asks for your PIN before you answer a sign-in request.');
    srv.clock.advance(121_000);
    // The screen reads the inbox again at its next one-second tick.
    expect(await screen.findByText('This request is no longer waiting (answered or expired).')).toBeTruthy();
  });
});
