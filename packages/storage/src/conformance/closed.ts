import { it } from 'vitest';
import { DEFAULT_THROTTLE_POLICY } from '../throttle.js';
import { type Ctx, expectCode, enrol, challenge } from './_shared.js';

// ---------------------------------------------------------------------------------------------
// closed

export function closedTests(c: Ctx): void {
  it('rejects every operation with ERR_STORAGE_UNAVAILABLE after close (close is idempotent)', async () => {
    await enrol(c, 'e1');
    await challenge(c, 'c1');
    await c.store.close();
    await c.store.close();
    const U = 'ERR_STORAGE_UNAVAILABLE';
    await expectCode(() => enrol(c, 'e2'), U);
    await expectCode(() => c.store.enrolments.get('e1'), U);
    await expectCode(() => c.store.enrolments.listByUser('alice'), U);
    await expectCode(() => c.store.enrolments.redeem('e1'), U);
    await expectCode(() => c.store.enrolments.update('e1', { meta: {} }), U);
    await expectCode(() => c.store.enrolments.revoke('e1'), U);
    await expectCode(() => c.store.guard.get('e1'), U);
    await expectCode(() => c.store.guard.consume('e1', 1), U);
    await expectCode(() => c.store.guard.recordFailure('e1', DEFAULT_THROTTLE_POLICY), U);
    await expectCode(() => c.store.guard.attempt('e1', DEFAULT_THROTTLE_POLICY), U);
    await expectCode(() => c.store.guard.reset('e1'), U);
    await expectCode(() => challenge(c, 'c2'), U);
    await expectCode(() => c.store.challenges.get('c1'), U);
    await expectCode(() => c.store.challenges.finalize('c1', { status: 'approved' }), U);
    await expectCode(() => c.store.challenges.listPending('enr1'), U);
    await expectCode(() => c.store.audit.append({ kind: 'x' }), U);
    await expectCode(() => c.store.audit.query(), U);
  });
}
