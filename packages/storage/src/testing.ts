/** @module @cloudmfa/storage/testing */
export {
  CONFORMANCE_T0,
  checkOrganisationsUpgrade,
  type ConformanceGroup,
  type ConformanceInstance,
  type ConformanceOptions,
  runSecureStoreConformance,
  runStorageConformance,
  type SecureStoreConformanceOptions,
  type SecureStoreFactory,
  type StoreFactory,
} from './conformance.js';
export {
  type ConsumeRaceOptions,
  type ConsumeRaceProcessResult,
  type ConsumeRaceResult,
  RACE_ATTEMPT_POLICY,
  raceWorkerPath,
  runConsumeRace,
} from './race.js';
