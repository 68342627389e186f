// Applies the telemetry seam (docs/server.md section 12.1): the store's calls and the facade
// operations. Without a `telemetry` option nothing is wrapped.
import type { OrganisationScope } from '@cloudmfa/storage';
import type { MfaOperationName, MfaStorePart, MfaTelemetry } from '../telemetry.js';
import type { CompleteActivationResult, CreatePushChallengeResult, SubmitPushResponseResult, VerifyOtpResult } from '../types.js';

type AnyFn = (...args: never[]) => Promise<unknown>;

function observed<T extends object>(part: T, name: MfaStorePart, telemetry: MfaTelemetry): T {
  const out: Record<string, unknown> = {};
  for (const method of Object.keys(part)) {
    const fn = (part as Record<string, unknown>)[method];
    if (typeof fn !== 'function') continue;
    const call = (fn as AnyFn).bind(part);
    out[method] = (...args: never[]) => telemetry.storeCall(name, method, () => call(...args));
  }
  return out as T;
}

/** An organisation's stores with every call run through `telemetry.storeCall`. */
export function observeStore(store: OrganisationScope, telemetry: MfaTelemetry): OrganisationScope {
  return Object.freeze({
    enrolments: observed(store.enrolments, 'enrolments', telemetry),
    guard: observed(store.guard, 'guard', telemetry),
    challenges: observed(store.challenges, 'challenges', telemetry),
    audit: observed(store.audit, 'audit', telemetry),
  });
}

const OUTCOMES: { [K in MfaOperationName]: (r: never) => string } = {
  start_activation: () => 'started',
  complete_activation: (r: CompleteActivationResult) => (r.ok ? 'redeemed' : r.reason),
  verify_otp: (r: VerifyOtpResult) => (r.ok ? 'accepted' : r.reason),
  create_push_challenge: (r: CreatePushChallengeResult) => (r.ok ? 'created' : r.reason),
  submit_push_response: (r: SubmitPushResponseResult) => (r.ok ? r.status : r.reason),
};

/** Runs a facade operation through `telemetry.operation`, or as is without telemetry. */
export function observeOperation<T>(telemetry: MfaTelemetry | undefined, name: MfaOperationName, run: () => Promise<T>): Promise<T> {
  if (!telemetry) return run();
  return telemetry.operation(name, run, OUTCOMES[name] as (r: T) => string);
}
