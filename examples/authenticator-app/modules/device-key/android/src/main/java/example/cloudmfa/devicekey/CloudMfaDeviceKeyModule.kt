// Device keys in the Android Keystore: P-256 private keys generated inside it (StrongBox when the
// phone has one, else the TEE; never exportable), for signing only, with SHA-256. Signatures are
// "SHA256withECDSA", DER encoded; the TypeScript side converts them to raw r || s with low S.
// Bytes cross the bridge as standard base64.
package example.cloudmfa.devicekey

import android.content.pm.PackageManager
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyInfo
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import android.util.Base64
import expo.modules.kotlin.exception.CodedException
import expo.modules.kotlin.exception.Exceptions
import expo.modules.kotlin.modules.Module
import expo.modules.kotlin.modules.ModuleDefinition
import java.math.BigInteger
import java.security.KeyFactory
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.KeyStore
import java.security.PrivateKey
import java.security.Signature
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec

private const val KEYSTORE = "AndroidKeyStore"

internal class DeviceKeyException(what: String, cause: Throwable? = null) :
  CodedException("ERR_DEVICE_KEY", "Device key operation failed: $what", cause)

class CloudMfaDeviceKeyModule : Module() {
  override fun definition() = ModuleDefinition {
    Name("CloudMfaDeviceKey")

    // Every Android version Expo 57 supports has the Keystore; the security level says where keys live.
    Function("isAvailable") { true }

    AsyncFunction("createKey") { tag: String ->
      deleteEntry(tag)
      val pair = try {
        generate(tag, strongBox = hasStrongBox())
      } catch (e: StrongBoxUnavailableException) {
        generate(tag, strongBox = false)
      }
      mapOf("publicKey" to encodePublicKey(pair.public as ECPublicKey), "securityLevel" to securityLevel(pair.private))
    }

    AsyncFunction("publicKey") { tag: String ->
      keyStore().getCertificate(tag)?.let { encodePublicKey(it.publicKey as ECPublicKey) }
    }

    AsyncFunction("sign") { tag: String, messageBase64: String ->
      val message = try {
        Base64.decode(messageBase64, Base64.NO_WRAP)
      } catch (e: IllegalArgumentException) {
        throw DeviceKeyException("the message is not base64", e)
      }
      val key = keyStore().getKey(tag, null) as? PrivateKey ?: throw DeviceKeyException("no key under this tag")
      val signature = Signature.getInstance("SHA256withECDSA").run {
        initSign(key)
        update(message)
        sign()
      }
      Base64.encodeToString(signature, Base64.NO_WRAP)
    }

    AsyncFunction("deleteKey") { tag: String ->
      deleteEntry(tag)
    }
  }

  private fun keyStore(): KeyStore = KeyStore.getInstance(KEYSTORE).apply { load(null) }

  private fun deleteEntry(tag: String) {
    val store = keyStore()
    if (store.containsAlias(tag)) store.deleteEntry(tag)
  }

  private fun hasStrongBox(): Boolean {
    if (Build.VERSION.SDK_INT < Build.VERSION_CODES.P) return false
    val context = appContext.reactContext ?: throw Exceptions.ReactContextLost()
    return context.packageManager.hasSystemFeature(PackageManager.FEATURE_STRONGBOX_KEYSTORE)
  }

  private fun generate(tag: String, strongBox: Boolean): KeyPair {
    val spec = KeyGenParameterSpec.Builder(tag, KeyProperties.PURPOSE_SIGN)
      .setAlgorithmParameterSpec(ECGenParameterSpec("secp256r1"))
      .setDigests(KeyProperties.DIGEST_SHA256)
    if (strongBox && Build.VERSION.SDK_INT >= Build.VERSION_CODES.P) spec.setIsStrongBoxBacked(true)
    return KeyPairGenerator.getInstance(KeyProperties.KEY_ALGORITHM_EC, KEYSTORE).run {
      initialize(spec.build())
      generateKeyPair()
    }
  }

  // Where the key lives, for the app's Settings > About: strongbox, tee or software.
  private fun securityLevel(key: PrivateKey): String {
    val info = KeyFactory.getInstance(key.algorithm, KEYSTORE).getKeySpec(key, KeyInfo::class.java)
    if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) {
      return when (info.securityLevel) {
        KeyProperties.SECURITY_LEVEL_STRONGBOX -> "strongbox"
        KeyProperties.SECURITY_LEVEL_TRUSTED_ENVIRONMENT -> "tee"
        else -> "software"
      }
    }
    @Suppress("DEPRECATION")
    return if (info.isInsideSecureHardware) "tee" else "software"
  }

  // SEC1 uncompressed point: 0x04 || X || Y, each coordinate left-padded to 32 bytes.
  private fun encodePublicKey(key: ECPublicKey): String {
    val out = ByteArray(65)
    out[0] = 0x04
    fixed32(key.w.affineX).copyInto(out, 1)
    fixed32(key.w.affineY).copyInto(out, 33)
    return Base64.encodeToString(out, Base64.NO_WRAP)
  }

  private fun fixed32(value: BigInteger): ByteArray {
    val bytes = value.toByteArray()
    return when {
      bytes.size == 32 -> bytes
      bytes.size == 33 && bytes[0] == 0.toByte() -> bytes.copyOfRange(1, 33)
      bytes.size < 32 -> ByteArray(32 - bytes.size) + bytes
      else -> throw DeviceKeyException("public key coordinate over 32 bytes")
    }
  }
}
