// `@cloudmfa/client/aegis`: the Aegis import, apart from the main entry so that its AES-GCM
// (@noble/ciphers/aes) ships only in apps that offer the move from Aegis (Metro bundles
// whatever is imported). Pass `importAegis` as createAuthenticator's `aegis` option to let
// `importBackup` read Aegis exports, or call it directly.
export { type AegisImport, type AegisSkipped, type ImportAegisOptions, importAegis, MAX_AEGIS_JSON_LENGTH, type OtpEntry } from './backup/importAegis.js';
