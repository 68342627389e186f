// Every TSDoc `@example` of this package compiles against the package's real types: each block
// is extracted from src/, wrapped in an async function (examples use top-level `await`), given
// the names the examples take as given (a server, an activation, a transport...) and checked by
// the TypeScript compiler with the repository's settings. A renamed option or a wrong type in
// an example fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
const src = new URL('../src/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

interface Example {
  file: string;
  line: number;
  code: string;
}

function examplesOf(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const out: Example[] = [];
  for (const m of text.matchAll(/@example\s*\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g)) {
    out.push({ file: file.slice(src.length), line: text.slice(0, m.index).split('\n').length, code: m[1]!.replace(/^\s*\* ?/gm, '') });
  }
  return out;
}

// What the examples take as given.
const PRELUDE = `
import type { MfaServer, StartedActivation } from '@cloudmfa/server';
declare const server: MfaServer;
declare const activation: StartedActivation;
declare const email: RenderedActivationEmail;
declare const transport: EmailTransport;
declare const from: string;
declare const passwordAddress: string;
declare const user: string;
declare const pass: string;
declare const smtpPassword: string;
declare const organisation: { sendPasswordSeparately: boolean };
declare function retryLater(): Promise<void>;
`;

const EMAIL_EXPORTS = ['renderActivationEmail', 'sendActivationEmail', 'englishMessages'];
const EMAIL_TYPES = [
  'ActivationEmailMessages',
  'ActivationForEmail',
  'EmailContent',
  'EmailErrorCode',
  'EmailMessage',
  'EmailTransport',
  'InlineImage',
  'PasswordDelivery',
  'RenderActivationEmailOptions',
  'RenderedActivationEmail',
  'SendActivationEmailOptions',
];
const SMTP_EXPORTS = ['createSmtpTransport'];
const SMTP_TYPES = ['SmtpTransport', 'SmtpTransportOptions'];

/** One module: the example's own imports first, the package's exports it did not import, the prelude, the body in a function. */
function moduleOf(code: string): string {
  const imports = code.split('\n').filter((l) => /^import /.test(l));
  const body = code.split('\n').filter((l) => !/^import /.test(l));
  const imported = new Set(imports.flatMap((l) => [...(/\{([^}]*)\}/.exec(l)?.[1] ?? '').matchAll(/(?:type\s+)?([A-Za-z_$][\w$]*)/g)].map((m) => m[1]!)));
  const missing = (names: string[]) => names.filter((n) => !imported.has(n));
  const auto = [
    `import { ${[...missing(EMAIL_EXPORTS), ...missing(EMAIL_TYPES).map((t) => `type ${t}`)].join(', ')} } from '@cloudmfa/email';`,
    `import { ${[...missing(SMTP_EXPORTS), ...missing(SMTP_TYPES).map((t) => `type ${t}`)].join(', ')} } from '@cloudmfa/email/smtp';`,
  ];
  return `${imports.join('\n')}\n${auto.join('\n')}\n${PRELUDE}\nexport async function example(): Promise<void> {\n${body.join('\n')}\n}\n`;
}

describe('TSDoc examples', () => {
  const examples = sources(src).flatMap(examplesOf);

  it('every exported function and type has one', () => {
    expect(examples.length).toBeGreaterThanOrEqual(15);
  });

  it('all compile against the package’s types', () => {
    const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const virtual = new Map(examples.map((e, i) => [join(dirname(src), 'test', `__example_${i}.ts`), { example: e, text: moduleOf(e.code) }]));
    const host = ts.createCompilerHost(config.options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version, ...rest) => {
      const v = virtual.get(name);
      return v ? ts.createSourceFile(name, v.text, version) : getSourceFile(name, version, ...rest);
    };
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => virtual.has(name) || fileExists(name);
    const program = ts.createProgram([...virtual.keys()], { ...config.options, noEmit: true, noUnusedLocals: false }, host);
    const problems = [...virtual.keys()].flatMap((name) =>
      ts.getPreEmitDiagnostics(program, program.getSourceFile(name)).map((d) => {
        const { example } = virtual.get(name)!;
        return `${example.file}:${example.line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      }),
    );
    expect(problems).toEqual([]);
  });
});
