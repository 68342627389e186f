// The device request's JWS `typ` (docs/protocol/push.md section 3.4), shared by the phone's
// createDeviceRequest and the server's verifyDeviceRequest (which holds the claims check, so
// the phone's bundle does not carry it).

/** JWS `typ` of a device request. */
export const DEVICE_REQUEST_TYP = 'cloudmfa-device+jwt';
