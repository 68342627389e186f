# The app's local Expo module (examples/authenticator-app/modules/device-key): device keys in the
# Secure Enclave. Autolinked by `expo prebuild` / `expo run:ios` from the app's `modules/` folder.
Pod::Spec.new do |s|
  s.name           = 'CloudMfaDeviceKey'
  s.version        = '0.0.0'
  s.summary        = 'P-256 device keys in the Secure Enclave for the CloudMFA example app'
  s.description    = 'Creates, signs with (ECDSA P-256 SHA-256, DER) and deletes Secure Enclave keys.'
  s.license        = 'MIT'
  s.author         = 'CloudMFA'
  s.homepage       = 'https://example.invalid/cloudmfa'
  s.platforms      = { :ios => '16.4' }
  s.swift_version  = '5.9'
  s.source         = { git: '' }
  s.static_framework = true

  s.dependency 'ExpoModulesCore'

  s.source_files = '**/*.swift'
  s.pod_target_xcconfig = {
    'DEFINES_MODULE' => 'YES',
    'SWIFT_COMPILATION_MODE' => 'wholemodule'
  }
end
