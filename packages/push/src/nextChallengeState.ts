import { CloudMfaError } from '@cloudmfa/core';

/**
 * A push challenge's state on the server. `pending` is the only non-final state.
 *
 * @example
 * ```ts
 * const state: PushChallengeState = record.state; // 'pending' until one response or expiry
 * ```
 */
export type PushChallengeState = 'pending' | 'approved' | 'denied' | 'cancelled' | 'expired';

/**
 * What can happen to a pending challenge. `verifyPushResponse` names the event to apply:
 * `approve` (Confirm), `suspicious` (Suspicious), `deny` (wrong number, user not verified),
 * `cancel` (the optional signed Cancel), `expire` (past its expiry).
 *
 * @example
 * ```ts
 * const event: PushChallengeEvent | null = result.event; // from verifyPushResponse
 * ```
 */
export type PushChallengeEvent = 'approve' | 'suspicious' | 'deny' | 'cancel' | 'expire';

/**
 * Audit entries a transition writes. Cancel and expiry write none.
 *
 * @example
 * ```ts
 * const event: PushChallengeEvent = result.event;
 * const kind: PushAuditKind | null = PUSH_CHALLENGE_TRANSITIONS[event].audit;
 * if (kind) await audit.append({ kind, enrolmentId: record.enrolmentId });
 * ```
 */
export type PushAuditKind = 'push.approved' | 'push.denied' | 'push.suspicious';

/**
 * One row of the transition table: from `pending`, on an event.
 *
 * @example
 * ```ts
 * const t: PushChallengeTransition = PUSH_CHALLENGE_TRANSITIONS.cancel; // { to: 'cancelled', audit: null, riskEvent: false }
 * ```
 */
export interface PushChallengeTransition {
  readonly to: PushChallengeState;
  /** The audit entry to write, or `null` (Cancel is never audited). */
  readonly audit: PushAuditKind | null;
  /** True when the caller must raise a risk event (Suspicious). */
  readonly riskEvent: boolean;
}

/**
 * Every state, pending first.
 *
 * @example
 * ```ts
 * const check = `state IN (${PUSH_CHALLENGE_STATES.map((s) => `'${s}'`).join(', ')})`;
 * ```
 */
export const PUSH_CHALLENGE_STATES: readonly PushChallengeState[] = Object.freeze([
  'pending',
  'approved',
  'denied',
  'cancelled',
  'expired',
]);

/**
 * The whole state machine: the transition for each event from `pending`; every event on a final
 * state is refused. Storage adapters implement it atomically ("set to `to` if still pending"),
 * the server applies exactly the event `verifyPushResponse` names. See docs/protocol/push.md, 6.
 *
 * @example
 * ```ts
 * PUSH_CHALLENGE_TRANSITIONS.suspicious; // { to: 'denied', audit: 'push.suspicious', riskEvent: true }
 * ```
 */
export const PUSH_CHALLENGE_TRANSITIONS: Readonly<Record<PushChallengeEvent, PushChallengeTransition>> = Object.freeze({
  approve: Object.freeze({ to: 'approved', audit: 'push.approved', riskEvent: false }),
  suspicious: Object.freeze({ to: 'denied', audit: 'push.suspicious', riskEvent: true }),
  deny: Object.freeze({ to: 'denied', audit: 'push.denied', riskEvent: false }),
  cancel: Object.freeze({ to: 'cancelled', audit: null, riskEvent: false }),
  expire: Object.freeze({ to: 'expired', audit: null, riskEvent: false }),
} as const);

/**
 * The result of {@link nextChallengeState}.
 *
 * @example
 * ```ts
 * const next: NextChallengeStateResult = nextChallengeState({ state: 'approved', event: 'approve' });
 * next.ok; // false: already_final
 * ```
 */
export type NextChallengeStateResult =
  | { readonly ok: true; readonly state: PushChallengeState; readonly audit: PushAuditKind | null; readonly riskEvent: boolean }
  | { readonly ok: false; readonly reason: 'already_final'; readonly state: PushChallengeState };

const has = (o: object, k: unknown): boolean => typeof k === 'string' && Object.prototype.hasOwnProperty.call(o, k);
const STATE_SET: Readonly<Record<PushChallengeState, true>> = { pending: true, approved: true, denied: true, cancelled: true, expired: true };

/**
 * True for the final states (everything but `pending`). Throws `ERR_INVALID_ARGUMENT` for a
 * string that is not a state.
 *
 * @example
 * ```ts
 * if (isFinalChallengeState(record.state)) return { status: record.state };
 * ```
 */
export function isFinalChallengeState(state: PushChallengeState): boolean {
  if (!has(STATE_SET, state)) throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"state" expected a push challenge state');
  return state !== 'pending';
}

/**
 * Options of {@link nextChallengeState}.
 *
 * @example
 * ```ts
 * const options: NextChallengeStateOptions = { state: 'pending', event: 'approve' };
 * ```
 */
export interface NextChallengeStateOptions {
  /** The challenge's current state. */
  state: PushChallengeState;
  /** What happened to it. */
  event: PushChallengeEvent;
}

/**
 * The pure transition function of the challenge state machine: the next state, the audit
 * entry to write and whether to raise a risk event, or `already_final` when the challenge was
 * already used (single use). Unknown states or events are misuse (`ERR_INVALID_ARGUMENT`).
 *
 * @example
 * ```ts
 * const next = nextChallengeState({ state: record.state, event: result.event });
 * if (next.ok && (await store.transition(record.id, 'pending', next.state))) {
 *   if (next.audit) await audit(next.audit, record);
 *   if (next.riskEvent) events.emit('risk', record);
 * }
 * ```
 */
export function nextChallengeState(options: NextChallengeStateOptions): NextChallengeStateResult {
  if (typeof options !== 'object' || options === null) throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"options" expected an object with the state and the event');
  const { state, event } = options;
  if (!has(STATE_SET, state)) throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"state" expected a push challenge state');
  if (!has(PUSH_CHALLENGE_TRANSITIONS, event)) throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"event" expected a push challenge event');
  if (state !== 'pending') return { ok: false, reason: 'already_final', state };
  const t = PUSH_CHALLENGE_TRANSITIONS[event];
  return { ok: true, state: t.to, audit: t.audit, riskEvent: t.riskEvent };
}
