/** @module @cloudmfa/activation/qr */
// `@cloudmfa/activation/qr`: QR rendering of envelope texts and otpauth:// URIs (SVG, PNG,
// terminal) and the QR version a text needs. A separate entry point: the `qrcode` library it
// uses is a server-side/CLI concern, and Metro (React Native) would otherwise ship it in every
// phone bundle that opens an envelope.
export type { QrErrorCorrection, QrMode } from './internal/qr.js';
export { type QrVersionOptions, qrVersion } from './qrVersion.js';
export { type RenderQrPngOptions, renderQrPng } from './renderQrPng.js';
export { type RenderQrSvgOptions, renderQrSvg } from './renderQrSvg.js';
export { type RenderQrTerminalOptions, renderQrTerminal } from './renderQrTerminal.js';
