// The device-key module's TypeScript half (modules/device-key/index.ts). Its native half (Swift,
// Kotlin) cannot run here: no phone, simulator, Xcode or Android SDK. So the native module is
// replaced at its boundary only (the five functions the Swift and Kotlin files export) by one that
// does what they do: P-256 keys, ECDSA with SHA-256, DER signatures, base64 across the bridge,
// here signed by node:crypto (OpenSSL, random nonces: high and low S alike) or given as frozen
// DER vectors made from the SDK's RFC 6979 signer (noble). Everything above that boundary is the
// app's real code, and the last test runs the whole story (redemption, push answer) on it against
// a real server.
import { createSoftwareDeviceKeys } from '@cloudmfa/client';
import { type CloudMfaError, createSoftwareSigner, isCloudMfaError, isLowS, pureJsCryptoProvider, rawToDerSignature } from '@cloudmfa/core';
import { createMemorySecureStore } from '@cloudmfa/storage';
import { fireEvent, screen } from '@testing-library/react-native';
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { createDeviceKeys, hardwareDeviceKeys, loadNativeDeviceKeyModule, type NativeDeviceKeyModule, nativeKeyTag } from '../../modules/device-key';
import { addThroughUi, PIN, renderApp, testHost, testServer } from './harness';

const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const sha256 = (text: string) => new Uint8Array(createHash('sha256').update(text).digest());
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** A P-256 key from a label (test keys only), as node:crypto objects. */
function nodeKey(label: string): { privateKey: KeyObject; publicKey: Uint8Array } {
  const d = sha256(label);
  const publicKey = createSoftwareSigner({ algorithm: 'ES256', privateKey: d }).publicKey;
  const jwk = { kty: 'EC', crv: 'P-256', d: b64url(d), x: b64url(publicKey.subarray(1, 33)), y: b64url(publicKey.subarray(33)) };
  return { privateKey: createPrivateKey({ key: jwk, format: 'jwk' }), publicKey };
}

const nodePublicKey = (raw: Uint8Array) =>
  createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64url(raw.subarray(1, 33)), y: b64url(raw.subarray(33)) }, format: 'jwk' });

/** The native module's contract on node:crypto: what the Swift and Kotlin files do. */
function nodeNativeModule(options: { available?: boolean } = {}) {
  const keys = new Map<string, { privateKey: KeyObject; publicKey: Uint8Array }>();
  const calls: string[] = [];
  let made = 0;
  const module: NativeDeviceKeyModule = {
    isAvailable: () => options.available ?? true,
    async createKey(tag) {
      calls.push(`createKey ${tag}`);
      const key = nodeKey(`hardware ${tag} ${made++}`);
      keys.set(tag, key);
      return { publicKey: b64(key.publicKey), securityLevel: 'strongbox' };
    },
    async publicKey(tag) {
      const key = keys.get(tag);
      return key ? b64(key.publicKey) : null;
    },
    async sign(tag, messageBase64) {
      calls.push(`sign ${tag}`);
      const key = keys.get(tag);
      if (!key) throw new Error('Device key operation failed: no key under this tag');
      return b64(new Uint8Array(nodeSign('sha256', Buffer.from(messageBase64, 'base64'), key.privateKey))); // DER
    },
    async deleteKey(tag) {
      calls.push(`deleteKey ${tag}`);
      keys.delete(tag);
    },
  };
  return { module, keys, calls };
}

describe('device keys: the native module behind the engine seam', () => {
  it('maps an engine handle to a prefixed native tag, and refuses what is not a handle', () => {
    expect(nativeKeyTag('dk_0a1B-2.c')).toBe('example.cloudmfa.devicekey.dk_0a1B-2.c');
    for (const bad of ['', 'a/b', 'a b', 'x'.repeat(101), 'é', 42]) {
      let error: unknown;
      try {
        nativeKeyTag(bad as string);
      } catch (e) {
        error = e;
      }
      expect(isCloudMfaError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    }
  });

  it('falls back to software keys where the module is absent (here: jest, as on web and in Expo Go) or the phone has no key hardware', async () => {
    expect(loadNativeDeviceKeyModule()).toBeNull();
    const store = createMemorySecureStore();
    const absent = createDeviceKeys({ native: loadNativeDeviceKeyModule(), store });
    expect(absent.hardware).toBe(false);
    const signer = await absent.deviceKeys.create('dk1');
    expect(await store.get('cloudmfa.devicekey.dk1')).not.toBeNull(); // the software key, in the secure store

    const simulator = nodeNativeModule({ available: false });
    const noHardware = createDeviceKeys({ native: simulator.module, store });
    expect(noHardware.hardware).toBe(false);
    expect((await noHardware.deviceKeys.load('dk1'))?.publicKey).toEqual(signer.publicKey);
    await noHardware.deviceKeys.create('dk2');
    expect(simulator.calls).toEqual([]);
  });

  it('with the module: new keys are hardware keys; software keys made before still load; remove deletes both', async () => {
    const store = createMemorySecureStore();
    const old = await createSoftwareDeviceKeys({ store }).create('before');
    const native = nodeNativeModule();
    const { deviceKeys, hardware } = createDeviceKeys({ native: native.module, store });
    expect(hardware).toBe(true);

    const made = await deviceKeys.create('dk1');
    expect(native.calls).toEqual(['createKey example.cloudmfa.devicekey.dk1']);
    expect(made.publicKey).toEqual(native.keys.get('example.cloudmfa.devicekey.dk1')?.publicKey);
    expect(await store.get('cloudmfa.devicekey.dk1')).toBeNull(); // nothing in software
    expect((await deviceKeys.load('dk1'))?.publicKey).toEqual(made.publicKey);
    expect((await deviceKeys.load('before'))?.publicKey).toEqual(old.publicKey);
    expect(await deviceKeys.load('none')).toBeNull();

    await deviceKeys.remove('before');
    await deviceKeys.remove('dk1');
    expect(await store.get('cloudmfa.devicekey.before')).toBeNull();
    expect(native.keys.size).toBe(0);
    expect(await deviceKeys.load('dk1')).toBeNull();
  });

  it('node:crypto DER signatures become raw r || s with low S that node:crypto and the SDK verify', async () => {
    const native = nodeNativeModule();
    const signer = await hardwareDeviceKeys(native.module).create('dk1');
    const key = nodePublicKey(signer.publicKey);
    let highSeen = 0;
    for (let i = 0; i < 48; i++) {
      // Binary messages, every byte value: what redemption transcripts and JWS signing inputs are.
      const message = Uint8Array.from({ length: 1 + ((i * 37) % 300) }, (_, j) => (i * 131 + j * 7) & 0xff);
      const raw = await signer.sign(message);
      expect(raw).toHaveLength(64);
      expect(isLowS(raw)).toBe(true);
      expect(nodeVerify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, raw)).toBe(true);
      expect(await pureJsCryptoProvider.p256Verify(signer.publicKey, message, raw)).toBe(true);
      // What the module returned for this message: high S about half the time.
      const der = Buffer.from(await native.module.sign('example.cloudmfa.devicekey.dk1', b64(message)), 'base64');
      const s = derS(der);
      if (s > N / 2n) highSeen++;
    }
    // 48 draws at one half each: this fails by chance with probability 2^-48.
    expect(highSeen).toBeGreaterThan(0);
  });

  it('frozen DER vectors (noble, RFC 6979): a high-S signature and a short r convert to the low-S raw form', async () => {
    const d = sha256('cloudmfa app device-key vector');
    const software = createSoftwareSigner({ algorithm: 'ES256', privateKey: d });
    const message = new TextEncoder().encode('cloudmfa device-key vector 0');
    const low = await software.sign(message);
    // The same signature with S replaced by n - S: equally valid ECDSA, the form hardware returns half the time.
    const r = low.subarray(0, 32);
    const highS = N - BigInt(`0x${hex(low.subarray(32))}`);
    const highRaw = new Uint8Array(64);
    highRaw.set(r);
    highRaw.set(Buffer.from(highS.toString(16).padStart(64, '0'), 'hex'), 32);
    const highDer = rawToDerSignature(highRaw);
    expect(hex(highDer)).toBe(VECTORS.highSDer);
    expect(nodeVerify('sha256', message, nodePublicKey(software.publicKey), highDer)).toBe(true);

    const signer = await hardwareDeviceKeys(vectorModule(software.publicKey, Buffer.from(VECTORS.highSDer, 'hex'))).create('v');
    expect(hex(await signer.sign(message))).toBe(hex(low));
    expect(hex(low)).toBe(VECTORS.lowSRaw);

    // r with a leading zero byte (31-byte INTEGER in DER): left-padded back to 32.
    const shortR = Buffer.from(VECTORS.shortRDer, 'hex');
    expect(shortR[3]).toBe(31);
    const shortSigner = await hardwareDeviceKeys(vectorModule(software.publicKey, shortR)).create('v');
    const shortRaw = await shortSigner.sign(new TextEncoder().encode(VECTORS.shortRMessage));
    expect(shortRaw[0]).toBe(0);
    expect(await pureJsCryptoProvider.p256Verify(software.publicKey, new TextEncoder().encode(VECTORS.shortRMessage), shortRaw)).toBe(true);
  });

  it('a module that fails, or returns what is not a DER signature, gives typed errors', async () => {
    const native = nodeNativeModule();
    const signer = await hardwareDeviceKeys(native.module).create('dk1');
    native.keys.clear(); // the key was invalidated (e.g. removed by the OS)
    await expect(signer.sign(new Uint8Array([1]))).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED' });
    const returning = async (text: string) =>
      (await hardwareDeviceKeys({ ...native.module, createKey: nodeNativeModule().module.createKey, sign: async () => text }).create('dk2'))
        .sign(new Uint8Array([1]))
        .catch((e: unknown) => e as CloudMfaError);
    // Not base64: the module's own output is refused inside the host call (cause: the format error).
    const notBase64 = await returning('%%%');
    expect(notBase64).toMatchObject({ code: 'ERR_SIGNER_FAILED', cause: expect.objectContaining({ code: 'ERR_SIGNATURE_FORMAT' }) });
    // Base64, but no DER ECDSA signature: the conversion refuses it.
    expect(await returning(b64(new Uint8Array(70).fill(1)))).toMatchObject({ code: 'ERR_SIGNATURE_FORMAT' });
  });

  it('the whole story on hardware-style keys: the server accepts the redemption and the push answer signed through the module', async () => {
    const srv = testServer();
    const native = nodeNativeModule();
    const host = testHost({ deviceKeys: (store) => createDeviceKeys({ native: native.module, store }).deviceKeys });
    const started = await srv.server.startActivation({ userId: 'alice', account: 'alice@acme.example' });
    renderApp(host, srv);
    await addThroughUi(started.text, started.password, { pin: PIN });
    // The identity's device key (and the engine's key for its public index) were made in the module, and signed the redemption.
    const deviceKeyTag = native.calls.find((c) => c.startsWith('createKey example.cloudmfa.devicekey.device.'))?.slice('createKey '.length);
    expect(deviceKeyTag).toBeDefined();
    expect(native.calls).toContain(`sign ${deviceKeyTag}`);
    const signs = native.calls.filter((c) => c === `sign ${deviceKeyTag}`).length;
    srv.clock.advance(30_000);
    const push = await srv.server.createPushChallenge({ userId: 'alice', context: { service: 'Acme VPN' }, numberMatch: false });
    if (!push.ok) throw new Error(push.reason);
    fireEvent.press(await screen.findByRole('button', { name: 'Check for sign-in requests' }));
    fireEvent.press(await screen.findByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText('Approved. You can go back to the sign-in page.')).toBeTruthy();
    expect((await srv.server.getChallengeStatus(push.challengeId))?.status).toBe('approved');
    expect(native.calls.filter((c) => c === `sign ${deviceKeyTag}`).length).toBeGreaterThan(signs); // the poll and the answer
  });
});

/** The S integer of a DER ECDSA-Sig-Value. */
function derS(der: Uint8Array): bigint {
  const rLen = der[3] as number;
  const sLen = der[5 + rLen] as number;
  return BigInt(`0x${hex(der.subarray(6 + rLen, 6 + rLen + sLen))}`);
}

/** A module that returns one fixed DER signature (a frozen vector). */
function vectorModule(publicKey: Uint8Array, der: Uint8Array): NativeDeviceKeyModule {
  return {
    isAvailable: () => true,
    createKey: async () => ({ publicKey: b64(publicKey), securityLevel: 'secure-enclave' }),
    publicKey: async () => b64(publicKey),
    sign: async () => b64(der),
    deleteKey: async () => {},
  };
}

// Frozen from the computation in the test above (key: SHA-256 of "cloudmfa app device-key vector").
// The short-r message is the first "cloudmfa device-key vector short-r <i>" whose r starts with
// a zero byte followed by one below 0x80 (a 31-byte DER INTEGER).
const VECTORS = {
  lowSRaw: '8eb81cb86d29a79d3c3b62452ff8dbc3dfea775c6d3ac3d639c58f93bdaccf9c21c626e63a55efddd090b36ef8ea527eb6613d01812207ea5002d26d711a5039',
  highSDer:
    '30460221008eb81cb86d29a79d3c3b62452ff8dbc3dfea775c6d3ac3d639c58f93bdaccf9c022100de39d918c5aa10232f6f4c910715ad810685bdac25f5969aa3b6f8558b48d518',
  shortRMessage: 'cloudmfa device-key vector short-r 786',
  shortRDer: '3043021f349003f3e05863e1533f1730b8f0e622aac1a30326b2d49ff4027458f8f83a02203ef912942ade98b91c3f3378d3b787190668c88221b64d73956ab4bcbe82d6d5',
};
