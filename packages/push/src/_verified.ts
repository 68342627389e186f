// The challenges verifyPushChallenge returned, so createPushResponse can refuse to sign an answer
// to a challenge nobody verified. A WeakSet: nothing is kept alive, nothing is exported.
const verified = new WeakSet<object>();

export function markVerified(challenge: object): void {
  verified.add(challenge);
}

export function isVerified(challenge: unknown): boolean {
  return typeof challenge === 'object' && challenge !== null && verified.has(challenge);
}
