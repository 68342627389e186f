// Starts the local SMTP server of test/fixtures/smtpServer.py (aiosmtpd) for a test file and
// reads what it received. Debian's python3-aiosmtpd is installed for /usr/bin/python3 (.ci/run),
// which is why that interpreter is named rather than whatever `python3` is first on PATH.
import { type ChildProcessByStdio, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';

const PYTHON = '/usr/bin/python3';
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

interface ReceivedMessage {
  raw: Buffer;
  envelope: { mailFrom: string; rcptTos: string[] };
}

export interface LocalSmtpServer {
  port: number;
  dir: string;
  /** The messages received so far, in order. */
  received(): ReceivedMessage[];
  stop(): Promise<void>;
}

export async function startSmtpServer(options: { reject?: boolean } = {}): Promise<LocalSmtpServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudmfa-smtp-'));
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(PYTHON, [fixture('smtpServer.py'), dir, ...(options.reject ? ['--reject'] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(Number(line)));
    child.once('exit', (code) => reject(new Error(`the SMTP test server exited (${code}): ${stderr}`)));
  });
  return {
    port,
    dir,
    received: () =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.eml'))
        .sort()
        .map((f) => ({ raw: readFileSync(join(dir, f)), envelope: JSON.parse(readFileSync(join(dir, f.replace(/\.eml$/, '.json')), 'utf8')) })),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export interface MimeNodeInfo {
  type: string;
  params: Record<string, string>;
  contentId: string | null;
  disposition: string | null;
  filename: string | null;
  children: MimeNodeInfo[];
}

/** The MIME tree of a raw message, as Python's `email` package parses it. */
export function mimeTree(raw: Buffer): MimeNodeInfo {
  return JSON.parse(execFileSync(PYTHON, [fixture('mimeTree.py')], { input: raw, encoding: 'utf8' }));
}

/** What ZBar (Debian's zbar-tools, a C decoder independent of the encoder) reads in a PNG. */
export function zbarDecode(png: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'cloudmfa-zbar-'));
  try {
    const file = join(dir, 'qr.png');
    writeFileSync(file, png);
    return execFileSync('zbarimg', ['--quiet', '--raw', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).replace(/\n$/, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
