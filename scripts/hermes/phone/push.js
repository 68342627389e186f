// The phone side of push: verify a challenge (or peek at it), answer it, poll when
// notifications fail.
import { createPushPollRequest, createPushResponse, peekPushMessage, verifyPushChallenge } from '@cloudmfa/push';

const used = { createPushPollRequest, createPushResponse, peekPushMessage, verifyPushChallenge };
globalThis.print?.(`HERMES-RESULT ${JSON.stringify({ textEncoder: typeof globalThis.TextEncoder, exports: Object.keys(used).map((k) => `${k}:${typeof used[k]}`) })}`);
