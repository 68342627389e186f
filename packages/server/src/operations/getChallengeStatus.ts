import { readChallengeMeta } from '../internal/challengeMeta.js';
import type { ServerContext } from '../internal/context.js';
import { isStorageId } from '../internal/ids.js';
import type { ChallengeStatusView } from '../types.js';

/** The status of a challenge for the login page, or `null` (unknown id, or an id of the wrong syntax). Never the number. */
export async function getChallengeStatus(ctx: ServerContext, challengeId: unknown): Promise<ChallengeStatusView | null> {
  if (!isStorageId(challengeId)) return null;
  const challenge = await ctx.store.challenges.get(challengeId);
  if (!challenge) return null;
  const meta = readChallengeMeta(challenge);
  return { id: challenge.id, status: challenge.status, expiresAt: challenge.expiresAt, finalizedAt: challenge.finalizedAt, numberMatch: meta.numberMatch };
}
