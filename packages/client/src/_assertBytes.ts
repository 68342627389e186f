import { CloudMfaError } from '@cloudmfa/core';

/** Throws `ERR_INVALID_ARGUMENT` naming `title` unless `value` is a `Uint8Array` (of another realm too). */
export function assertBytes(value: unknown, title: string): asserts value is Uint8Array {
  const ok = value instanceof Uint8Array || (ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]');
  if (!ok) throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected Uint8Array, got ${value === null ? 'null' : typeof value}`);
}
