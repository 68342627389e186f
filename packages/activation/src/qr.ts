// `@cloudmfa/activation/qr`: QR rendering of envelope texts and otpauth:// URIs (SVG, PNG,
// terminal) and the QR version a text needs. A separate entry point: the `qrcode` library it
// uses is a server-side/CLI concern, and Metro (React Native) would otherwise ship it in every
// phone bundle that opens an envelope.
export type { QrErrorCorrection, QrMode } from './internal/qr.js';
export { qrVersion } from './qrVersion.js';
export { renderQrPng } from './renderQrPng.js';
export { renderQrSvg } from './renderQrSvg.js';
export { renderQrTerminal } from './renderQrTerminal.js';
