// Add, Password, Review, PIN and the account step, with their errors, against a real server.
import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { addThroughUi, PIN, renderApp, testBiometrics, testHost, testServer } from './harness';

async function openEnvelope(text: string) {
  fireEvent.press(await screen.findByRole('button', { name: 'Add token' }));
  fireEvent.changeText(screen.getByLabelText('QR code text'), text);
  fireEvent.press(screen.getByRole('button', { name: 'Continue' }));
}

describe('Add', () => {
  it('says what a pasted text is not', async () => {
    renderApp(testHost(), testServer());
    await openEnvelope('hello world');
    expect(await screen.findByText('This is not an activation QR code or an otpauth:// link.')).toBeTruthy();
    fireEvent.changeText(screen.getByLabelText('QR code text'), 'CMFA:not-base45!');
    fireEvent.press(screen.getByRole('button', { name: 'Continue' }));
    expect(await screen.findByText('This activation code is damaged. Scan it again, or ask for a new one.')).toBeTruthy();
  });
});

describe('Password', () => {
  it('shows the time left, refuses a wrong password, and opens with the right one', async () => {
    const srv = testServer();
    const started = await srv.server.startActivation({ userId: 'alice', account: 'alice@acme.example' });
    renderApp(testHost(), srv);
    await openEnvelope(started.text);
    expect(await screen.findByText('This QR code can be used for 5:00 more.')).toBeTruthy();
    fireEvent.changeText(screen.getByLabelText('Password'), 'wrong-password');
    fireEvent.press(screen.getByRole('button', { name: 'Unlock' }));
    expect(await screen.findByText('Wrong password. Check the password in the activation e-mail and try again.')).toBeTruthy();
    fireEvent.changeText(screen.getByLabelText('Password'), started.password as string);
    fireEvent.press(screen.getByRole('button', { name: 'Unlock' }));
    expect(await screen.findByRole('heading', { name: 'Review' })).toBeTruthy();
  });

  it('says the QR code expired when the server\'s time is past its 5 minutes', async () => {
    const srv = testServer();
    const started = await srv.server.startActivation({ userId: 'alice' });
    // Past the 5 minutes and the client's 60 s skew allowance.
    srv.clock.advance(7 * 60_000);
    renderApp(testHost(), srv);
    await openEnvelope(started.text);
    fireEvent.changeText(await screen.findByLabelText('Password'), started.password as string);
    fireEvent.press(screen.getByRole('button', { name: 'Unlock' }));
    expect(await screen.findByText(/This activation code has expired \(they are valid for 5 minutes\)/)).toBeTruthy();
  });
});

describe('Review', () => {
  it('shows the company, the server and the policy, and refuses a bad name', async () => {
    const srv = testServer();
    const started = await srv.server.startActivation({ userId: 'alice' });
    renderApp(testHost(), srv);
    await openEnvelope(started.text);
    fireEvent.changeText(await screen.findByLabelText('Password'), started.password as string);
    fireEvent.press(screen.getByRole('button', { name: 'Unlock' }));
    expect(await screen.findByText('Acme Corporation')).toBeTruthy();
    expect(screen.getByText('Server: mfa.acme.example')).toBeTruthy();
    expect(screen.getByText('Your organisation requires a PIN (at least 6 digits).')).toBeTruthy();
    expect(screen.getByText(/Ensure it matches the company you expect/)).toBeTruthy();
    fireEvent.changeText(screen.getByLabelText('Token name (optional)'), '');
    fireEvent.press(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('The name cannot be empty.')).toBeTruthy();
    fireEvent.changeText(screen.getByLabelText('Token name (optional)'), 'Acme\u202Ework');
    fireEvent.press(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('The name has characters that cannot be shown.')).toBeTruthy();
  });

  it('keeps the review open after a network failure, and Next again succeeds', async () => {
    const srv = testServer({ app: { pinRequired: false, minPinLength: 4, biometricsAllowed: true } });
    const started = await srv.server.startActivation({ userId: 'alice', account: 'alice@acme.example' });
    renderApp(testHost(), srv);
    await openEnvelope(started.text);
    fireEvent.changeText(await screen.findByLabelText('Password'), started.password as string);
    fireEvent.press(screen.getByRole('button', { name: 'Unlock' }));
    await screen.findByRole('heading', { name: 'Review' });
    srv.setOffline(true);
    fireEvent.press(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('No connection to the server. Check your network and tap Next again.')).toBeTruthy();
    srv.setOffline(false);
    fireEvent.press(screen.getByRole('button', { name: 'Next' }));
    // No PIN required by this policy: straight to the account the server added.
    expect(await screen.findByText('alice@acme.example at Acme Corporation added')).toBeTruthy();
  });

  it('ends the flow when the QR code was already used', async () => {
    const srv = testServer({ app: { pinRequired: false, minPinLength: 4, biometricsAllowed: true } });
    const started = await srv.server.startActivation({ userId: 'alice' });
    renderApp(testHost({ label: 'first' }), srv).unmount();
    const first = renderApp(testHost({ label: 'first' }), srv);
    await addThroughUi(started.text, started.password);
    first.unmount();
    renderApp(testHost({ label: 'second' }), srv);
    await openEnvelope(started.text);
    fireEvent.changeText(await screen.findByLabelText('Password'), started.password as string);
    fireEvent.press(screen.getByRole('button', { name: 'Unlock' }));
    fireEvent.press(await screen.findByRole('button', { name: 'Next' }));
    expect(await screen.findByText('This QR code can no longer be used. Ask for a new one.')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Not added' })).toBeTruthy();
  });
});

describe('PIN', () => {
  async function toSetPin(host = testHost()) {
    const srv = testServer();
    const started = await srv.server.startActivation({ userId: 'alice', account: 'alice@acme.example' });
    renderApp(host, srv);
    await openEnvelope(started.text);
    fireEvent.changeText(await screen.findByLabelText('Password'), started.password as string);
    fireEvent.press(screen.getByRole('button', { name: 'Unlock' }));
    fireEvent.press(await screen.findByRole('button', { name: 'Next' }));
    await screen.findByRole('heading', { name: 'Set a PIN' });
    return srv;
  }

  it('asks for the PIN twice; too short and different PINs are refused', async () => {
    await toSetPin();
    expect(screen.queryByLabelText('Also unlock with biometrics')).toBeNull(); // no biometrics on this host
    fireEvent.changeText(screen.getByLabelText('New PIN'), '1234');
    fireEvent.press(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('At least 6 digits.')).toBeTruthy();
    fireEvent.changeText(screen.getByLabelText('New PIN'), PIN);
    fireEvent.press(screen.getByRole('button', { name: 'Next' }));
    fireEvent.changeText(await screen.findByLabelText('Confirm PIN'), '000000');
    fireEvent.press(screen.getByRole('button', { name: 'Set PIN' }));
    expect(await screen.findByText('The two PINs differ. Set the PIN again.')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Set a PIN' })).toBeTruthy();
    fireEvent.changeText(screen.getByLabelText('New PIN'), PIN);
    fireEvent.press(screen.getByRole('button', { name: 'Next' }));
    fireEvent.changeText(await screen.findByLabelText('Confirm PIN'), PIN);
    fireEvent.press(screen.getByRole('button', { name: 'Set PIN' }));
    expect(await screen.findByText('alice@acme.example at Acme Corporation added')).toBeTruthy();
  });

  it('offers biometrics when the policy allows them and the device has them', async () => {
    const biometrics = testBiometrics();
    await toSetPin(testHost({ biometrics }));
    fireEvent(screen.getByLabelText('Also unlock with biometrics'), 'valueChange', true);
    fireEvent.changeText(screen.getByLabelText('New PIN'), PIN);
    fireEvent.press(screen.getByRole('button', { name: 'Next' }));
    fireEvent.changeText(await screen.findByLabelText('Confirm PIN'), PIN);
    fireEvent.press(screen.getByRole('button', { name: 'Set PIN' }));
    fireEvent.press(await screen.findByRole('button', { name: 'Done' }));
    await screen.findByRole('heading', { name: 'Tokens' });
    await waitFor(() => expect(biometrics.saved).toBe(true));
    fireEvent.press(screen.getByRole('button', { name: 'Lock' }));
    fireEvent.press(await screen.findByRole('button', { name: 'Use biometrics' }));
    expect(await screen.findByRole('heading', { name: 'Tokens' })).toBeTruthy();
  });
});
