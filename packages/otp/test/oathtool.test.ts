// Cross-check against the real `oathtool` (OATH Toolkit, Debian package `oathtool`) on 1,200
// seeded random cases: algorithm, digits (oathtool supports 6-8), period, T0, time, counter and
// secret length (10..150 bytes, so keys longer than a hash block are covered). Each oathtool call
// prints 5 consecutive codes (`-w 4`), so 6,000 codes are compared. Keys go to oathtool on stdin
// (`-`), never on its command line; half of them as base32 (`-b`), through createOtpKey({ secret: string }).
import { execFile } from 'node:child_process';
import { encodeBase32 } from '@cloudmfa/core';
import { describe, expect, it } from 'vitest';
import { createOtpKey, hotp, type OtpAlgorithm, totp } from '../src/index.js';

const CASES = 1200;
const WINDOW = 4;

// mulberry32: a small seeded PRNG, so every run checks the same cases.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  args: string[];
  stdin: string;
  expected: string[];
}

function makeCases(): Case[] {
  const rnd = prng(0x5eed2);
  const int = (min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)] as T;
  const cases: Case[] = [];
  for (let n = 0; n < CASES; n++) {
    const secret = Uint8Array.from({ length: int(10, 150) }, () => int(0, 255));
    const base32 = n % 2 === 1;
    const digits = pick([6, 7, 8]);
    const stdin = base32 ? encodeBase32(secret) : Buffer.from(secret).toString('hex');
    const keyArgs = base32 ? ['-b', '-'] : ['-'];
    if (n % 3 === 0) {
      // HOTP: oathtool's HOTP is SHA-1 only. Counters small, around 2^32, and up to 2^53 - 1 - WINDOW.
      const counter = pick([int(0, 1000), int(2 ** 32 - 3, 2 ** 32 + 3), int(0, 2 ** 53 - 1 - WINDOW)]);
      const key = base32 ? createOtpKey({ secret: stdin }) : createOtpKey({ secret });
      cases.push({
        args: ['-d', String(digits), '-c', String(counter), '-w', String(WINDOW), ...keyArgs],
        stdin,
        expected: Array.from({ length: WINDOW + 1 }, (_, i) => hotp({ secret: key, counter: counter + i, digits })),
      });
    } else {
      const algorithm = pick(['SHA1', 'SHA256', 'SHA512'] as const satisfies readonly OtpAlgorithm[]);
      const period = pick([30, 60, int(1, 600)]);
      const t0 = pick([0, int(0, 2 ** 31)]);
      const time = t0 + int(0, 2 ** 34);
      const key = base32 ? createOtpKey({ secret: stdin, algorithm }) : createOtpKey({ secret, algorithm });
      cases.push({
        args: [`--totp=${algorithm}`, '-d', String(digits), '-s', `${period}s`, '-S', `@${t0}`, '-N', `@${time}`, '-w', String(WINDOW), ...keyArgs],
        stdin,
        expected: Array.from({ length: WINDOW + 1 }, (_, i) => totp({ secret: key, now: () => (time + i * period) * 1000, period, t0, digits, algorithm })),
      });
    }
  }
  return cases;
}

function oathtool(args: string[], stdin: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile('oathtool', args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`oathtool ${args.join(' ')} failed: ${stderr}`));
      else resolve(stdout.trim().split('\n'));
    });
    child.stdin?.end(`${stdin}\n`);
  });
}

// 1,200 process spawns take 5 s on an idle machine and close to a minute on a loaded one, so
// the cases run in chunks of 100, each a test of its own: every case is still checked, and no
// single test's time depends on how busy the machine is.
const CHUNK = 100;
const ALL = makeCases();

describe(`cross-check with oathtool: ${CASES} seeded random cases (${CASES * (WINDOW + 1)} codes)`, () => {
  it.each(Array.from({ length: CASES / CHUNK }, (_, k) => [k * CHUNK, (k + 1) * CHUNK]))('agrees on cases %i..%i', async (from, to) => {
    const cases = ALL.slice(from, to);
    const results: string[][] = new Array(cases.length);
    let next = 0;
    // A few oathtool processes at a time.
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < cases.length) {
          const i = next++;
          const c = cases[i] as Case;
          results[i] = await oathtool(c.args, c.stdin);
        }
      }),
    );
    const mismatches = cases
      .map((c, i) => ({ args: c.args.join(' '), ours: c.expected, oathtool: results[i] }))
      .filter((r) => r.ours.join() !== (r.oathtool ?? []).join());
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(results.flat().length).toBe(CHUNK * (WINDOW + 1));
  });

  it('the chunks cover every case once', () => {
    expect(ALL.length).toBe(CASES);
    expect(CASES % CHUNK).toBe(0);
  });
});
