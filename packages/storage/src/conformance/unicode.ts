import { expect, it } from 'vitest';
import type { JsonObject } from '../types.js';
import { type Ctx, enrol, challenge } from './_shared.js';

// ---------------------------------------------------------------------------------------------
// unicode

export function unicodeTests(c: Ctx): void {
  const users = ['zoë@example.com', 'ユーザー', 'مستخدم', '👩🏽‍💻 dev', 'e\u0301', '\u00e9', 'O\'Brien "quoted" \\ back', 'line\u2028sep'];

  it('stores and finds user ids in any script, byte for byte (no normalization)', async () => {
    for (const [i, userId] of users.entries()) {
      await enrol(c, `e${i}`, { userId });
      await challenge(c, `c${i}`, { userId, enrolmentId: `e${i}` });
      await c.store.audit.append({ kind: 'enrolment.issued', enrolmentId: `e${i}`, userId });
    }
    for (const [i, userId] of users.entries()) {
      const list = await c.store.enrolments.listByUser(userId);
      expect(list.map((e) => e.id)).toEqual([`e${i}`]);
      expect(list[0]?.userId).toBe(userId);
      expect((await c.store.challenges.get(`c${i}`))?.userId).toBe(userId);
      const q = await c.store.audit.query({ userId });
      expect(q.events.map((e) => e.userId)).toEqual([userId]);
    }
  });

  it('round-trips unicode JSON strings and keys', async () => {
    const meta: JsonObject = {
      label: 'Zoë — ACME 株式会社',
      emoji: '🔐👍🏿',
      rtl: 'שלום',
      combining: 'e\u0301',
      escapes: '"\\/\b\f\n\r\t\u2028\u2029',
      control: '\u0001\u001f',
      ['ключ']: { ['🔑']: ['ü', 1.5, -0.25, 1e21, true, null] },
      deep: { a: { b: { c: { d: 'e' } } } },
    };
    await enrol(c, 'u1', { meta });
    expect((await c.store.enrolments.get('u1'))?.meta).toEqual(meta);
    await challenge(c, 'c1', { meta });
    expect((await c.store.challenges.get('c1'))?.meta).toEqual(meta);
    const r = await c.store.challenges.finalize('c1', { status: 'denied', outcome: { note: '怪しい 🚨' } });
    expect(r.ok && r.challenge.outcome).toEqual({ note: '怪しい 🚨' });
    expect((await c.store.challenges.get('c1'))?.outcome).toEqual({ note: '怪しい 🚨' });
    await c.store.audit.append({ kind: 'push.suspicious', detail: meta });
    expect((await c.store.audit.query()).events[0]?.detail).toEqual(meta);
  });

  it('round-trips every byte value in a secret', async () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    await enrol(c, 'b1', { secret: all });
    expect((await c.store.enrolments.get('b1'))?.secret).toEqual(all);
    const rev = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    await c.store.enrolments.update('b1', { secret: rev });
    expect((await c.store.enrolments.get('b1'))?.secret).toEqual(rev);
  });
}
