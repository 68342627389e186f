// The moves of accepted codes' audit entries from the guard store's outbox into the audit log
// (docs/server.md section 4.1): awaited by the acceptance (`inline`), or run without the caller
// waiting (`background`), at most `maxInFlight` at once for the whole server (every
// organisation's moves share the bound); past it the acceptance awaits its own move.

/** How a server runs its audit moves; one per server instance, shared by every organisation. */
export interface AuditMoves {
  /**
   * Runs `move`: awaited inline, or started in the background when fewer than the bound are in
   * flight (then it resolves at once). Never rejects: a failed move leaves its entry in the
   * outbox for the drain, and the code stays accepted.
   */
  run(move: () => Promise<unknown>): Promise<void>;
  /** Resolves when every background move started before the call has finished (moved or failed). */
  flush(): Promise<void>;
}

/**
 * `work`, awaited, its failure swallowed: for what follows an accepted code, which nothing may
 * turn into an error (it is already recorded where it matters; a store fault is not the caller's).
 */
export async function settled(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch {
    // Not logged (an error object from a store is outside our control); left for later: the
    // outbox drain, the next reset, the next read's maintenance.
  }
}

const INLINE: AuditMoves = Object.freeze({ run: settled, flush: async () => undefined });

/** The audit moves of one server: `'inline'`, or `'background'` with at most `maxInFlight` in flight. */
export function createAuditMoves(mode: 'inline' | 'background', maxInFlight: number): AuditMoves {
  if (mode === 'inline') return INLINE;
  const inFlight = new Set<Promise<void>>();
  return Object.freeze({
    run(move: () => Promise<unknown>): Promise<void> {
      // Backpressure: the backlog never exceeds the bound, and a saturated audit log slows the
      // acceptances down to its own pace instead of queueing work outside anyone's wait.
      if (inFlight.size >= maxInFlight) return settled(move);
      const running = settled(move);
      inFlight.add(running);
      void running.then(() => inFlight.delete(running));
      return Promise.resolve();
    },
    async flush(): Promise<void> {
      await Promise.all([...inFlight]);
    },
  });
}
