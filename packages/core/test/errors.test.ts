import { assertBytes, assertInteger, assertString, CloudMfaError, type CloudMfaErrorCode, decodeBase32, isCloudMfaError } from '@cloudmfa/core';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { caughtSync } from './helpers.js';

describe('CloudMfaError', () => {
  it('carries a stable code, a name, a message and an optional cause', () => {
    const cause = new Error('low level');
    const err = new CloudMfaError('ERR_SOMETHING', 'it failed', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(CloudMfaError);
    expect(err.name).toBe('CloudMfaError');
    expect(err.code).toBe('ERR_SOMETHING');
    expect(err.message).toBe('it failed');
    expect(err.cause).toBe(cause);
    expect(String(err)).toBe('CloudMfaError: it failed');
    const bare = new CloudMfaError('ERR_X', 'x');
    expect('cause' in bare).toBe(false);
  });

  it('keeps cause out of enumerable properties (JSON logs do not dump it)', () => {
    const err = new CloudMfaError('ERR_X', 'x', { cause: { secret: 'nope' } });
    expect(Object.keys(err)).not.toContain('cause');
    expect(JSON.stringify(err)).not.toContain('nope');
  });
});

describe('isCloudMfaError', () => {
  it('recognises the class, optionally by code', () => {
    const err = caughtSync(() => decodeBase32('!'));
    expect(isCloudMfaError(err)).toBe(true);
    expect(isCloudMfaError(err, 'ERR_BASE32_INVALID')).toBe(true);
    expect(isCloudMfaError(err, 'ERR_BASE45_INVALID')).toBe(false);
  });

  it('recognises a copy from another bundle (duck-typed on name and code)', () => {
    const foreign = runInNewContext('(() => { const e = new Error("x"); e.name = "CloudMfaError"; e.code = "ERR_X"; return e; })()');
    expect(foreign instanceof CloudMfaError).toBe(false);
    expect(isCloudMfaError(foreign, 'ERR_X' as CloudMfaErrorCode)).toBe(true);
  });

  it.each([null, undefined, 'CloudMfaError', new Error('x'), { name: 'CloudMfaError' }, { name: 'CloudMfaError', code: 1 }])(
    'rejects %j',
    (value) => {
      expect(isCloudMfaError(value)).toBe(false);
    },
  );
});

describe('assertion helpers', () => {
  it('assertBytes names the argument and the expectation, never the value', () => {
    expect(caughtSync(() => assertBytes(new Uint8Array(8), 'secret', { min: 10 })).message).toBe('"secret" expected at least 10 bytes, got 8');
    expect(caughtSync(() => assertBytes(new Uint8Array(8), 'secret', { max: 4 })).message).toBe('"secret" expected at most 4 bytes, got 8');
    expect(caughtSync(() => assertBytes(new Uint8Array(8), 'salt', 16)).message).toBe('"salt" expected 16 bytes, got 8');
    const err = caughtSync(() => assertBytes('JBSWY3DPEHPK3PXP', 'secret'));
    expect(err.code).toBe('ERR_INVALID_ARGUMENT');
    expect(err.message).toBe('"secret" expected Uint8Array, got string');
    assertBytes(Buffer.from('x'), 'buffer');
    assertBytes(new Uint8Array(16), 'salt', 16);
  });

  it('assertBytes accepts a Uint8Array from another realm', () => {
    const foreign = runInNewContext('new Uint8Array(4)');
    expect(foreign instanceof Uint8Array).toBe(false);
    assertBytes(foreign, 'key', 4);
  });

  it('describes objects by their built-in tag, not by an attacker-settable constructor name', () => {
    const parsed = JSON.parse('{"constructor":{"name":"hunter2\\nFAKE LOG LINE"}}');
    const err = caughtSync(() => assertBytes(parsed, 'payload'));
    expect(err.message).toBe('"payload" expected Uint8Array, got Object');
    expect(caughtSync(() => assertBytes([1, 2], 'x')).message).toBe('"x" expected Uint8Array, got array');
    expect(caughtSync(() => assertBytes(new ArrayBuffer(2), 'x')).message).toBe('"x" expected Uint8Array, got ArrayBuffer');
  });

  it('assertInteger checks type and range', () => {
    assertInteger(6, 'digits', 6, 10);
    expect(caughtSync(() => assertInteger(12, 'digits', 6, 10)).message).toBe('"digits" expected an integer in [6, 10], got 12');
    for (const bad of [6.5, Number.NaN, '6', 2 ** 53, null]) {
      expect(caughtSync(() => assertInteger(bad, 'digits', 0, Number.MAX_SAFE_INTEGER)).code).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(caughtSync(() => assertInteger('123456', 'pin', 0, 9)).message).toBe('"pin" expected an integer, got string');
  });

  it('assertString checks type and length without echoing the value', () => {
    assertString('Acme', 'issuer', 4);
    const err = caughtSync(() => assertString('correct horse battery', 'password', 5));
    expect(err.message).toBe('"password" expected at most 5 characters, got 21');
    expect(caughtSync(() => assertString(42, 'issuer')).message).toBe('"issuer" expected a string, got integer');
  });
});
