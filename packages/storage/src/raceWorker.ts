/// <reference types="node" />
// The child process of `runConsumeRace` (see ./race.ts). Not part of the public API: it is
// run as `node dist/raceWorker.js '<json>'`. It opens a store from the given factory module,
// prints READY, waits for GO on stdin, fires every consume (or attempt) at once and prints one
// RESULT line.
import { pathToFileURL } from 'node:url';
import type { ThrottlePolicy } from './throttle.js';
import type { MfaStore } from './types.js';

interface WorkerArgs {
  factoryModule: string;
  config: unknown;
  now: number;
  keyPrefix: string;
  keys: number;
  attempts: number;
  step: number;
  operation: 'consume' | 'attempt';
  policy: ThrottlePolicy;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;
  const mod = (await import(pathToFileURL(args.factoryModule).href)) as {
    default?: (o: { config: unknown; clock: () => number }) => Promise<MfaStore>;
  };
  if (typeof mod.default !== 'function') throw new Error('the factory module has no default export function');
  const store = await mod.default({ config: args.config, clock: () => args.now });
  process.stdout.write('READY\n');
  await new Promise<void>((resolve) => {
    let buf = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.includes('GO')) resolve();
    });
  });
  const counts = { accepted: 0, replayed: 0, locked: 0, errors: 0, errorCodes: [] as string[] };
  await Promise.all(
    Array.from({ length: args.attempts }, async (_, i) => {
      try {
        const key = `${args.keyPrefix}${i % args.keys}`;
        const r = args.operation === 'attempt' ? await store.guard.attempt(key, args.policy) : await store.guard.consume(key, args.step);
        if (r.ok) counts.accepted++;
        else if (r.reason === 'replayed') counts.replayed++;
        else counts.locked++;
      } catch (e) {
        counts.errors++;
        const code = (e as { code?: unknown }).code;
        if (counts.errorCodes.length < 10) counts.errorCodes.push(typeof code === 'string' ? code : 'unknown');
      }
    }),
  );
  await store.close();
  process.stdout.write(`RESULT ${JSON.stringify(counts)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`race worker failed: ${(e as { code?: string }).code ?? (e as Error).name ?? 'error'}\n`);
    process.exit(1);
  },
);
