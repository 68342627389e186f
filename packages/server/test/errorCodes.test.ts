// One union of every SDK error code: core's `CloudMfaErrorCode` must equal the union of what
// each package declares, so `isCloudMfaError(err, code)` rejects a misspelt code at compile
// time and a package cannot add a code that the union does not know.
import type { ActivationErrorCode } from '@cloudmfa/activation';
import type { BackupErrorCode, ClientErrorCode, VaultErrorCode } from '../../client/src/index.js';
import { CloudMfaError, type CloudMfaErrorCode, type CoreErrorCode, isCloudMfaError } from '@cloudmfa/core';
import type { OtpErrorCode } from '@cloudmfa/otp';
import type { PushErrorCode } from '@cloudmfa/push';
import type { ServerErrorCode } from '@cloudmfa/server';
import type { StorageErrorCode } from '@cloudmfa/storage';
import { describe, expect, it } from 'vitest';
import type { CliErrorCode } from '../../cli/src/internal/errors.js';
import type { EmailErrorCode } from '../../email/src/index.js';
import type { Pkcs11ErrorCode } from '../../kek-pkcs11/src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type PackageCodes =
  | CoreErrorCode
  | OtpErrorCode
  | ActivationErrorCode
  | PushErrorCode
  | StorageErrorCode
  | ServerErrorCode
  | ClientErrorCode
  | VaultErrorCode
  | BackupErrorCode
  | EmailErrorCode
  | CliErrorCode
  | Pkcs11ErrorCode;

// Compile-time: fails `pnpm typecheck` if the lists drift apart in either direction.
const same: Equal<CloudMfaErrorCode, PackageCodes> = true;

describe('CloudMfaErrorCode', () => {
  it('is exactly the union of every package’s codes', () => {
    expect(same).toBe(true);
  });

  it('takes every declared code and rejects a misspelt one at compile time', () => {
    const err = new CloudMfaError('ERR_OTPAUTH_SECRET', 'x');
    expect(isCloudMfaError(err, 'ERR_OTPAUTH_SECRET')).toBe(true);
    expect(isCloudMfaError(err, 'ERR_STORAGE_CONFLICT')).toBe(false);
    // @ts-expect-error a misspelt code does not compile
    expect(isCloudMfaError(err, 'ERR_OTPAUTH_SECRT')).toBe(false);
    // @ts-expect-error neither does a code no package declares
    expect(isCloudMfaError(err, 'ERR_SOMETHING_ELSE')).toBe(false);
  });

  it('narrows the error to the code it was checked against', () => {
    const err: unknown = new CloudMfaError('ERR_PUSH_SIGN_FAILED', 'x');
    if (isCloudMfaError(err, 'ERR_PUSH_SIGN_FAILED')) {
      const code: 'ERR_PUSH_SIGN_FAILED' = err.code;
      expect(code).toBe('ERR_PUSH_SIGN_FAILED');
    } else expect.unreachable();
  });
});
