// `node scripts/doc-examples.mjs`: the documentation's code examples, checked.
//
// Every ```ts / ```js block in README.md and docs/**/*.md, and every fenced block in a TSDoc
// `@example` in packages/*/src, becomes a module in .tmp/doc-examples/ that imports the
// workspace packages the way an application does (`@cloudmfa/...`, resolved to the BUILT
// packages through node_modules links, so `pnpm build` first). Then:
//   1. tsc typechecks every module (strict, as the packages are written);
//   2. the self-contained ones run, each in its own Node process (its own module state, a
//      scratch working directory, a 30 s limit), not inside one shared test runner.
// Exits non-zero, naming each example by file:line, when either fails.
// An example is the body of an async function (its imports hoisted), so it may `await` and
// `return` as the code around it in an app would.
//
// Names an example uses without defining them:
//   - a public export of an SDK entry (`openEnvelope`, `MfaServer`) is imported from that entry
//     (for a TSDoc example, its own package's entries first);
//   - anything else (`typed`, `scannedText`, `server`: what the reader already has in hand) is
//     declared `any`, and the example is then typecheck-only: it is not self-contained.
//     The SDK calls around such a name are still checked (argument shapes, option names,
//     result fields);
//   - a module this repository does not install (a host SDK such as `expo-secure-store`) is
//     declared untyped, and the example is typecheck-only.
// Markers after the language, for the few blocks that cannot be either:
//   ```ts no-run    typecheck only (needs a live server, a database, a device, the network)
//   ```ts fragment  not a program (a signature listing, a result shape); skipped
//
// Options: --sources DIR (default: the repository; a test points it at a fixture),
//          --out DIR (default .tmp/doc-examples), --only SUBSTRING (examples whose location
//          contains it), --list (print each example's status), --no-run (typecheck only).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

const repo = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const sources = opt('--sources', repo);
const out = opt('--out', join(repo, '.tmp', 'doc-examples'));
const only = opt('--only', undefined);
const list = args.includes('--list');
const noRun = args.includes('--no-run');

const LANGS = new Set(['ts', 'js', 'typescript', 'javascript', 'mjs']);
const MARKERS = new Set(['no-run', 'fragment']);

// ---- extraction ------------------------------------------------------------------------------

function walk(dir, filter, acc = []) {
  if (!existsSync(dir)) return acc;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, filter, acc);
    else if (filter(p)) acc.push(p);
  }
  return acc;
}

/** Fenced blocks in `lines` (already stripped of any comment prefix); `lineOf(i)` maps back to the file. */
function fences(lines, lineOf, file, pkg) {
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*```([A-Za-z]+)((?:[ \t]+[\w-]+)*)\s*$/.exec(lines[i]);
    if (!m) continue;
    const start = i;
    const body = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    const lang = m[1].toLowerCase();
    if (!LANGS.has(lang)) continue;
    const markers = m[2].trim().split(/\s+/).filter(Boolean);
    for (const marker of markers) {
      if (!MARKERS.has(marker)) throw new Error(`${file}:${lineOf(start)}: unknown example marker "${marker}" (no-run, fragment)`);
    }
    const indent = Math.min(...body.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)[0].length), Infinity);
    blocks.push({
      file,
      line: lineOf(start),
      pkg,
      js: lang === 'js' || lang === 'javascript' || lang === 'mjs',
      markers: new Set(markers),
      code: body.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n'),
    });
  }
  return blocks;
}

function fromMarkdown(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  return fences(lines, (i) => i + 1, file, null);
}

function fromTsDoc(file, pkg) {
  const text = readFileSync(file, 'utf8');
  const blocks = [];
  for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    if (!m[0].includes('@example')) continue;
    const firstLine = text.slice(0, m.index).split('\n').length;
    const lines = m[0].split('\n').map((l) => l.replace(/^\s*\/?\*+\/?\s?/, '').replace(/\s*\*\/\s*$/, ''));
    // Only the fences after the @example tag (a TSDoc summary may quote code for other reasons).
    const at = lines.findIndex((l) => l.includes('@example'));
    const rest = lines.slice(at);
    blocks.push(...fences(rest, (i) => firstLine + at + i, file, pkg));
  }
  return blocks;
}

function collect() {
  const blocks = [];
  const readme = join(sources, 'README.md');
  if (existsSync(readme)) blocks.push(...fromMarkdown(readme));
  for (const f of walk(join(sources, 'docs'), (p) => p.endsWith('.md')).sort()) blocks.push(...fromMarkdown(f));
  const pkgs = join(sources, 'packages');
  if (existsSync(pkgs)) {
    for (const pkg of readdirSync(pkgs).sort()) {
      for (const f of walk(join(pkgs, pkg, 'src'), (p) => p.endsWith('.ts') && !p.endsWith('.d.ts')).sort()) {
        blocks.push(...fromTsDoc(f, pkg));
      }
    }
  }
  return blocks;
}

// ---- the public exports of each package entry (from the built declarations) ------------------

function publicEntries() {
  const entries = []; // { specifier, pkg, names: Set }
  const pkgsDir = join(repo, 'packages');
  for (const pkg of readdirSync(pkgsDir).sort()) {
    const manifestPath = join(pkgsDir, pkg, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private) continue;
    for (const [sub, target] of Object.entries(manifest.exports ?? {})) {
      if (sub === './package.json') continue;
      const types = typeof target === 'object' ? (target.import?.types ?? target.types) : undefined;
      if (!types) continue;
      const dts = join(pkgsDir, pkg, types);
      if (!existsSync(dts)) throw new Error(`${relative(repo, dts)} is missing: run \`pnpm build\` first`);
      const names = new Set();
      const src = ts.createSourceFile(dts, readFileSync(dts, 'utf8'), ts.ScriptTarget.Latest, false);
      for (const st of src.statements) {
        if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
          for (const el of st.exportClause.elements) names.add(el.name.text);
        }
      }
      entries.push({ specifier: manifest.name + sub.slice(1), pkg, names });
    }
  }
  return entries;
}

// ---- module generation ----------------------------------------------------------------------

/** Names the block declares anywhere (imports, variables, functions, classes, types, parameters). */
function declaredNames(sf) {
  const names = new Set();
  const bind = (n) => {
    if (!n) return;
    if (ts.isIdentifier(n)) names.add(n.text);
    else if (ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n)) for (const e of n.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  const visit = (node) => {
    if (
      ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) ||
      ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isEnumDeclaration(node) || ts.isImportSpecifier(node) ||
      ts.isNamespaceImport(node) || ts.isImportClause(node) || ts.isTypeParameterDeclaration(node) || ts.isFunctionExpression(node) ||
      ts.isClassExpression(node) || ts.isBindingElement(node)
    ) bind(node.name);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return names;
}

/** Identifiers the block reads (not property names, not declarations). */
function usedNames(sf) {
  const names = new Set();
  const visit = (node) => {
    if (ts.isIdentifier(node)) {
      const p = node.parent;
      const skip =
        (p && ts.isPropertyAccessExpression(p) && p.name === node) ||
        (p && ts.isQualifiedName(p) && p.right === node) ||
        (p && (ts.isPropertyAssignment(p) || ts.isPropertySignature(p) || ts.isMethodDeclaration(p) || ts.isMethodSignature(p) || ts.isPropertyDeclaration(p)) && p.name === node) ||
        (p && ts.isBindingElement(p) && p.propertyName === node);
      if (!skip) names.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return names;
}

function slug(block) {
  return `${relative(sources, block.file).replace(/[^A-Za-z0-9]+/g, '_')}_L${block.line}`;
}

function generate(block, entries, placeholders) {
  const sf = ts.createSourceFile('x.ts', block.code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const declared = declaredNames(sf);
  const imports = new Map(); // specifier -> names
  const ordered = block.pkg ? [...entries.filter((e) => e.pkg === block.pkg), ...entries.filter((e) => e.pkg !== block.pkg)] : entries;
  for (const name of usedNames(sf)) {
    if (declared.has(name) || placeholders.has(name)) continue;
    const entry = ordered.find((e) => e.names.has(name));
    if (!entry) continue;
    if (!imports.has(entry.specifier)) imports.set(entry.specifier, []);
    imports.get(entry.specifier).push(name);
  }
  // The example's own imports go first; the rest of it is the body of an async function, so an
  // example may `await` and `return` as the code around it would.
  const own = sf.statements.filter((st) => ts.isImportDeclaration(st));
  const lines = block.code.split('\n');
  const ownLines = new Set();
  for (const st of own) {
    const from = sf.getLineAndCharacterOfPosition(st.getStart(sf)).line;
    const to = sf.getLineAndCharacterOfPosition(st.end).line;
    for (let l = from; l <= to; l++) ownLines.add(l);
  }
  // A module's `export default <value>` (a Worker's handler object) cannot sit in the function
  // body: the value is kept, as an expression, so it is still typechecked.
  for (const st of sf.statements) {
    if (!ts.isExportAssignment(st) || st.isExportEquals) continue;
    const { line, character } = sf.getLineAndCharacterOfPosition(st.getStart(sf));
    const text = lines[line];
    const at = text.indexOf('export default', character);
    if (at >= 0) lines[line] = `${text.slice(0, at)}void${' '.repeat('export default'.length - 4)}${text.slice(at + 'export default'.length)}`;
  }
  const head = [`// ${relative(sources, block.file)}:${block.line}`];
  for (const [spec, names] of imports) head.push(`import { ${names.sort().join(', ')} } from '${spec}';`);
  for (const name of [...placeholders].sort()) head.push(`declare let ${name}: any; // placeholder: not defined in the example`);
  // Line numbers stay those of the block: imports keep their lines, blanked in the body.
  const body = lines.map((l, i) => (ownLines.has(i) ? '' : l));
  const hoisted = lines.filter((_, i) => ownLines.has(i));
  head.push(...hoisted);
  head.push('export default async function example() {');
  return { text: `${head.join('\n')}\n${body.join('\n')}\n}\n`, headLines: head.length };
}

// ---- typecheck --------------------------------------------------------------------------------

const COMPILER_OPTIONS = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  // No DOM: its `event` and `name` globals would hide an example's placeholders; @types/node
  // has fetch, Request, Response and crypto.
  lib: ['lib.es2022.d.ts'],
  types: ['node'],
  typeRoots: [join(repo, 'node_modules', '@types')],
  strict: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: true,
  allowJs: true,
  checkJs: true,
  noEmit: false,
  outDir: join(out, 'js'),
  rootDir: join(out, 'src'),
  resolveJsonModule: true,
  esModuleInterop: true,
};
// What a placeholder is missing as: "Cannot find name", "... Did you mean", "No value exists in
// scope for the shorthand property".
const MISSING_NAME = new Set([2304, 2552, 18004, 2580, 2582, 2591, 2592, 2593, 2867, 2868]);

function typecheck(files) {
  const host = ts.createCompilerHost(COMPILER_OPTIONS);
  const program = ts.createProgram(files, COMPILER_OPTIONS, host);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  return { program, diagnostics };
}

function missingName(d) {
  if (!MISSING_NAME.has(d.code) || !d.file || d.start === undefined) return null;
  const m = /'([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  return m ? m[1] : null;
}

// ---- main -------------------------------------------------------------------------------------

function linkPackages(entries) {
  // node_modules/@cloudmfa/<pkg> -> packages/<pkg>: the examples resolve the SDK as an app does.
  const scope = join(out, 'node_modules', '@cloudmfa');
  mkdirSync(scope, { recursive: true });
  for (const pkg of new Set(entries.map((e) => e.pkg))) symlinkSync(join(repo, 'packages', pkg), join(scope, pkg), 'dir');
  writeFileSync(join(out, 'package.json'), '{ "private": true, "type": "module" }\n');
}

const entries = publicEntries();
let blocks = collect();
if (only) blocks = blocks.filter((b) => `${relative(sources, b.file)}:${b.line}`.includes(only));
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'src'), { recursive: true });
linkPackages(entries);

const examples = [];
for (const block of blocks) {
  if (block.markers.has('fragment')) continue;
  const file = join(out, 'src', `${slug(block)}.${block.js ? 'mjs' : 'mts'}`);
  examples.push({ block, file, placeholders: new Set() });
}

// Pass 1 finds the placeholders (and host modules this repository does not install, such as
// `expo-secure-store`, declared as untyped modules); pass 2 checks with them declared.
const hostModules = new Set();
const writeHostModules = () =>
  writeFileSync(join(out, 'src', 'host-modules.d.ts'), [...hostModules].map((m) => `declare module '${m}';\n`).join(''));
const write = () => {
  writeHostModules();
  for (const ex of examples) {
    const g = generate(ex.block, entries, ex.placeholders);
    ex.headLines = g.headLines;
    writeFileSync(ex.file, g.text);
  }
};
write();
let { diagnostics } = typecheck(examples.map((e) => e.file));
for (const d of diagnostics) {
  const name = missingName(d);
  const ex = name && examples.find((e) => e.file === d.file.fileName);
  if (ex) ex.placeholders.add(name);
  const missing = d.code === 2307 && /'([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  const inExample = d.file && examples.find((e) => e.file === d.file.fileName);
  if (missing && inExample && !missing[1].startsWith('@cloudmfa/') && !missing[1].startsWith('.')) {
    hostModules.add(missing[1]);
    inExample.hostModule = true;
  }
}
write();
const checked = typecheck([...examples.map((e) => e.file), join(out, 'src', 'host-modules.d.ts')]);
diagnostics = checked.diagnostics;

const failures = [];
const where = (ex, d) => {
  if (!d.file || d.start === undefined) return `${relative(repo, ex.block.file)}:${ex.block.line}`;
  const { line } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${relative(repo, ex.block.file)}:${ex.block.line + 1 + line - ex.headLines}`;
};
for (const d of diagnostics) {
  const ex = d.file && examples.find((e) => e.file === d.file.fileName);
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
  if (!ex) {
    failures.push(`(config) TS${d.code}: ${message}`);
    continue;
  }
  ex.failed = true;
  failures.push(`${where(ex, d)}: TS${d.code}: ${message}`);
}

// Emit and run the self-contained examples.
checked.program.emit();
const runnable = examples.filter((ex) => !noRun && !ex.failed && !ex.hostModule && ex.placeholders.size === 0 && !ex.block.markers.has('no-run'));
const runDir = join(out, 'cwd');
mkdirSync(runDir, { recursive: true });
for (const ex of runnable) {
  const js = join(out, 'js', relative(join(out, 'src'), ex.file)).replace(/\.mts$/, '.mjs');
  const script = `const m = await import(${JSON.stringify(pathToFileURL(js).href)}); await m.default();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: runDir, encoding: 'utf8', timeout: 30_000 });
  ex.ran = true;
  if (r.status !== 0) {
    ex.failed = true;
    const lines = r.stderr.split('\n');
    const why = r.error ? r.error.message : (lines.find((l) => /^[A-Za-z]*Error\b[^:]*: /.test(l)) ?? lines.find((l) => l.trim()) ?? `exit ${r.status}`);
    failures.push(`${relative(repo, ex.block.file)}:${ex.block.line}: run failed: ${why.trim()}`);
  }
}

if (list) {
  for (const ex of examples) {
    const status = ex.failed ? 'FAIL' : ex.ran ? 'ran' : ex.block.markers.has('no-run') ? 'no-run' : `typechecked (placeholders: ${[...ex.placeholders].join(', ')})`;
    process.stdout.write(`${relative(repo, ex.block.file)}:${ex.block.line}  ${status}\n`);
  }
}
const fragments = blocks.length - examples.length;
process.stdout.write(
  `doc examples: ${examples.length} typechecked, ${runnable.length} run, ${fragments} fragments skipped; ${failures.length} problem(s)\n`,
);
for (const f of failures) process.stdout.write(`  ${f}\n`);
process.exit(failures.length === 0 ? 0 : 1);
