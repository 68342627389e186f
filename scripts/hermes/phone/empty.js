// Nothing: what every React Native bundle carries before any SDK code (Metro's runtime and
// the React Native polyfills). Subtract it to get an SDK path's own cost.
globalThis.print?.(`HERMES-RESULT ${JSON.stringify({ textEncoder: typeof globalThis.TextEncoder, exports: [] })}`);
