// AES-256-GCM decryption with a WebCrypto key, without WebCrypto's per-call machinery, where
// the runtime allows it (docs/server.md section 2.1). On Node, `crypto.subtle.decrypt` costs a
// verify more than its AES: algorithm normalisation, WebIDL conversions, a job and a promise
// per call (~30% of a memory-store verify, profiled, docs/benchmarks.md). Node's own
// `KeyObject.from` gives the key object behind a `CryptoKey` (the key stays native, never in
// the JS heap, and is never exported here), and `createDecipheriv` decrypts synchronously.
// Anywhere else (no `process.getBuiltinModule`, or keys that are not Node's) the caller keeps
// WebCrypto. Same result, same failures: a wrong tag, nonce or AAD throws.

interface Decipher {
  setAAD(aad: Uint8Array): unknown;
  setAuthTag(tag: Uint8Array): unknown;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
}

interface NodeCrypto {
  KeyObject: { from(key: CryptoKey): unknown };
  createDecipheriv(algorithm: 'aes-256-gcm', key: unknown, iv: Uint8Array, options: { authTagLength: number }): Decipher;
  /** One-shot digest (Node >= 20.12, Bun, Deno); a string is hashed as its UTF-8. */
  hash?: (algorithm: 'sha256', data: string, outputEncoding: 'base64url') => string;
}

/**
 * Decrypts `ct || tag` (16-byte tag) with `key` and `aad`; throws when it does not open, and
 * answers `null` for a key it cannot use (then WebCrypto decides).
 */
type AesGcmOpen = (key: CryptoKey, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array) => Uint8Array | null;

/** The runtime's `node:crypto`, or `null` (no `process.getBuiltinModule`, or not the API used here). */
export function nodeCrypto(): NodeCrypto | null {
  try {
    const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
    const c = typeof get === 'function' ? (get('node:crypto') as Partial<NodeCrypto> | undefined) : undefined;
    return c && typeof c.KeyObject?.from === 'function' && typeof c.createDecipheriv === 'function' ? (c as NodeCrypto) : null;
  } catch {
    return null;
  }
}

/**
 * The synchronous AES-256-GCM open for keys of this runtime's WebCrypto, or `null` when there is
 * none. The function it returns answers `null` for a key that is not a 256-bit AES key of
 * Node's WebCrypto (the caller then uses `crypto.subtle.decrypt`).
 */
export function nativeAesGcmOpen(): AesGcmOpen | null {
  const c = nodeCrypto();
  if (c === null) return null;
  return (key, iv, aad, sealed) => {
    let native: unknown;
    try {
      native = c.KeyObject.from(key);
    } catch {
      return null;
    }
    if ((native as { symmetricKeySize?: unknown }).symmetricKeySize !== 32 || sealed.length < 16) return null;
    const d = c.createDecipheriv('aes-256-gcm', native, iv, { authTagLength: 16 });
    d.setAAD(aad);
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    const head = d.update(sealed.subarray(0, sealed.length - 16));
    try {
      // `final` checks the tag; until it has, `head` is unauthenticated and is zeroed on refusal too.
      const tail = d.final();
      // Node answers Buffers (possibly views of a shared pool): copy into a plain array the caller
      // owns and zero what Node handed back.
      const out = new Uint8Array(head.length + tail.length);
      out.set(head, 0);
      out.set(tail, head.length);
      tail.fill(0);
      return out;
    } finally {
      head.fill(0);
    }
  };
}
