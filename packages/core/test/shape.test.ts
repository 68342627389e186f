// src/shape.ts replaces zod/mini at activation's and push's trust boundaries (zod ships whole
// in a Metro bundle). Differential test: the same schema built with both accepts the same values,
// gives the same output and reports the same first issue path, on seeded random inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as zod from 'zod/mini';
import * as s from '../src/shape.js';

const issuePath = (r: { success: boolean; error?: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> }> } }) =>
  r.success ? null : (r.error!.issues[0]?.path ?? []).map(String).join('.');

const mine = s.discriminatedUnion('mode', [
  {
    value: 'a',
    shape: s.strictObject(
      {
        mode: s.literal('a'),
        n: s.int(0, 10),
        big: s.int(),
        name: s.string((x) => x.length <= 3, (x) => x !== 'bad'),
        opt: s.optional(s.boolean()),
        tok: s.nullable(s.string((x) => /^[a-z]+$/.test(x))),
        kind: s.oneOf(['x', 'y']),
        inner: s.strictObject({ flag: s.boolean(), k: s.optional(s.int(1, 2)) }, (o) => o.flag || o.k === undefined),
      },
      (o) => o.n !== 7,
    ),
  },
  { value: 'b', shape: s.strictObject({ mode: s.literal('b'), n: s.int(0, 10) }) },
]);

const theirs = zod.discriminatedUnion('mode', [
  zod
    .strictObject({
      mode: zod.literal('a'),
      n: zod.int().check(zod.gte(0), zod.lte(10)),
      big: zod.int(),
      name: zod.string().check(zod.maxLength(3), zod.refine((x) => x !== 'bad')),
      opt: zod.optional(zod.boolean()),
      tok: zod.nullable(zod.string().check(zod.regex(/^[a-z]+$/))),
      kind: zod.enum(['x', 'y']),
      inner: zod
        .strictObject({ flag: zod.boolean(), k: zod.optional(zod.int().check(zod.gte(1), zod.lte(2))) })
        .check(zod.refine((o) => o.flag || o.k === undefined)),
    })
    .check(zod.refine((o) => o.n !== 7)),
  zod.strictObject({ mode: zod.literal('b'), n: zod.int().check(zod.gte(0), zod.lte(10)) }),
]);

const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -2, max: 12 }),
  fc.constantFrom(1.5, Number.NaN, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER),
  fc.constantFrom('a', 'b', 'x', 'y', 'bad', 'abcd', '', 'ABC', 'ab'),
  fc.constant([] as unknown[]),
);
const inner = fc.record({ flag: anyValue, k: anyValue, extra: anyValue }, { requiredKeys: [] });
// Mostly valid, each field sometimes anything: both verdicts and every issue path get exercised.
const often = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: anyValue, weight: 1 });
const validInner = fc.record({ flag: fc.boolean(), k: fc.constantFrom(1, 2, undefined) }, { requiredKeys: ['flag'] });
const candidate = fc.oneof(
  { arbitrary: anyValue, weight: 1 },
  {
    arbitrary: fc.record(
      {
        mode: fc.constantFrom('a', 'a', 'a', 'b', 'c'),
        n: often(fc.integer({ min: 0, max: 10 })),
        big: often(fc.integer()),
        name: often(fc.constantFrom('ab', 'x', '', 'bad', 'abcd')),
        opt: often(fc.boolean()),
        tok: often(fc.constantFrom(null, 'abc', 'A')),
        kind: often(fc.constantFrom('x', 'y')),
        inner: fc.oneof({ arbitrary: validInner, weight: 6 }, { arbitrary: inner, weight: 1 }, { arbitrary: anyValue, weight: 1 }),
        extra: anyValue,
      },
      { requiredKeys: ['mode', 'n', 'big', 'name', 'tok', 'kind', 'inner'] },
    ),
    weight: 8,
  },
);

describe('shape.ts against zod/mini', () => {
  it('same verdict, same output, same first issue path on 20 000 seeded inputs', () => {
    let passed = 0;
    let failed = 0;
    fc.assert(
      fc.property(candidate, (value) => {
        const a = mine.safeParse(value);
        const b = theirs.safeParse(value);
        expect(a.success).toBe(b.success);
        expect(issuePath(a)).toBe(issuePath(b));
        if (a.success && b.success) expect(a.data).toEqual(b.data);
        if (a.success) passed++;
        else failed++;
      }),
      { seed: 10, numRuns: 20_000 },
    );
    // Both outcomes were exercised.
    expect(passed).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
  });

  it('a valid value passes both, with the same output', () => {
    const value = { mode: 'a', n: 3, big: -5, name: 'ab', tok: null, kind: 'y', inner: { flag: false } };
    expect(mine.safeParse(value)).toEqual({ success: true, data: value });
    expect(theirs.safeParse(value).success).toBe(true);
  });
});
