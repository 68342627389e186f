export type { Authenticator, ReceiveFailure, RespondFailure } from './_engine.js';
export type { ActivationFlow, ConfirmFailure, ConfirmResult, FlowStep, NameFailure, UnlockPasswordResult } from './_flow.js';
export type { PinChoiceFailure } from './_pin.js';
export type { ScanFailure, ScanResult } from './_scan.js';
export * from './backup/index.js';
export { createAuthenticator } from './createAuthenticator.js';
export { createSoftwareDeviceKeys } from './createSoftwareDeviceKeys.js';
export type { ClientErrorCode } from './errors.js';
export type {
  AuthenticatorEvent,
  AuthenticatorOptions,
  ClockStatus,
  DeviceKeySeam,
  FetchLike,
  Identity,
  IdentityCode,
  IdentityOtp,
  IdentityPolicy,
  InboxItem,
} from './types.js';
export * from './vault/index.js';
