import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RECOMMENDED_REDIS_OPTIONS } from '@cloudmfa/storage-redis';
import { Cluster } from 'ioredis';

const run = promisify(execFile);
const HOST = '127.0.0.1';

/** A three-master Redis Cluster on loopback ports, started by {@link startLocalCluster}. */
export interface LocalCluster {
  readonly ports: number[];
  readonly dir: string;
  /** A cluster client with the adapter's recommended options. */
  client(): Cluster;
  /** Shuts every node down (SHUTDOWN NOSAVE, then SIGKILL by pid file) and removes the directory. */
  stop(): Promise<void>;
}

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, HOST, () => s.close(() => resolve(true)));
  });
}

/** Three consecutive ports from 7101 whose cluster-bus ports (+10000) are free too. */
async function freePorts(): Promise<number[]> {
  for (let base = 7101; base < 7400; base += 3) {
    const ports = [base, base + 1, base + 2];
    let ok = true;
    for (const p of ports) if (!(await isFree(p)) || !(await isFree(p + 10000))) ok = false;
    if (ok) return ports;
  }
  throw new Error('no three free loopback ports in 7101..7399 for the test cluster');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const cli = (port: number, ...args: string[]) => run('redis-cli', ['-h', HOST, '-p', String(port), ...args], { timeout: 10_000 });

/**
 * Starts three `redis-server --cluster-enabled yes` daemons in a fresh temporary directory,
 * joins them with `redis-cli --cluster create ... --cluster-replicas 0`, and waits until
 * every node reports `cluster_state:ok`. On any failure it stops what it started and throws.
 */
export async function startLocalCluster(): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'cmfa-redis-cluster-'));
  const ports = await freePorts();
  const stop = async () => {
    for (const port of ports) {
      await cli(port, 'shutdown', 'nosave').catch(() => undefined);
      // A node that did not take the SHUTDOWN: end it by the pid it wrote (ours, never a name).
      const pidFile = join(dir, `redis-${port}.pid`);
      if (existsSync(pidFile)) {
        const pid = Number(readFileSync(pidFile, 'utf8').trim());
        await waitFor(`redis ${port} to exit`, 5000, async () => !alive(pid)).catch(() => {
          if (alive(pid)) process.kill(pid, 'SIGKILL');
        });
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      await run(
        'redis-server',
        [
          '--port', String(port),
          '--bind', HOST,
          '--cluster-enabled', 'yes',
          '--cluster-config-file', join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout', '5000',
          '--save', '',
          '--appendonly', 'no',
          '--daemonize', 'yes',
          '--dir', dir,
          '--pidfile', join(dir, `redis-${port}.pid`),
          '--logfile', join(dir, `redis-${port}.log`),
        ],
        { timeout: 10_000 },
      );
    }
    for (const port of ports) await waitFor(`redis ${port} to answer`, 10_000, async () => (await cli(port, 'ping')).stdout.trim() === 'PONG');
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `${HOST}:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
      timeout: 30_000,
    });
    for (const port of ports) {
      await waitFor(`cluster_state:ok on ${port}`, 20_000, async () => (await cli(port, 'cluster', 'info')).stdout.includes('cluster_state:ok'));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    ports,
    dir,
    client: () => new Cluster(ports.map((port) => ({ host: HOST, port })), { redisOptions: { ...RECOMMENDED_REDIS_OPTIONS } }),
    stop,
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
