// Scan QR code: the camera permission (asked, refused with a way to Settings) and a scanned
// code starting the flow. There is no camera here: expo-camera's component and permission hook
// are replaced by ones the test drives; everything behind them is the real app and engine.
import { act, fireEvent, screen } from '@testing-library/react-native';
import migration from '../../../../packages/otp/test/vectors/migration-frozen.json';
import { renderApp, testHost, testServer } from './harness';

const camera: { permission: { granted: boolean; canAskAgain: boolean } | null; requested: number; onScan: ((e: { data: string }) => void) | null } = { permission: null, requested: 0, onScan: null };

jest.mock('expo-camera', () => ({
  useCameraPermissions: () => [camera.permission, async () => void camera.requested++],
  CameraView: (props: { onBarcodeScanned: (e: { data: string }) => void; barcodeScannerSettings: { barcodeTypes: string[] } }) => {
    expect(props.barcodeScannerSettings.barcodeTypes).toEqual(['qr']);
    camera.onScan = props.onBarcodeScanned;
    return null;
  },
}));

async function openScan() {
  fireEvent.press(await screen.findByRole('button', { name: 'Add token' }));
  fireEvent.press(screen.getByRole('button', { name: 'Scan QR code' }));
  await screen.findByRole('heading', { name: 'Scan QR code' });
}

describe('Scan QR code', () => {
  beforeEach(() => {
    camera.requested = 0;
    camera.onScan = null;
  });

  it('asks for the camera, explaining why', async () => {
    camera.permission = { granted: false, canAskAgain: true };
    renderApp(testHost(), testServer());
    await openScan();
    expect(screen.getByText('The camera is used only to read the QR code from your activation e-mail.')).toBeTruthy();
    fireEvent.press(screen.getByRole('button', { name: 'Allow camera' }));
    expect(camera.requested).toBe(1);
  });

  it('explains a refusal and opens the settings', async () => {
    camera.permission = { granted: false, canAskAgain: false };
    const host = testHost();
    const opened = jest.fn(async () => {});
    renderApp({ ...host, openSettings: opened }, testServer());
    await openScan();
    expect(screen.getByText(/Camera access was denied/)).toBeTruthy();
    fireEvent.press(screen.getByRole('button', { name: 'Open Settings' }));
    expect(opened).toHaveBeenCalledTimes(1);
  });

  it('starts the flow from a scanned activation QR code; a code that is not ours is explained', async () => {
    camera.permission = { granted: true, canAskAgain: true };
    const srv = testServer();
    const started = await srv.server.startActivation({ userId: 'alice' });
    renderApp(testHost(), srv);
    await openScan();
    act(() => camera.onScan?.({ data: 'https://example.com/not-a-token' }));
    expect(await screen.findByText('This is not an activation QR code or an otpauth:// link.')).toBeTruthy();
    act(() => camera.onScan?.({ data: started.text }));
    expect(await screen.findByRole('heading', { name: 'Password' })).toBeTruthy();
  });

  it('imports a Google Authenticator export part after part (the otp package\'s frozen two-part vector)', async () => {
    camera.permission = { granted: true, canAskAgain: true };
    renderApp(testHost(), testServer());
    await openScan();
    act(() => camera.onScan?.({ data: migration.uris[1] as string }));
    expect(await screen.findByText('Part scanned. Scan part 1 of the export next.')).toBeTruthy();
    act(() => camera.onScan?.({ data: migration.uris[0] as string }));
    expect(await screen.findByText('3 accounts: alice@example.com, bob, carol')).toBeTruthy();
    fireEvent.press(screen.getByRole('button', { name: 'Next' }));
    fireEvent.press(await screen.findByRole('button', { name: 'Done' }));
    await screen.findByRole('heading', { name: 'Tokens' });
    for (const name of ['Acme Co', 'Bäckerei: Süd', 'Z']) expect(screen.getAllByText(name).length).toBeGreaterThan(0);
  });
});
