// `pnpm bench [name...]`: runs bench/src/<name>.mjs (all of them by default), prints each
// section and rewrites that section of docs/benchmarks.md between its markers.
// Benchmarks are measurements, not tests: nothing here fails on a slow number.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const docPath = join(here, '..', 'docs', 'benchmarks.md');
const wanted = process.argv.slice(2);
const modules = readdirSync(join(here, 'src'))
  .filter((f) => f.endsWith('.mjs') && !f.startsWith('_'))
  .map((f) => f.slice(0, -4))
  .filter((n) => wanted.length === 0 || wanted.includes(n))
  .sort();

const machine = `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), ${new Date().toISOString().slice(0, 10)}`;
let doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Benchmarks\n';
for (const name of modules) {
  const mod = await import(pathToFileURL(join(here, 'src', `${name}.mjs`)).href);
  process.stdout.write(`\n## ${name}\n`);
  const body = (await mod.default({ log: (line) => process.stdout.write(`${line}\n`) })).trim();
  process.stdout.write(`${body}\n`);
  const section = `<!-- bench:${name} -->\n_Measured by \`pnpm bench ${name}\` on ${machine}._\n\n${body}\n<!-- /bench:${name} -->`;
  const re = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  doc = re.test(doc) ? doc.replace(re, () => section) : `${doc.trimEnd()}\n\n${section}\n`;
}
writeFileSync(docPath, doc);
process.exit(0);
