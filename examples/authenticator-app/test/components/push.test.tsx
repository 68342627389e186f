// Push request: the notifications carry the APNs and FCM payloads exactly as @cloudmfa/server
// built them (their JSON bytes), in the shapes expo-notifications hands them over on iOS and
// Android (fakeExpoNotifications.ts), through the app's own notification code
// (src/host/notifications.ts, the AuthProvider's handler) into the engine; the PIN first; the
// context; number matching; Confirm / Suspicious / Cancel, as buttons and as notification actions;
// a failure to send.
import { createSoftwareSigner } from '@cloudmfa/core';
import { buildApnsPayload, buildFcmPayload, createPushChallenge } from '@cloudmfa/push/server';
import { act, fireEvent, screen } from '@testing-library/react-native';
import { Platform } from 'react-native';
import { notificationSeams } from '../../src/host/notifications';
import * as expo from './fakeExpoNotifications';
import { addThroughUi, PIN, renderApp, testHost, testServer } from './harness';

jest.mock('expo-notifications', () => require('./fakeExpoNotifications').expoNotificationsStandIn);

const CONTEXT = { service: 'Acme VPN', message: 'Sign in to the VPN', ip: '203.0.113.9', location: 'Berlin, DE', device: 'Firefox on Linux' };

beforeEach(() => expo.reset());

async function enrolled() {
  const srv = testServer();
  const host = testHost({ notifications: notificationSeams() });
  const started = await srv.server.startActivation({ userId: 'alice', account: 'alice@acme.example' });
  const app = renderApp(host, srv);
  await addThroughUi(started.text, started.password, { pin: PIN });
  fireEvent.press(screen.getByRole('button', { name: 'Lock' }));
  await screen.findByRole('heading', { name: 'Locked' });
  return { srv, host, app };
}

async function sendPush(srv: ReturnType<typeof testServer>, numberMatch: boolean) {
  srv.clock.advance(30_000);
  const r = await srv.server.createPushChallenge({ userId: 'alice', context: CONTEXT, numberMatch });
  if (!r.ok) throw new Error(`push refused: ${r.reason}`);
  return r;
}

/** The push screen's PIN step (not the lock screen's): the request is there, its details not yet. */
async function pinFirst(): Promise<void> {
  await screen.findByText('Acme Corporation asks for your PIN before you answer a sign-in request.');
  expect(screen.queryByRole('button', { name: 'Confirm' })).toBeNull();
  expect(screen.queryByText('Location: Berlin, DE')).toBeNull();
  fireEvent.changeText(screen.getByLabelText('PIN'), PIN);
  fireEvent.press(screen.getByRole('button', { name: 'Unlock' }));
}

describe('Push request', () => {
  it('iOS notification: PIN first (a wrong one refused), then the context and the number; Confirm approves', async () => {
    const { srv } = await enrolled();
    const push = await sendPush(srv, true);
    expect(push.apns.challengeIncluded).toBe(true);
    act(() => expo.deliver(expo.fromApns(push.apns.json)));
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

  it('Android, app not running: the tap on the notification Android drew from the FCM message starts the app on the request; Suspicious denies it with a risk event', async () => {
    const { srv, host, app } = await enrolled();
    app.unmount();
    const push = await sendPush(srv, false);
    expect(push.fcm.challengeIncluded).toBe(true);
    // Tapped before the app ran: expo-notifications keeps it as the last response.
    expo.respond(expo.fromFcmTappedInTray(push.fcm.json));
    // A plain tap: Android draws no action buttons on these.
    expect(expo.expoNotificationsStandIn.getLastNotificationResponse()?.actionIdentifier).toBe(expo.expoNotificationsStandIn.DEFAULT_ACTION_IDENTIFIER);
    // Offline at start: the app's start-up poll finds nothing, so only the tap can open the request.
    srv.setOffline(true);
    renderApp(host, srv);
    await screen.findByText('Acme Corporation asks for your PIN before you answer a sign-in request.');
    srv.setOffline(false);
    await pinFirst();
    fireEvent.press(await screen.findByRole('button', { name: 'Suspicious' }));
    expect(await screen.findByText('Denied and reported to your organisation.')).toBeTruthy();
    expect((await srv.server.getChallengeStatus(push.challengeId))?.status).toBe('denied');
    expect(srv.events.filter((e) => e.risk).map((e) => e.kind)).toContain('push.suspicious');
  });

  it('iOS, the Suspicious action: the PIN first, then it is sent without another tap', async () => {
    const { srv } = await enrolled();
    const push = await sendPush(srv, true);
    act(() => expo.respond(expo.fromApns(push.apns.json), 'suspicious'));
    await pinFirst();
    expect(await screen.findByText('Denied and reported to your organisation.')).toBeTruthy();
    expect((await srv.server.getChallengeStatus(push.challengeId))?.status).toBe('denied');
    expect(srv.events.filter((e) => e.risk).map((e) => e.kind)).toContain('push.suspicious');
  });

  it('iOS, the Confirm action: the PIN first, then the request and the number; nothing is approved before the tap', async () => {
    const { srv } = await enrolled();
    const push = await sendPush(srv, true);
    act(() => expo.respond(expo.fromApns(push.apns.json), 'confirm'));
    await pinFirst();
    expect(await screen.findByText('You chose Confirm on the notification: check the request, then confirm it here.')).toBeTruthy();
    expect(screen.getByText('Location: Berlin, DE')).toBeTruthy();
    expect((await srv.server.getChallengeStatus(push.challengeId))?.status).toBe('pending');
    fireEvent.changeText(screen.getByLabelText('Type the number shown on the sign-in page'), push.number as string);
    fireEvent.press(screen.getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText('Approved. You can go back to the sign-in page.')).toBeTruthy();
    expect((await srv.server.getChallengeStatus(push.challengeId))?.status).toBe('approved');
  });

  it('the Cancel action discards the request on the phone: no PIN, nothing sent, nothing audited', async () => {
    const { srv } = await enrolled();
    const push = await sendPush(srv, false);
    const before = srv.events.length;
    act(() => expo.deliver(expo.fromApns(push.apns.json)));
    await screen.findByText('Acme Corporation asks for your PIN before you answer a sign-in request.');
    act(() => expo.respond(expo.fromApns(push.apns.json), 'cancel'));
    expect(await screen.findByText('This request is no longer waiting (answered or expired).')).toBeTruthy();
    expect((await srv.server.getChallengeStatus(push.challengeId))?.status).toBe('pending');
    expect(srv.events.length).toBe(before);
  });

  it('registers what the payloads name: the APNs category with its actions, the Android channel', async () => {
    const challenge = await createPushChallenge({ enrolmentId: 'enr_1', context: CONTEXT, signer: createSoftwareSigner({ algorithm: 'ES256' }) });
    const apns = buildApnsPayload({ challenge }).payload;
    const fcm = buildFcmPayload({ challenge }).payload;
    jest.replaceProperty(Platform, 'OS', 'android');
    expect(await notificationSeams().pushToken()).toBe('apns-device-token-0123456789');
    expect([...expo.registered.channels.keys()]).toEqual([fcm.android.notification.channel_id]);
    expect(expo.registered.channels.get(fcm.android.notification.channel_id)).toMatchObject({ importance: expo.AndroidImportance.MAX });
    expect([...expo.registered.categories.keys()]).toEqual([apns.aps.category]);
    expect(expo.registered.categories.get(apns.aps.category)?.map((a) => [a.identifier, a.options?.opensAppToForeground])).toEqual([
      ['confirm', true],
      ['suspicious', true],
      ['cancel', false],
    ]);
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
    const { srv } = await enrolled();
    const push = await sendPush(srv, false);
    // Android, the app running: the FCM message reaches it (expo presents it).
    act(() => expo.deliver(expo.fromFcmWhileRunning(push.fcm.json)));
    await pinFirst();
    srv.setOffline(true);
    fireEvent.press(await screen.findByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText('No connection. Your answer was not sent: try again.')).toBeTruthy();
    srv.setOffline(false);
    fireEvent.press(screen.getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText('Approved. You can go back to the sign-in page.')).toBeTruthy();
  });

  it('says so when the request is gone (expired before it was opened)', async () => {
    const { srv } = await enrolled();
    const push = await sendPush(srv, false);
    act(() => expo.deliver(expo.fromApns(push.apns.json)));
    await screen.findByText('Acme Corporation asks for your PIN before you answer a sign-in request.');
    srv.clock.advance(121_000);
    // The screen reads the inbox again at its next one-second tick.
    expect(await screen.findByText('This request is no longer waiting (answered or expired).')).toBeTruthy();
  });
});
