// The telemetry seam of createMfaServer (docs/server.md section 12.1): the server reports each
// facade operation's outcome and runs each store call through it. No dependency: the
// OpenTelemetry implementation is `@cloudmfa/server/otel` (on `@opentelemetry/api`, an optional
// peer), so a server without it never loads OpenTelemetry.

/**
 * The facade operations the server reports, as `cloudmfa.operation` values.
 *
 * @example
 * ```ts
 * const name: MfaOperationName = 'verify_otp';
 * ```
 */
export type MfaOperationName = 'start_activation' | 'complete_activation' | 'verify_otp' | 'create_push_challenge' | 'submit_push_response';

/**
 * The parts of the store whose calls the server reports, as `cloudmfa.store.part` values.
 *
 * @example
 * ```ts
 * const part: MfaStorePart = 'guard';
 * ```
 */
export type MfaStorePart = 'enrolments' | 'guard' | 'challenges' | 'audit';

/**
 * What `createMfaServer({ telemetry })` reports to. Both methods must return what `run`
 * returns (or reject with what it rejects with) and may do their bookkeeping around it.
 * `createOtelTelemetry` (`@cloudmfa/server/otel`) implements it on OpenTelemetry.
 *
 * Outcomes are bounded: a result's `reason` (`invalid`, `replayed`, `rate_limited`, ...), a push
 * decision (`approved`, `denied`, `cancelled`), `accepted`, `created`, `redeemed`, `started`,
 * or `error` when the operation threw. No user id, enrolment id, code or address is passed.
 *
 * @example
 * ```ts
 * const counts = new Map<string, number>();
 * const telemetry: MfaTelemetry = {
 *   operation: async (name, run, outcomeOf) => {
 *     const result = await run();
 *     const key = `${name}:${outcomeOf(result)}`;
 *     counts.set(key, (counts.get(key) ?? 0) + 1);
 *     return result;
 *   },
 *   storeCall: (_part, _method, run) => run(),
 * };
 * ```
 */
export interface MfaTelemetry {
  /** Runs one facade operation; `outcomeOf(result)` names its outcome. */
  operation<T>(name: MfaOperationName, run: () => Promise<T>, outcomeOf: (result: T) => string): Promise<T>;
  /** Runs one store call (`method` is the store interface's method name, such as `consume`). */
  storeCall<T>(part: MfaStorePart, method: string, run: () => Promise<T>): Promise<T>;
}
