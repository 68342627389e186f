export { type LoadedKeyRingFile, type LoadKeyRingFileOptions, loadKeyRingFile } from './loadKeyRingFile.js';
