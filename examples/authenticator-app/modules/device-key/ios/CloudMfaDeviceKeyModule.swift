// Device keys in the Secure Enclave: P-256 private keys created inside it, never exportable,
// usable only on this device (no backup, no migration), addressed by an application tag.
// Signatures are ECDSA with SHA-256 over the message (`.ecdsaSignatureMessageX962SHA256`: the
// enclave hashes), DER encoded; the TypeScript side converts them to raw r || s with low S.
// Bytes cross the bridge as standard base64.
import CryptoKit
import ExpoModulesCore
import Foundation
import Security

internal final class DeviceKeyException: GenericException<String> {
  override var reason: String {
    "Device key operation failed: \(param)"
  }
}

public final class CloudMfaDeviceKeyModule: Module {
  public func definition() -> ModuleDefinition {
    Name("CloudMfaDeviceKey")

    // Simulators and Macs without an enclave: the app falls back to software keys.
    Function("isAvailable") { () -> Bool in
      #if targetEnvironment(simulator)
        return false
      #else
        return SecureEnclave.isAvailable
      #endif
    }

    AsyncFunction("createKey") { (tag: String) throws -> [String: String] in
      try Self.deleteKey(tag)
      var error: Unmanaged<CFError>?
      guard let access = SecAccessControlCreateWithFlags(
        kCFAllocatorDefault,
        kSecAttrAccessibleWhenUnlockedThisDeviceOnly,
        .privateKeyUsage,
        &error
      ) else {
        throw DeviceKeyException(Self.describe(error, "access control"))
      }
      let attributes: [String: Any] = [
        kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
        kSecAttrKeySizeInBits as String: 256,
        kSecAttrTokenID as String: kSecAttrTokenIDSecureEnclave,
        kSecPrivateKeyAttrs as String: [
          kSecAttrIsPermanent as String: true,
          kSecAttrApplicationTag as String: Self.tagData(tag),
          kSecAttrAccessControl as String: access,
        ] as [String: Any],
      ]
      guard let privateKey = SecKeyCreateRandomKey(attributes as CFDictionary, &error) else {
        throw DeviceKeyException(Self.describe(error, "key creation"))
      }
      return ["publicKey": try Self.publicKeyBase64(privateKey), "securityLevel": "secure-enclave"]
    }

    AsyncFunction("publicKey") { (tag: String) throws -> String? in
      guard let privateKey = try Self.findKey(tag) else {
        return nil
      }
      return try Self.publicKeyBase64(privateKey)
    }

    AsyncFunction("sign") { (tag: String, messageBase64: String) throws -> String in
      guard let message = Data(base64Encoded: messageBase64) else {
        throw DeviceKeyException("the message is not base64")
      }
      guard let privateKey = try Self.findKey(tag) else {
        throw DeviceKeyException("no key under this tag")
      }
      let algorithm = SecKeyAlgorithm.ecdsaSignatureMessageX962SHA256
      guard SecKeyIsAlgorithmSupported(privateKey, .sign, algorithm) else {
        throw DeviceKeyException("the key cannot sign ECDSA SHA-256")
      }
      var error: Unmanaged<CFError>?
      guard let signature = SecKeyCreateSignature(privateKey, algorithm, message as CFData, &error) as Data? else {
        throw DeviceKeyException(Self.describe(error, "signing"))
      }
      return signature.base64EncodedString()
    }

    AsyncFunction("deleteKey") { (tag: String) throws in
      try Self.deleteKey(tag)
    }
  }

  private static func tagData(_ tag: String) -> Data {
    Data(tag.utf8)
  }

  private static func keyQuery(_ tag: String) -> [String: Any] {
    [
      kSecClass as String: kSecClassKey,
      kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
      kSecAttrApplicationTag as String: tagData(tag),
      kSecAttrKeyClass as String: kSecAttrKeyClassPrivate,
    ]
  }

  private static func findKey(_ tag: String) throws -> SecKey? {
    var query = keyQuery(tag)
    query[kSecReturnRef as String] = true
    var item: CFTypeRef?
    let status = SecItemCopyMatching(query as CFDictionary, &item)
    if status == errSecItemNotFound {
      return nil
    }
    guard status == errSecSuccess, let found = item else {
      throw DeviceKeyException("keychain lookup (OSStatus \(status))")
    }
    // SecItemCopyMatching with kSecClassKey and kSecReturnRef returns a SecKey.
    return (found as! SecKey)
  }

  private static func deleteKey(_ tag: String) throws {
    let status = SecItemDelete(keyQuery(tag) as CFDictionary)
    guard status == errSecSuccess || status == errSecItemNotFound else {
      throw DeviceKeyException("keychain delete (OSStatus \(status))")
    }
  }

  // X9.63 uncompressed point: 0x04 || X || Y, 65 bytes.
  private static func publicKeyBase64(_ privateKey: SecKey) throws -> String {
    guard let publicKey = SecKeyCopyPublicKey(privateKey) else {
      throw DeviceKeyException("no public key")
    }
    var error: Unmanaged<CFError>?
    guard let data = SecKeyCopyExternalRepresentation(publicKey, &error) as Data? else {
      throw DeviceKeyException(describe(error, "public key export"))
    }
    return data.base64EncodedString()
  }

  // The OS error's code only: its description may quote the operation, never key material.
  private static func describe(_ error: Unmanaged<CFError>?, _ what: String) -> String {
    guard let cfError = error?.takeRetainedValue() else {
      return what
    }
    return "\(what) (CFError \(CFErrorGetCode(cfError)))"
  }
}
