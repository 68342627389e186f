// Types for the parts of `qrcode` 1.5 this package uses directly. We import the core encoder and
// the string renderers by path, not the package entry, because the entry pulls in the Node
// file and PNG renderers (fs, pngjs, Buffer) that phones and browsers do not have.
declare module 'qrcode/lib/core/qrcode.js' {
  export interface QrSymbol {
    version: number;
    modules: { size: number; data: Uint8Array };
  }
  /** One segment, its mode given: text for numeric and alphanumeric, UTF-8 bytes for byte mode. */
  export type QrSegmentInput = { data: string; mode: 'alphanumeric' | 'numeric' } | { data: Uint8Array; mode: 'byte' };
  const core: {
    create(data: QrSegmentInput[], options: { errorCorrectionLevel: 'L' | 'M' | 'Q' | 'H'; version?: number }): QrSymbol;
  };
  export default core;
}

declare module 'qrcode/lib/renderer/svg-tag.js' {
  const svg: {
    render(symbol: unknown, options: { margin?: number; width?: number; color?: { dark?: string; light?: string } }): string;
  };
  export default svg;
}

declare module 'qrcode/lib/renderer/terminal.js' {
  const terminal: { render(symbol: unknown, options: { small?: boolean; inverse?: boolean }): string };
  export default terminal;
}
