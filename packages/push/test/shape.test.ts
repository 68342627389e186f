// src/_shape.ts (the validators that replaced zod/mini on the phone path) is the same file as
// @cloudmfa/activation's src/internal/shape.ts, whose test checks it against zod/mini.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('push validators', () => {
  it('are the ones checked against zod in @cloudmfa/activation (identical source)', () => {
    const here = readFileSync(new URL('../src/_shape.ts', import.meta.url), 'utf8');
    const there = readFileSync(new URL('../../activation/src/internal/shape.ts', import.meta.url), 'utf8');
    expect(here).toBe(there);
  });
});
