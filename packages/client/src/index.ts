// `@cloudmfa/client`. The engine (createAuthenticator...) lands here too; this file only
// re-exports.
export * from './backup/index.js';
export * from './vault/index.js';
