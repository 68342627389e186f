/**
 * `@cloudmfa/server/otel`: the server's metrics and traces on OpenTelemetry (docs/server.md
 * section 12.1). Needs `@opentelemetry/api` (an optional peer dependency: install it beside
 * this package); the main entry never imports it.
 *
 * @module @cloudmfa/server/otel
 */
import { type Attributes, type Meter, metrics, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { MfaOperationName, MfaStorePart, MfaTelemetry } from './telemetry.js';

/**
 * Options of {@link createOtelTelemetry}.
 *
 * @example
 * ```ts
 * const options: OtelTelemetryOptions = { meter: meterProvider.getMeter('@cloudmfa/server'), tracer: tracerProvider.getTracer('@cloudmfa/server') };
 * ```
 */
export interface OtelTelemetryOptions {
  /** Default: the global meter provider's `@cloudmfa/server` meter (a no-op until an SDK registers one). */
  meter?: Meter;
  /** Default: the global tracer provider's `@cloudmfa/server` tracer (a no-op until an SDK registers one). */
  tracer?: Tracer;
}

// Seconds, as OpenTelemetry's semantic conventions advise for durations, with boundaries
// from 1 ms to 10 s (a verify is milliseconds; an enrolment's KDF a few hundred).
const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** `error.type`: a CloudMfaError's stable code, else the error's class name; never a message. */
function errorType(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^ERR_[A-Z0-9_]{1,60}$/.test(code)) return code;
  const name = (e as { name?: unknown } | null)?.name;
  return typeof name === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,60}$/.test(name) ? name : '_OTHER';
}

/**
 * The server's telemetry on OpenTelemetry: pass it as `createMfaServer({ telemetry })`.
 *
 * Metrics (attributes in parentheses; every value comes from a fixed set, so cardinality is
 * bounded, and none names a user, an enrolment, a code or an address):
 *
 * - `cloudmfa.otp.verifications` (`cloudmfa.outcome`): `verifyOtp` outcomes;
 * - `cloudmfa.push.challenges` (`cloudmfa.outcome`): `createPushChallenge` outcomes;
 * - `cloudmfa.push.decisions` (`cloudmfa.outcome`): `submitPushResponse` outcomes (`approved`,
 *   `denied`, `cancelled` or the refusal);
 * - `cloudmfa.activation.redemptions` (`cloudmfa.outcome`): `completeActivation` outcomes;
 * - `cloudmfa.operation.duration`, seconds (`cloudmfa.operation`, `cloudmfa.outcome`, `error.type`);
 * - `cloudmfa.store.duration`, seconds (`cloudmfa.store.part`, `db.operation.name`, `error.type`);
 * - `cloudmfa.store.errors` (`cloudmfa.store.part`, `db.operation.name`, `error.type`).
 *
 * Traces: a span per facade operation (`cloudmfa.verify_otp`, ...) and, inside it, an internal
 * span per store call (`cloudmfa.store guard.consume`, ...); a failed call sets the span's
 * status to error with `error.type`, never the error's message. Durations are measured with
 * `performance.now()` (a monotonic clock: measurement, not a decision of the server).
 *
 * @example
 * ```ts
 * import { createOtelTelemetry } from '@cloudmfa/server/otel';
 * const server = createMfaServer({ store, keys, issuer: 'Acme Corporation', telemetry: createOtelTelemetry() });
 * ```
 */
export function createOtelTelemetry(options: OtelTelemetryOptions = {}): MfaTelemetry {
  const meter = options.meter ?? metrics.getMeter('@cloudmfa/server');
  const tracer = options.tracer ?? trace.getTracer('@cloudmfa/server');
  const counters: Partial<Record<MfaOperationName, ReturnType<Meter['createCounter']>>> = {
    verify_otp: meter.createCounter('cloudmfa.otp.verifications', { description: 'OTP verifications (verifyOtp), by outcome', unit: '{verification}' }),
    create_push_challenge: meter.createCounter('cloudmfa.push.challenges', { description: 'Push challenge creations (createPushChallenge), by outcome', unit: '{challenge}' }),
    submit_push_response: meter.createCounter('cloudmfa.push.decisions', { description: 'Push responses (submitPushResponse), by decision or refusal', unit: '{response}' }),
    complete_activation: meter.createCounter('cloudmfa.activation.redemptions', { description: 'Online redemptions (completeActivation), by outcome', unit: '{redemption}' }),
  };
  const operationDuration = meter.createHistogram('cloudmfa.operation.duration', {
    description: 'Duration of the server facade operations',
    unit: 's',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  });
  const storeDuration = meter.createHistogram('cloudmfa.store.duration', {
    description: 'Duration of the store calls the server makes',
    unit: 's',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  });
  const storeErrors = meter.createCounter('cloudmfa.store.errors', { description: 'Store calls that failed, by error type', unit: '{error}' });

  return Object.freeze({
    operation: <T>(name: MfaOperationName, run: () => Promise<T>, outcomeOf: (result: T) => string): Promise<T> =>
      tracer.startActiveSpan(`cloudmfa.${name}`, { kind: SpanKind.INTERNAL, attributes: { 'cloudmfa.operation': name } }, async (span) => {
        const start = performance.now();
        const attributes: Attributes = { 'cloudmfa.operation': name };
        try {
          const result = await run();
          attributes['cloudmfa.outcome'] = outcomeOf(result);
          return result;
        } catch (e) {
          attributes['cloudmfa.outcome'] = 'error';
          attributes['error.type'] = errorType(e);
          span.setStatus({ code: SpanStatusCode.ERROR, message: attributes['error.type'] as string });
          throw e;
        } finally {
          span.setAttributes(attributes);
          span.end();
          operationDuration.record((performance.now() - start) / 1000, attributes);
          counters[name]?.add(1, { 'cloudmfa.outcome': attributes['cloudmfa.outcome'] as string });
        }
      }),
    storeCall: <T>(part: MfaStorePart, method: string, run: () => Promise<T>): Promise<T> => {
      const attributes: Attributes = { 'cloudmfa.store.part': part, 'db.operation.name': method };
      return tracer.startActiveSpan(`cloudmfa.store ${part}.${method}`, { kind: SpanKind.INTERNAL, attributes }, async (span) => {
        const start = performance.now();
        try {
          return await run();
        } catch (e) {
          const type = errorType(e);
          attributes['error.type'] = type;
          span.setAttribute('error.type', type);
          span.setStatus({ code: SpanStatusCode.ERROR, message: type });
          storeErrors.add(1, attributes);
          throw e;
        } finally {
          span.end();
          storeDuration.record((performance.now() - start) / 1000, attributes);
        }
      });
    },
  });
}
