// The store deadline of docs/server.md 4.1 (internal/deadline.ts): every call bounded by its
// own deadline, a late answer discarded, guard.consume never cut short. Fake timers: no outcome
// depends on the machine's speed.
import { createMemoryStore, type OrganisationScope } from '@cloudmfa/storage';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { organisationsWithDeadline, withDeadline } from '../src/internal/deadline.js';

const never = () => new Promise<never>(() => undefined);

/** A memory store whose `enrolments.get` waits for `release`, and whose `guard.consume` never answers. */
function slowStore() {
  const store = createMemoryStore({ clock: () => 0 });
  const waiting: ((v: null) => void)[] = [];
  const scope: OrganisationScope = {
    enrolments: { ...store.enrolments, get: () => new Promise((resolve) => waiting.push(resolve)) },
    guard: { ...store.guard, consume: never },
    challenges: store.challenges,
    audit: store.audit,
  };
  return { scope, release: () => waiting.shift()?.(null) };
}

/** What a promise has done so far: 'pending', 'ok' or the rejection's code. */
function track(p: Promise<unknown>) {
  const s = { state: 'pending' as string };
  p.then(
    () => (s.state = 'ok'),
    (e: { code?: string }) => (s.state = e.code ?? 'error'),
  );
  return s;
}

describe('store deadline', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rejects each call that has not answered at its own deadline, and only then', async () => {
    const { scope } = slowStore();
    const s = withDeadline(scope, 100);
    const a = track(s.enrolments.get('a'));
    await vi.advanceTimersByTimeAsync(40);
    const b = track(s.enrolments.get('b'));
    await vi.advanceTimersByTimeAsync(59);
    expect([a.state, b.state]).toEqual(['pending', 'pending']);
    await vi.advanceTimersByTimeAsync(1);
    expect([a.state, b.state]).toEqual(['ERR_STORAGE_UNAVAILABLE', 'pending']);
    await vi.advanceTimersByTimeAsync(39);
    expect(b.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(b.state).toBe('ERR_STORAGE_UNAVAILABLE');
  });

  it('a call that answers in time keeps its answer, and a late answer is discarded', async () => {
    const { scope, release } = slowStore();
    const s = withDeadline(scope, 100);
    const a = track(s.enrolments.get('a'));
    const b = track(s.enrolments.get('b'));
    await vi.advanceTimersByTimeAsync(50);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect([a.state, b.state]).toEqual(['ok', 'pending']);
    await vi.advanceTimersByTimeAsync(50);
    expect([a.state, b.state]).toEqual(['ok', 'ERR_STORAGE_UNAVAILABLE']);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(b.state).toBe('ERR_STORAGE_UNAVAILABLE');
  });

  it('never bounds guard.consume; a store call that throws rejects with its error', async () => {
    const { scope } = slowStore();
    const s = withDeadline({ ...scope, audit: { ...scope.audit, append: () => { throw new Error('sync'); } } }, 100);
    const consumed = track(s.guard.consume('a', 1));
    await expect(s.audit.append({ kind: 'x' } as never)).rejects.toThrow('sync');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(consumed.state).toBe('pending');
  });

  it('bounds the organisation records too', async () => {
    const store = createMemoryStore({ clock: () => 0 });
    const records = organisationsWithDeadline({ ...(store.organisations as NonNullable<typeof store.organisations>), get: never }, 30);
    const r = track(records.get('org'));
    await vi.advanceTimersByTimeAsync(30);
    expect(r.state).toBe('ERR_STORAGE_UNAVAILABLE');
  });
});
