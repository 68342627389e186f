import { storageError } from '@cloudmfa/storage/adapter';
import type { StoreContext } from './_context.js';
import type { LuaScript } from './_scripts.js';
import { keySlot } from './_slot.js';

interface Item {
  key: string;
  args: string[];
  resolve: (reply: unknown) => void;
  reject: (e: unknown) => void;
}

/** Collects concurrent calls of a per-key batch script and sends them together. */
export interface Batcher {
  /** Queues one call (its key and its ARGV slice); resolves with its own reply. */
  push(key: string, args: string[]): Promise<unknown>;
  /** Sends what is queued and waits for every batch in flight. */
  drain(): Promise<void>;
}

/**
 * Group commit for a hot operation. Calls made in the same event-loop turn are sent as one
 * script call per hash slot (every key of a cluster batch shares a slot; on a single node one
 * batch takes all), at most `maxBatch` keys each. The script decides and applies each call in
 * order, exactly as if it ran alone, and the batch is atomic as a whole, so every call keeps
 * its own all-or-nothing outcome; the gain is one round trip and one script start for many
 * calls. setImmediate, not a microtask: callers whose previous call just resolved get to
 * queue their next one first. With `single`, a call alone in its slot goes as that plain
 * command instead (its reply is then what `single` resolves).
 */
export function createBatcher(
  ctx: StoreContext,
  script: LuaScript,
  options: { maxBatch?: number; single?: (key: string, args: string[]) => Promise<unknown> } = {},
): Batcher {
  // 16, not more: larger batches make the calls in flight move as one convoy, Node and Redis
  // each idle while the other works (docs/storage-redis.md section 3, measured).
  const maxBatch = options.maxBatch ?? 16;
  const single = options.single;
  let queue: Item[] = [];
  let scheduled = false;
  const inflight = new Set<Promise<void>>();
  const cluster = ctx.client.isCluster;

  const send = (items: Item[]) => {
    if (single && items.length === 1) {
      // A call alone in its slot (the rule on a cluster, where each enrolment has its own):
      // the plain command, which costs Redis less than a script.
      const item = items[0]!;
      const p = single(item.key, item.args).then(item.resolve, item.reject);
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      return;
    }
    const keys: string[] = [];
    const args: string[] = [];
    for (const item of items) {
      keys.push(item.key);
      for (const a of item.args) args.push(a);
    }
    const p = ctx.run(script, keys, args).then(
      (reply) => {
        if (!Array.isArray(reply) || reply.length !== items.length) {
          const e = storageError('ERR_STORAGE_CORRUPT', 'a batch reply does not match its calls');
          for (const i of items) i.reject(e);
          return;
        }
        items.forEach((item, k) => item.resolve(reply[k]));
      },
      (e: unknown) => {
        for (const i of items) i.reject(e);
      },
    );
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };

  const flush = () => {
    scheduled = false;
    const items = queue;
    queue = [];
    const groups = new Map<number, Item[]>();
    for (const item of items) {
      const slot = cluster ? keySlot(item.key) : 0;
      const g = groups.get(slot);
      if (g) g.push(item);
      else groups.set(slot, [item]);
    }
    for (const g of groups.values()) for (let i = 0; i < g.length; i += maxBatch) send(g.slice(i, i + maxBatch));
  };

  return {
    push: (key, args) =>
      new Promise((resolve, reject) => {
        queue.push({ key, args, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      }),
    async drain() {
      if (scheduled) flush();
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
  };
}
