// The phone side of an activation: read the header (preview), open with the password,
// build the redemption request, open the server's response.
import { createRedemption, normalizePassword, openEnvelope, openRedemptionResponse, readEnvelopeHeader } from '@cloudmfa/activation';

const used = { createRedemption, normalizePassword, openEnvelope, openRedemptionResponse, readEnvelopeHeader };
globalThis.print?.(`HERMES-RESULT ${JSON.stringify({ textEncoder: typeof globalThis.TextEncoder, exports: Object.keys(used).map((k) => `${k}:${typeof used[k]}`) })}`);
