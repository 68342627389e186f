import { isCloudMfaError } from '@cloudmfa/core';
import {
  isFinalChallengeState,
  nextChallengeState,
  PUSH_CHALLENGE_STATES,
  PUSH_CHALLENGE_TRANSITIONS,
  type PushChallengeEvent,
} from '@cloudmfa/push/server';
import { describe, expect, it } from 'vitest';

const EVENTS = Object.keys(PUSH_CHALLENGE_TRANSITIONS) as PushChallengeEvent[];

describe('push challenge state machine (docs/protocol/push.md 6)', () => {
  it('is exactly the specified table', () => {
    expect(PUSH_CHALLENGE_STATES).toEqual(['pending', 'approved', 'denied', 'cancelled', 'expired']);
    expect(PUSH_CHALLENGE_TRANSITIONS).toEqual({
      approve: { to: 'approved', audit: 'push.approved', riskEvent: false },
      suspicious: { to: 'denied', audit: 'push.suspicious', riskEvent: true },
      deny: { to: 'denied', audit: 'push.denied', riskEvent: false },
      cancel: { to: 'cancelled', audit: null, riskEvent: false },
      expire: { to: 'expired', audit: null, riskEvent: false },
    });
    expect(Object.isFrozen(PUSH_CHALLENGE_TRANSITIONS) && Object.isFrozen(PUSH_CHALLENGE_TRANSITIONS.approve)).toBe(true);
  });

  it('pending goes to one final state per event; every final state refuses every event (single use)', () => {
    for (const event of EVENTS) {
      const r = nextChallengeState({ state: 'pending', event });
      expect(r).toEqual({ ok: true, state: PUSH_CHALLENGE_TRANSITIONS[event].to, audit: PUSH_CHALLENGE_TRANSITIONS[event].audit, riskEvent: PUSH_CHALLENGE_TRANSITIONS[event].riskEvent });
      expect(isFinalChallengeState(r.state)).toBe(true);
    }
    for (const state of PUSH_CHALLENGE_STATES.filter((s) => s !== 'pending')) {
      for (const event of EVENTS) expect(nextChallengeState({ state, event })).toEqual({ ok: false, reason: 'already_final', state });
    }
  });

  it('Cancel is never audited and raises nothing; Suspicious is audited and raises a risk event', () => {
    expect(nextChallengeState({ state: 'pending', event: 'cancel' })).toMatchObject({ audit: null, riskEvent: false });
    expect(nextChallengeState({ state: 'pending', event: 'suspicious' })).toMatchObject({ state: 'denied', audit: 'push.suspicious', riskEvent: true });
    expect(Object.values(PUSH_CHALLENGE_TRANSITIONS).filter((t) => t.riskEvent)).toHaveLength(1);
  });

  it('unknown states and events are misuse', () => {
    for (const [s, e] of [
      ['open', 'approve'],
      ['pending', 'confirm'],
      ['pending', 'toString'],
      ['__proto__', 'approve'],
    ]) {
      try {
        nextChallengeState({ state: s as never, event: e as never });
        expect.unreachable();
      } catch (err) {
        expect(isCloudMfaError(err, 'ERR_INVALID_ARGUMENT')).toBe(true);
      }
    }
  });
});
