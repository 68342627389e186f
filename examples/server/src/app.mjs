// Assembles the reference server: keys, store, facade, the device API listener and the admin
// listener (docs/guides/reference-server.md). `server.mjs` calls `startApp` with the environment;
// the tests call it in-process with a pinned clock and a seeded random source.
import { systemClock, systemRandom, encodeBase64Url } from '@cloudmfa/core';
import { createHttpHandler, createMfaServer } from '@cloudmfa/server';
import { createAdminHandler } from './admin.mjs';
import { ConfigError } from './config.mjs';
import { loadKeys } from './keys.mjs';
import { nodeCryptoProvider } from './nodeCrypto.mjs';
import { listen, remoteAddressOf } from './nodeHttp.mjs';
import { openStores } from './stores.mjs';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

// The device routes' patterns, for the log line (the raw path is never logged).
function deviceRoute(request) {
  const path = new URL(request.url).pathname;
  if (path === '/healthz' || path === '/v1/activations/redeem' || path === '/v1/push/respond' || path === '/v1/push/poll') return path;
  if (/^\/v1\/push\/challenges\/[^/]+$/.test(path)) return '/v1/push/challenges/:id';
  return null;
}

/**
 * Starts the reference server.
 *
 * @param {import('./config.mjs').ServerConfig} config
 * @param {{
 *   clock?: () => number,
 *   random?: (n: number) => Uint8Array,
 *   log?: (entry: object) => void,
 *   deliverPush?: (challenge: object) => Promise<void> | void,
 * }} [options]
 */
export async function startApp(config, options = {}) {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const log = options.log ?? (() => {});
  const warn = (entry) => log({ level: 'warn', ...entry });

  const keys = loadKeys(config.keys, { random });
  const stores = await openStores(config.store, { clock, warn });
  const closers = [];
  try {
    // The device listener starts first: with PORT=0 its address is the default origin.
    let deviceHandler = null;
    const device = await listen((req) => deviceHandler(req), {
      host: config.host,
      port: config.port,
      log: config.log ? (e) => log({ listener: 'device', ...e }) : undefined,
      route: deviceRoute,
    });
    closers.push(device);
    const origin = config.origin ?? `http://127.0.0.1:${device.port}`;
    let server;
    try {
      server = createMfaServer({
        store: stores.store,
        keys: { kek: keys.kek, push: keys.push },
        issuer: config.issuer,
        origin,
        policy: config.policy,
        // The audit log is the record; this sink mirrors risk events to the process log, where a
        // SIEM shipper can pick them up. Event details never hold secrets (docs/server.md 6).
        events: (e) => {
          if (e.risk) log({ level: 'warn', event: 'risk', kind: e.kind, userId: e.userId, enrolmentId: e.enrolmentId });
        },
        clock,
        random,
        crypto: nodeCryptoProvider(),
        storeDeadlineMs: config.storeDeadlineMs,
      });
    } catch (e) {
      if (typeof e?.code === 'string' && (e.code === 'ERR_SERVER_CONFIG' || e.code === 'ERR_SERVER_POLICY')) {
        throw new ConfigError(`the server refused its configuration (${e.code}): ${e.message}`);
      }
      throw e;
    } finally {
      keys.wipe();
    }

    const trusted = config.trustProxyHeader;
    const handler = createHttpHandler(server, {
      clientIp: (req) => (trusted ? req.headers.get(trusted)?.split(',').pop()?.trim() : remoteAddressOf(req)) ?? null,
    });
    deviceHandler = async (req) => {
      if (new URL(req.url).pathname === '/healthz') {
        return new Response('{"status":"ok"}', { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
      }
      return handler(req);
    };

    let generated = false;
    let adminToken = config.adminToken;
    if (adminToken === undefined) {
      adminToken = encodeBase64Url(random(32));
      generated = true;
    }
    let adminPort = 0;
    const admin = await listen(
      createAdminHandler({
        server,
        token: adminToken,
        issuer: config.issuer,
        storeKind: stores.kind,
        port: () => adminPort,
        clock,
        random,
        deliverPush: options.deliverPush,
        warn,
      }),
      { host: '127.0.0.1', port: config.adminPort, log: config.log ? (e) => log({ listener: 'admin', ...e }) : undefined },
    );
    adminPort = admin.port;
    closers.push(admin);

    // Audit entries of accepted codes that the audit log could not take at the time (it was
    // down) wait in the guard store's outbox: move them at start, every outboxDrainMs, and on
    // close (docs/server.md 4.1). A failed drain is retried at the next tick.
    const drain = async () => {
      try {
        while ((await server.drainAuditOutbox({ limit: 500 })).more);
      } catch (e) {
        warn({ event: 'audit_outbox_drain_failed', code: typeof e?.code === 'string' ? e.code : 'error' });
      }
    };
    let draining = drain();
    const drainTimer =
      config.outboxDrainMs > 0
        ? setInterval(() => {
            draining = draining.then(drain);
          }, config.outboxDrainMs)
        : null;
    drainTimer?.unref();

    let closing = null;
    return {
      server,
      deviceUrl: device.url,
      adminUrl: `http://127.0.0.1:${admin.port}`,
      origin,
      adminToken,
      adminTokenGenerated: generated,
      storeKind: stores.kind,
      describeStore: stores.describe,
      describeKeys: keys.describe,
      exposed: !LOOPBACK.has(config.host),
      /** Graceful: stop accepting, finish what is in flight (up to the timeout), close the stores. */
      close: (timeoutMs = config.shutdownTimeoutMs) => {
        closing ??= (async () => {
          await Promise.all(closers.map((c) => c.close(timeoutMs)));
          if (drainTimer) clearInterval(drainTimer);
          await draining;
          await drain();
          await stores.close();
        })();
        return closing;
      },
    };
  } catch (e) {
    await Promise.all(closers.map((c) => c.close(0)));
    await stores.close().catch(() => {});
    throw e;
  }
}
