import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as scripts from '../src/_scripts.js';
import type { LuaScript } from '../src/_scripts.js';
import type { Redis } from 'ioredis';

const run = promisify(execFile);
const HOST = '127.0.0.1';

/** A single `redis-server` of this test file's own, on a free loopback port. */
export interface PrivateRedis {
  readonly port: number;
  /** SHUTDOWN NOSAVE, then SIGKILL by pid file if needed, and the directory removed. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a private, non-persistent `redis-server` for tests whose outcome depends on the
 * server's state (its script cache, for one): no other test file, process or helper can
 * change what it holds between two of the test's steps. Waits (polling, bounded) until it
 * answers PING.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'cmfa-redis-private-'));
  const port = await freePort();
  const pidFile = join(dir, 'redis.pid');
  const cli = (...args: string[]) => run('redis-cli', ['-h', HOST, '-p', String(port), ...args], { timeout: 10_000 });
  const stop = async () => {
    await cli('shutdown', 'nosave').catch(() => undefined);
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      for (let i = 0; i < 100 && alive(pid); i++) await sleep(50);
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run(
      'redis-server',
      ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--daemonize', 'yes', '--dir', dir, '--pidfile', pidFile, '--logfile', join(dir, 'redis.log')],
      { timeout: 10_000 },
    );
    for (let i = 0; ; i++) {
      const pong = await cli('ping').then((r) => r.stdout.trim() === 'PONG', () => false);
      if (pong) break;
      if (i >= 200) throw new Error(`private redis-server on ${port} did not answer PING`);
      await sleep(50);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, stop };
}

/**
 * Loads every Lua script of the adapter into the server's script cache (SCRIPT LOAD), so the
 * adapter's next EVALSHA is answered at once. A test that counts request/reply boundaries
 * calls this right before it starts counting: with a cold cache the adapter's EVALSHA gets
 * NOSCRIPT and it sends EVAL, one reply more.
 */
export async function loadAllScripts(client: Redis): Promise<void> {
  const all = Object.values(scripts).filter((s): s is LuaScript => typeof s === 'object' && s !== null && 'lua' in s && 'sha' in s);
  if (all.length === 0) throw new Error('no Lua scripts found in src/_scripts.ts');
  for (const s of all) {
    const sha = await client.script('LOAD', s.lua);
    if (sha !== s.sha) throw new Error(`SCRIPT LOAD of ${s.name} answered ${String(sha)}, expected ${s.sha}`);
  }
}
