/** @module @cloudmfa/otp/server */
// `@cloudmfa/otp/server`: the issuing and verifying side (a server, a CLI, a tool that writes QR
// codes): verification with replay protection, HOTP resync, secret generation, otpauth:// URI
// and migration QR writing. A subpath of its own, as push's and activation's are, so that an
// authenticator app, whose bundler (Metro) does not tree-shake, ships only what a phone calls:
// codes (`hotp`, `totp`) and reading what it scans (`parseOtpauthUri`, `importMigration`).
export { type ExportMigrationOptions, exportMigration } from './exportMigration.js';
export { formatOtpauthUri } from './formatOtpauthUri.js';
export { generateSecret } from './generateSecret.js';
export { resyncHotp } from './resyncHotp.js';
export { verifyHotp } from './verifyHotp.js';
export { verifyTotp } from './verifyTotp.js';
