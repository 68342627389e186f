// A PostgreSQL server of the test's own (initdb + pg_ctl into a temporary directory), so a fault
// test can stop and restart it without touching the shared server other tests use.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HOST = '127.0.0.1';

/** A private PostgreSQL server on a free loopback port. */
export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication, loopback only). */
  readonly url: string;
  /** `pg_ctl stop -m fast`: open connections are terminated; returns once it is down. */
  stop(): Promise<void>;
  /** `pg_ctl start`; returns once it accepts connections. */
  start(): Promise<void>;
  /** Stops it (immediately) and removes its directory. */
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The newest installed PostgreSQL's bin directory (Debian: /usr/lib/postgresql/<major>/bin). */
function binDir(): string {
  const majors = readdirSync('/usr/lib/postgresql')
    .filter((d) => /^[0-9]+$/.test(d))
    .sort((a, b) => Number(b) - Number(a));
  if (majors.length === 0) throw new Error('no PostgreSQL under /usr/lib/postgresql: install postgresql');
  return join('/usr/lib/postgresql', majors[0] as string, 'bin');
}

/**
 * initdb refuses to run as root: as root, the server's files belong to the `postgres` user and
 * its tools run as that user (runuser).
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'cmfa-pg-private-'));
  const data = join(dir, 'data');
  const root = process.getuid?.() === 0;
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const tool = (name: string, args: string[]) =>
    root ? run('runuser', ['-u', 'postgres', '--', join(bin, name), ...args], { timeout: 60_000 }) : run(join(bin, name), args, { timeout: 60_000 });
  const port = await freePort();
  await tool('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  // fsync off: the test restarts the server cleanly (fast shutdown), it never loses the machine.
  const options = `-p ${port} -k ${dir} -c listen_addresses=${HOST} -c fsync=off -c max_connections=50`;
  const start = async () => {
    await tool('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', options, 'start']);
  };
  await start();
  return {
    url: `postgres://postgres@${HOST}:${port}/postgres`,
    stop: async () => {
      await tool('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', 'fast', 'stop']);
    },
    start,
    destroy: async () => {
      await tool('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
