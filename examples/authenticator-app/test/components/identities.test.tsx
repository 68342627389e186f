import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { renderApp, testHost, testServer } from './harness';

describe('Identities list', () => {
  it('explains how to add a token when there is none', async () => {
    renderApp(testHost(), testServer());
    expect(await screen.findByText('No tokens yet.')).toBeTruthy();
    expect(screen.getByText(/scan the QR code from your activation e-mail/)).toBeTruthy();
  });

  it('shows an otpauth token with its grouped code, seconds left, and copies on tap', async () => {
    const host = testHost();
    renderApp(host, testServer());
    fireEvent.press(await screen.findByRole('button', { name: 'Add token' }));
    fireEvent.changeText(screen.getByLabelText('QR code text'), 'otpauth://totp/Northwind:ana?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Northwind');
    fireEvent.press(screen.getByRole('button', { name: 'Continue' }));
    expect(await screen.findByText('Review')).toBeTruthy();
    fireEvent.press(screen.getByRole('button', { name: 'Next' }));
    fireEvent.press(await screen.findByRole('button', { name: 'Done' }));
    // The seed of RFC 6238's SHA-1 vectors, at 2026-01-01T08:00:12Z: 18 s left of the step.
    const code = await screen.findByTestId(/^code-/);
    await waitFor(() => expect(code.props.children).toMatch(/^[0-9]{3} [0-9]{3}$/));
    expect(screen.getByText('18 s')).toBeTruthy();
    fireEvent.press(screen.getByRole('button', { name: /^Northwind code/ }));
    await waitFor(() => expect(host.copied).toEqual([code.props.children.replace(' ', '')]));
    expect(await screen.findByText('Copied')).toBeTruthy();
  });

  it('HOTP: no code until tapped; each tap advances the counter and copies the new code', async () => {
    const host = testHost();
    renderApp(host, testServer());
    fireEvent.press(await screen.findByRole('button', { name: 'Add token' }));
    // RFC 4226 appendix D: counter 0 -> 755224, counter 1 -> 287082.
    fireEvent.changeText(screen.getByLabelText('QR code text'), 'otpauth://hotp/Fabrikam:bo?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Fabrikam&counter=0');
    fireEvent.press(screen.getByRole('button', { name: 'Continue' }));
    fireEvent.press(await screen.findByRole('button', { name: 'Next' }));
    fireEvent.press(await screen.findByRole('button', { name: 'Done' }));
    expect(await screen.findByText('Tap for a code')).toBeTruthy();
    fireEvent.press(screen.getByRole('button', { name: /^Fabrikam code/ }));
    expect(await screen.findByText('755 224')).toBeTruthy();
    fireEvent.press(screen.getByRole('button', { name: /^Fabrikam code/ }));
    expect(await screen.findByText('287 082')).toBeTruthy();
    expect(host.copied).toEqual(['755224', '287082']);
  });
});
