// Settings: PIN on/off and change, biometrics, auto-lock, backup export/import, clock, about.
import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { loadSettings } from '../../src/engine/AuthProvider';
import { addThroughUi, PIN, renderApp, testBiometrics, testHost, testServer } from './harness';

const OTPAUTH = 'otpauth://totp/Northwind:ana?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Northwind';

async function openSettings() {
  fireEvent.press(await screen.findByRole('button', { name: 'Settings' }));
  await screen.findByRole('heading', { name: 'Settings' });
}

describe('Settings', () => {
  it('PIN: turned on (different PINs refused), changed, turned off', async () => {
    renderApp(testHost(), testServer());
    await openSettings();
    expect(screen.getByText('No PIN: anyone holding this phone unlocked sees your codes.')).toBeTruthy();
    fireEvent.changeText(screen.getByLabelText('PIN'), '2468');
    fireEvent.changeText(screen.getByLabelText('Type it again'), '1357');
    fireEvent.press(screen.getByRole('button', { name: 'Turn PIN on' }));
    expect(await screen.findByText('The two PINs differ. Set the PIN again.')).toBeTruthy();
    fireEvent.changeText(screen.getByLabelText('PIN'), '2468');
    fireEvent.changeText(screen.getByLabelText('Type it again'), '2468');
    fireEvent.press(screen.getByRole('button', { name: 'Turn PIN on' }));
    expect(await screen.findByText('PIN set.')).toBeTruthy();
    fireEvent.changeText(screen.getByLabelText('New PIN'), '13579');
    fireEvent.changeText(screen.getByLabelText('Type it again'), '13579');
    fireEvent.press(screen.getByRole('button', { name: 'Change PIN' }));
    expect(await screen.findByText('PIN changed.')).toBeTruthy();
    fireEvent.press(screen.getByRole('button', { name: 'Turn PIN off' }));
    expect(await screen.findByText('PIN turned off.')).toBeTruthy();
  });

  it('PIN: cannot be turned off while an organisation requires it', async () => {
    const srv = testServer();
    const started = await srv.server.startActivation({ userId: 'alice' });
    renderApp(testHost(), srv);
    await addThroughUi(started.text, started.password, { pin: PIN });
    await openSettings();
    expect(screen.getByText('Required by your organisation for at least one token.')).toBeTruthy();
    fireEvent.press(screen.getByRole('button', { name: 'Turn PIN off' }));
    expect(await screen.findByText('Your organisation requires a PIN for one of your tokens.')).toBeTruthy();
  });

  it('biometrics: need a PIN, then turn on', async () => {
    const biometrics = testBiometrics();
    renderApp(testHost({ biometrics }), testServer());
    await openSettings();
    fireEvent(screen.getByLabelText('Unlock with biometrics'), 'valueChange', true);
    expect(await screen.findByText('Turn the PIN on first.')).toBeTruthy();
    fireEvent.changeText(screen.getByLabelText('PIN'), '2468');
    fireEvent.changeText(screen.getByLabelText('Type it again'), '2468');
    fireEvent.press(screen.getByRole('button', { name: 'Turn PIN on' }));
    await screen.findByText('PIN set.');
    fireEvent(screen.getByLabelText('Unlock with biometrics'), 'valueChange', true);
    expect(await screen.findByText('Biometrics on.')).toBeTruthy();
    expect(biometrics.saved).toBe(true);
    // Off again: the biometric key is gone, the PIN stays.
    fireEvent(screen.getByLabelText('Unlock with biometrics'), 'valueChange', false);
    expect(await screen.findByText('Biometrics off. The PIN stays on.')).toBeTruthy();
    expect(biometrics.saved).toBe(false);
    expect(screen.getByRole('button', { name: 'Turn PIN off' })).toBeTruthy();
  });

  it('auto-lock: the choice is kept and the engine restarts with it', async () => {
    const host = testHost();
    renderApp(host, testServer());
    await openSettings();
    fireEvent.press(screen.getByRole('button', { name: '5 minutes' }));
    await waitFor(async () => expect((await loadSettings(host)).autoLockMs).toBe(300_000));
  });

  it('backup: a short password is refused; the export opens in another app, not with a wrong password', async () => {
    const first = testHost({ label: 'first' });
    const view = renderApp(first, testServer());
    await addThroughUi(OTPAUTH, null, { name: 'Northwind' });
    await openSettings();
    fireEvent.changeText(screen.getByLabelText('Backup password'), 'short');
    fireEvent.press(screen.getByRole('button', { name: 'Export backup' }));
    expect(await screen.findByText('The password needs at least 8 characters.')).toBeTruthy();
    fireEvent.changeText(screen.getByLabelText('Backup password'), 'correct horse battery');
    fireEvent.press(screen.getByRole('button', { name: 'Export backup' }));
    expect(await screen.findByText(/^Backup of 1 tokens copied \(0 bound to this phone not included\)/)).toBeTruthy();
    const file = first.copied.at(-1) as string;
    view.unmount();

    renderApp(testHost({ label: 'second' }), testServer());
    await openSettings();
    fireEvent.changeText(screen.getByLabelText('Backup to import'), file);
    fireEvent.changeText(screen.getByLabelText('Backup password'), 'wrong horse battery');
    fireEvent.press(screen.getByRole('button', { name: 'Import backup' }));
    expect(await screen.findByText('Wrong backup password.')).toBeTruthy();
    fireEvent.changeText(screen.getByLabelText('Backup password'), 'correct horse battery');
    fireEvent.press(screen.getByRole('button', { name: 'Import backup' }));
    expect(await screen.findByText('1 tokens imported.')).toBeTruthy();
    fireEvent.press(screen.getByRole('button', { name: 'Back' }));
    expect(await screen.findByText('Northwind')).toBeTruthy();
  });

  it('clock: nothing to ask without an online token; the offset after a check', async () => {
    const srv = testServer({ app: { pinRequired: false, minPinLength: 4, biometricsAllowed: true } });
    renderApp(testHost(), srv);
    await openSettings();
    expect(screen.getByText('Not checked yet against a server.')).toBeTruthy();
    fireEvent.press(screen.getByRole('button', { name: 'Check clock' }));
    expect(await screen.findByText('Add an online token first: its server tells the time.')).toBeTruthy();
    fireEvent.press(screen.getByRole('button', { name: 'Back' }));
    const started = await srv.server.startActivation({ userId: 'alice' });
    await addThroughUi(started.text, started.password);
    await openSettings();
    fireEvent.press(screen.getByRole('button', { name: 'Check clock' }));
    expect(await screen.findByText('Checked: offset 0.0 s.')).toBeTruthy();
    expect(screen.getByText('Platform: ios. Device keys: memory (test).')).toBeTruthy();
  });
});
