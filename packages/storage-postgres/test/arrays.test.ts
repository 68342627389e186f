// The batch statements' array literals (src/_arrays.ts) read back by the server as the values
// they were built from, whatever the text holds.
import { afterAll, expect, it } from 'vitest';
import { boolArray, intArray, textArray } from '../src/_arrays.js';
import { testPool } from './helpers.js';

const pool = testPool(1);
afterAll(async () => {
  await pool.end();
});

it('text arrays keep every element, quotes, backslashes, braces, commas, "NULL", empty and non-ASCII text included', async () => {
  const values = ['a', '', 'NULL', null, 'say "hi"', 'back\\slash', '\\"', '{x,y}', ' spaced ', 'é ✓ 😀', '{"detail":"v\\"1"}', 'a,b'];
  const { rows } = await pool.query({ text: 'SELECT $1::text[] AS v', values: [textArray(values)], rowMode: 'array' });
  expect(rows[0]?.[0]).toEqual(values);
  const empty = await pool.query({ text: 'SELECT cardinality($1::text[]) AS n', values: [textArray([])] });
  expect(empty.rows[0].n).toBe(0);
});

it('integer and boolean arrays keep every element, negatives, NULL and the safe-integer bounds included', async () => {
  const ints = [0, -1, 42, null, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
  const { rows } = await pool.query({ text: 'SELECT $1::bigint[]::text[] AS i, $2::boolean[] AS b', values: [intArray(ints), boolArray([true, false, true])] });
  expect(rows[0].i).toEqual(ints.map((v) => (v === null ? null : String(v))));
  expect(rows[0].b).toEqual([true, false, true]);
});

it('refuses a number that is not a safe integer instead of writing it', () => {
  for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) expect(() => intArray([1, bad])).toThrow(TypeError);
});
