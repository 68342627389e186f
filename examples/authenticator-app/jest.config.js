// Component tests (jest-expo + @testing-library/react-native), iOS flavour of the preset:
// React Native's test environment with the expo modules' JS mocks. Every screen runs on the
// real @cloudmfa/client engine; online steps reach a real @cloudmfa/server in-process
// (test/components/harness.tsx).
/** @type {import('jest').Config} */
module.exports = {
  preset: 'jest-expo/ios',
  testMatch: ['<rootDir>/test/components/**/*.test.ts?(x)'],
  // The preset's pattern plus @noble/* (ES modules only, reached by @cloudmfa/*'s CommonJS
  // builds). pnpm nests each package as .pnpm/<name>@<v>/node_modules/<name>: both levels must pass.
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm|react-native|@react-native|@react-native-community|expo|@expo|@noble|react-native-svg))'],
  // No wall-clock bound decides a test: the engine's scrypt and the in-process server run as
  // slowly as a loaded CI machine makes them, so waits are long and only a hang fails.
  testTimeout: 300_000,
  setupFilesAfterEnv: ['<rootDir>/test/components/setup.ts'],
  maxWorkers: 1,
};
