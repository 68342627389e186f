// Types for the two parts of `qrcode` 1.5 the otpauth QR uses. Imported by extension-less path
// (the activation package declares the `.js` paths) and bundled into dist by tsup, since
// `qrcode` is not a dependency of this package: the core encoder and the SVG string renderer
// are pure JS (no fs, no Buffer), so the bundle runs on every server runtime.
declare module 'qrcode/lib/core/qrcode' {
  export interface ServerQrSymbol {
    version: number;
    modules: { size: number; data: Uint8Array };
  }
  const core: {
    create(data: string, options: { errorCorrectionLevel: 'L' | 'M' | 'Q' | 'H' }): ServerQrSymbol;
  };
  export default core;
}

declare module 'qrcode/lib/renderer/svg-tag' {
  const svg: { render(symbol: unknown, options: { margin?: number }): string };
  export default svg;
}
