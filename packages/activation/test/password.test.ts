import { normalizePassword } from '@cloudmfa/activation';
import { generatePassword, PASSWORD_ALPHABET } from '@cloudmfa/activation/server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom, thrown } from './helpers.js';

describe('generatePassword', () => {
  it('gives 3 groups of 4 Crockford symbols: 60 bits, readable aloud', () => {
    const random = seededRandom('password');
    for (let i = 0; i < 200; i++) {
      const p = generatePassword({ random });
      expect(p).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    }
    expect(PASSWORD_ALPHABET).toHaveLength(32);
    expect(PASSWORD_ALPHABET).not.toMatch(/[ILOU]/);
    expect(12 * Math.log2(PASSWORD_ALPHABET.length)).toBe(60);
  });

  it('uses every symbol about equally often (byte & 31 is uniform)', () => {
    const random = seededRandom('uniform');
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      for (const c of generatePassword({ random }).replace(/-/g, '')) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(counts.size).toBe(32);
    // 48 000 symbols: 1 500 expected per symbol; +-20% is far outside chance for a uniform draw.
    for (const n of counts.values()) expect(Math.abs(n - 1500)).toBeLessThan(300);
  });

  it('refuses settings under 50 bits and takes other groupings', () => {
    expect(thrown(() => generatePassword({ groups: 3, groupLength: 3 })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => generatePassword({ groups: 0 })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(generatePassword({ groups: 2, groupLength: 5, random: seededRandom('g') })).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(thrown(() => generatePassword({ random: () => new Uint8Array(3) })).code).toBe('ERR_NO_RANDOM_SOURCE');
  });
});

describe('normalizePassword', () => {
  it.each([
    ['7kq2 m9xd 4hrp', '7KQ2M9XD4HRP'],
    ['7KQ2-M9XD-4HRP', '7KQ2M9XD4HRP'],
    ['  7KQ2\tM9XD_4HRP\n', '7KQ2M9XD4HRP'],
    ['7KQ2\u2013M9XD\u2014 4HRP\u2212', '7KQ2M9XD4HRP'],
    ['oO-iI-lL', '001111'],
    ['correct horse', 'C0RRECTH0RSE'],
  ])('%j -> %j', (input, output) => {
    expect(normalizePassword(input)).toBe(output);
  });

  it('is idempotent and leaves generated passwords (minus dashes) unchanged', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(normalizePassword(normalizePassword(s))).toBe(normalizePassword(s));
      }),
      { seed: 42, numRuns: 500 },
    );
    const random = seededRandom('idem');
    for (let i = 0; i < 100; i++) {
      const p = generatePassword({ random });
      expect(normalizePassword(p)).toBe(p.replace(/-/g, ''));
    }
  });

  it('misuse throws ERR_INVALID_ARGUMENT', () => {
    expect(thrown(() => normalizePassword(undefined as unknown as string)).code).toBe('ERR_INVALID_ARGUMENT');
  });
});
