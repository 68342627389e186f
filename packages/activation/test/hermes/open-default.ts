// Hermes timing of `openEnvelope` at the default KDF cost (scrypt N=2^15, r=8, p=1), pure JS.
// Not a test: `bench/src/activation.mjs` bundles and runs it with scripts/hermes/harness.mjs.
import { openEnvelope } from '@cloudmfa/activation';
import vectorFile from '../vectors/envelopes.json';

declare const print: (line: string) => void;

async function main(): Promise<Record<string, unknown>> {
  const v = vectorFile.vectors.find((x) => x.name === 'online-scrypt-default');
  if (!v) throw new Error('no default vector');
  const runs: number[] = [];
  let issuer = '';
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const opened = await openEnvelope({ text: v.text, password: v.password, now: () => v.now });
    runs.push(Date.now() - t0);
    issuer = opened.preview.issuer;
  }
  return { runs, issuer };
}

main().then(
  (r) => print(`HERMES-RESULT ${JSON.stringify(r)}`),
  (e) => print(`HERMES-ERROR ${String(e)}`),
);
