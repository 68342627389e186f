// `@cloudmfa/server/otel` on the real OpenTelemetry SDK (docs/server.md section 12.1): counters
// of verify outcomes, push decisions, redemptions and store errors, duration histograms, spans
// around store calls nested in the operation's span; bounded attributes that never carry a user
// id, an enrolment id, a code or an address.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { createMemoryStore } from '@cloudmfa/storage';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOtelTelemetry } from '../src/otel.js';
import { activateOnline, answerPush, codeAt, makeDevice, makeServer, numberOf } from './helpers.js';

/** Collects on demand (no timer). */
class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

interface Point {
  name: string;
  attributes: Record<string, unknown>;
  value: number;
}

async function points(reader: TestReader): Promise<Point[]> {
  const { resourceMetrics } = await reader.collect();
  const out: Point[] = [];
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const m of scope.metrics) {
      for (const dp of m.dataPoints) {
        const value = m.dataPointType === DataPointType.HISTOGRAM ? (dp.value as { count: number }).count : (dp.value as number);
        out.push({ name: m.descriptor.name, attributes: { ...dp.attributes }, value });
      }
    }
  }
  return out;
}

const valueOf = (ps: Point[], name: string, attributes: Record<string, unknown>) =>
  ps.filter((p) => p.name === name && Object.entries(attributes).every(([k, v]) => p.attributes[k] === v)).reduce((n, p) => n + p.value, 0);

function setup() {
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
  const telemetry = createOtelTelemetry({ meter: meterProvider.getMeter('test'), tracer: tracerProvider.getTracer('test') });
  return { reader, spans, telemetry };
}

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

describe('createOtelTelemetry', () => {
  it('counts verify outcomes, push decisions and redemptions; times operations and store calls; nests store spans', async () => {
    const { reader, spans, telemetry } = setup();
    const observed = makeServer({ telemetry });
    const device = makeDevice('a');
    const { identity } = await activateOnline(observed, device);
    const code = codeAt(observed, identity.seed);
    expect(await observed.server.verifyOtp({ userId: 'alice', code, clientIp: '203.0.113.7' })).toMatchObject({ ok: true });
    expect(await observed.server.verifyOtp({ userId: 'alice', code })).toMatchObject({ reason: 'replayed' });
    expect(await observed.server.verifyOtp({ userId: 'alice', code: '000000' })).toMatchObject({ reason: 'invalid' });
    expect(await observed.server.verifyOtp({ userId: 'nobody', code: '000000' })).toMatchObject({ reason: 'not_found' });
    const c = await observed.server.createPushChallenge({ userId: 'alice', context: { service: 'Acme VPN' } });
    if (!c.ok) throw new Error(c.reason);
    const answer = await answerPush(observed, identity, device, c.token, 'confirm', numberOf(c));
    expect(await observed.server.submitPushResponse(answer)).toMatchObject({ ok: true, status: 'approved' });
    expect(await observed.server.submitPushResponse(answer)).toMatchObject({ ok: false });
    expect(await observed.server.createPushChallenge({ userId: 'bob', context: { service: 'Acme VPN' } })).toMatchObject({ reason: 'no_device' });

    const ps = await points(reader);
    expect(valueOf(ps, 'cloudmfa.otp.verifications', { 'cloudmfa.outcome': 'accepted' })).toBe(1);
    expect(valueOf(ps, 'cloudmfa.otp.verifications', { 'cloudmfa.outcome': 'replayed' })).toBe(1);
    expect(valueOf(ps, 'cloudmfa.otp.verifications', { 'cloudmfa.outcome': 'invalid' })).toBe(1);
    expect(valueOf(ps, 'cloudmfa.otp.verifications', { 'cloudmfa.outcome': 'not_found' })).toBe(1);
    expect(valueOf(ps, 'cloudmfa.activation.redemptions', { 'cloudmfa.outcome': 'redeemed' })).toBe(1);
    expect(valueOf(ps, 'cloudmfa.push.challenges', { 'cloudmfa.outcome': 'created' })).toBe(1);
    expect(valueOf(ps, 'cloudmfa.push.challenges', { 'cloudmfa.outcome': 'no_device' })).toBe(1);
    expect(valueOf(ps, 'cloudmfa.push.decisions', { 'cloudmfa.outcome': 'approved' })).toBe(1);
    expect(valueOf(ps, 'cloudmfa.push.decisions', {})).toBe(2);
    expect(valueOf(ps, 'cloudmfa.operation.duration', { 'cloudmfa.operation': 'verify_otp' })).toBe(4);
    expect(valueOf(ps, 'cloudmfa.operation.duration', { 'cloudmfa.operation': 'start_activation', 'cloudmfa.outcome': 'started' })).toBe(1);
    expect(valueOf(ps, 'cloudmfa.store.duration', { 'cloudmfa.store.part': 'guard', 'db.operation.name': 'consume' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(ps, 'cloudmfa.store.errors', {})).toBe(0);

    const finished = spans.getFinishedSpans();
    const verify = finished.filter((s) => s.name === 'cloudmfa.verify_otp');
    expect(verify.map((s) => s.attributes['cloudmfa.outcome'])).toEqual(['accepted', 'replayed', 'invalid', 'not_found']);
    const consume = finished.find((s) => s.name === 'cloudmfa.store guard.consume') as ReadableSpan;
    expect(consume.attributes).toMatchObject({ 'cloudmfa.store.part': 'guard', 'db.operation.name': 'consume' });
    expect(consume.parentSpanContext?.spanId).toBe(verify[0]?.spanContext().spanId);

    // Bounded attributes: no id, code, address or user anywhere.
    const everything = JSON.stringify([ps.map((p) => p.attributes), finished.map((s) => [s.name, s.attributes, s.status])]);
    for (const leak of ['alice', 'bob', 'nobody', identity.enrolmentId, code, '203.0.113.7', c.challengeId]) expect(everything).not.toContain(leak);
  });

  it('counts store errors by type, marks the spans, and reports the operation as an error', async () => {
    const { reader, spans, telemetry } = setup();
    const { server } = makeServer({
      telemetry,
      store: (clock) => {
        const s = createMemoryStore({ clock });
        const down = () => Promise.reject(Object.assign(new Error('connection refused to db.internal:5432 as admin'), { code: 'ERR_STORAGE_UNAVAILABLE' }));
        return { ...s, enrolments: { ...s.enrolments, listByUser: down } };
      },
    });
    await expect(server.verifyOtp({ userId: 'alice', code: '123456' })).rejects.toMatchObject({ code: 'ERR_STORAGE_UNAVAILABLE' });
    const ps = await points(reader);
    expect(valueOf(ps, 'cloudmfa.store.errors', { 'cloudmfa.store.part': 'enrolments', 'db.operation.name': 'listByUser', 'error.type': 'ERR_STORAGE_UNAVAILABLE' })).toBe(1);
    expect(valueOf(ps, 'cloudmfa.operation.duration', { 'cloudmfa.outcome': 'error', 'error.type': 'ERR_STORAGE_UNAVAILABLE' })).toBe(1);
    const failed = spans.getFinishedSpans().filter((s) => s.status.code === 2);
    expect(failed.map((s) => s.name).sort()).toEqual(['cloudmfa.store enrolments.listByUser', 'cloudmfa.verify_otp']);
    // The error's message (which may name hosts or users) is not exported.
    expect(JSON.stringify(spans.getFinishedSpans().map((s) => [s.attributes, s.status, s.events]))).not.toContain('db.internal');
  });

  it('the main entry never imports OpenTelemetry; only the otel subpath does', () => {
    for (const file of ['index.js', 'index.cjs']) expect(readFileSync(new URL(`../dist/${file}`, import.meta.url), 'utf8')).not.toContain('@opentelemetry');
    expect(readFileSync(new URL('../dist/otel.js', import.meta.url), 'utf8')).toMatch(/from ["']@opentelemetry\/api["']/);
  });
});
