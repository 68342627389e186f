import { type Clock, isCloudMfaError } from '@cloudmfa/core';
import { readClock, storageError } from '@cloudmfa/storage/adapter';
import type { Cluster, Redis } from 'ioredis';
import type { LuaScript } from './_scripts.js';

/** The ioredis clients the adapter runs on. */
export type RedisClient = Redis | Cluster;

/** What every part of the store set shares. */
export interface StoreContext {
  readonly client: RedisClient;
  /** The key head of the organisation the parts serve (see `keyHead` in _keys.ts). */
  readonly prefix: string;
  readonly pendingEnrolmentRetentionMs: number;
  readonly challengeRetentionMs: number;
  readonly auditRetentionMs: number | null;
  /**
   * Runs one public operation: rejects ERR_STORAGE_UNAVAILABLE once closed, reads the clock
   * once, and maps every driver failure to a typed error. `body` validates before any I/O.
   */
  op<T>(body: (now: number) => Promise<T>): Promise<T>;
  /** EVALSHA, falling back to EVAL (which also loads the script) on NOSCRIPT. */
  run(script: LuaScript, keys: string[], args: string[]): Promise<unknown>;
}

/** Builds the shared context; `close()` flips the flag the operations check first. */
export function createContext(init: {
  client: RedisClient;
  prefix: string;
  clock: Clock;
  pendingEnrolmentRetentionMs: number;
  challengeRetentionMs: number;
  auditRetentionMs: number | null;
}): { ctx: StoreContext; markClosed(): boolean } {
  let closed = false;
  const { client, clock } = init;
  const ctx: StoreContext = {
    client,
    prefix: init.prefix,
    pendingEnrolmentRetentionMs: init.pendingEnrolmentRetentionMs,
    challengeRetentionMs: init.challengeRetentionMs,
    auditRetentionMs: init.auditRetentionMs,
    async op(body) {
      if (closed) throw storageError('ERR_STORAGE_UNAVAILABLE', 'the store is closed');
      const now = readClock(clock);
      try {
        return await body(now);
      } catch (e) {
        throw toStorageError(e);
      }
    },
    async run(script, keys, args) {
      // The arrays go to ioredis as they are (it flattens one level): no spread of a batch's
      // hundreds of arguments into a call.
      const rest = [keys, args] as unknown as string[];
      try {
        return await client.evalsha(script.sha, keys.length, ...rest);
      } catch (e) {
        // NOSCRIPT: this node has not cached the script (restart, failover, new node). Nothing
        // ran; EVAL runs it once and caches it there.
        if (!isNoScript(e)) throw e;
        return client.eval(script.lua, keys.length, ...rest);
      }
    },
  };
  return {
    ctx,
    markClosed() {
      const was = closed;
      closed = true;
      return !was;
    },
  };
}

function messageOf(e: unknown): string {
  return typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : '';
}

function isNoScript(e: unknown): boolean {
  return messageOf(e).startsWith('NOSCRIPT');
}

/**
 * Maps a failure to the storage codes. Our own errors pass through. Redis replies that can
 * only come from data the adapter did not write (a key of another type, a script tripping on
 * a malformed field) are ERR_STORAGE_CORRUPT; everything else from the driver (connection
 * closed or refused, timeouts, cluster down, OOM) is ERR_STORAGE_UNAVAILABLE. The driver
 * error travels only as scrubCause (name and code): ioredis messages can quote arguments.
 */
export function toStorageError(e: unknown): Error {
  if (isCloudMfaError(e)) return e;
  const m = messageOf(e);
  if (m.startsWith('WRONGTYPE') || m.startsWith('ERR user_script') || m.startsWith('ERR Error running script')) {
    return storageError('ERR_STORAGE_CORRUPT', 'a stored value has an unexpected type', e);
  }
  return storageError('ERR_STORAGE_UNAVAILABLE', 'the Redis operation failed', e);
}

/** `expiresAt - now + retention`: TTLs are relative to the injected clock (section 4). */
export function ttlMs(expiresAt: number, now: number, retentionMs: number): string {
  return String(Math.max(1, expiresAt - now + retentionMs));
}
