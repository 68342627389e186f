// Assembles the reference server: keys, store, facade, the device API listener and the admin
// listener (docs/guides/reference-server.md). `server.mjs` calls `startApp` with the environment;
// the tests call it in-process with a pinned clock and a seeded random source.
import { systemClock, systemRandom, encodeBase64Url } from '@cloudmfa/core';
import { createMfaServer } from '@cloudmfa/server';
import { createNodeHandler } from '@cloudmfa/server/node';
import { createAdminHandler } from './admin.mjs';
import { createAuditDrain } from './auditDrain.mjs';
import { ConfigError } from './config.mjs';
import { createMailer } from './email.mjs';
import { loadKeys, organisationKeyFiles } from './keys.mjs';
import { startMetrics } from './metrics.mjs';
import { listen, serve } from './nodeHttp.mjs';
import { openStores } from './stores.mjs';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

const JSON_HEADERS = ['content-type', 'application/json; charset=utf-8', 'cache-control', 'no-store', 'x-content-type-options', 'nosniff'];

/**
 * The device listener: `/healthz`, then the device routes of `createNodeHandler` (set once the
 * facade exists; the listener starts first so that its port can be the default origin). Each
 * log line is the handler's entry plus the time taken (`ms`).
 */
function deviceListener(closing, { log }) {
  const starts = new WeakMap();
  const inFlight = new Set();
  let handler = null;
  const ms = (req) => Math.round((performance.now() - starts.get(req)) * 10) / 10;
  const listener = (req, res) => {
    if (log) starts.set(req, performance.now());
    // While shutting down, every answer closes its connection (node writes `Connection: close`).
    if (closing()) res.shouldKeepAlive = false;
    else {
      inFlight.add(res);
      res.once('close', () => inFlight.delete(res));
    }
    const path = (req.url ?? '').split('?')[0];
    if (path === '/healthz' || handler === null) {
      const up = handler !== null;
      const body = up ? '{"status":"ok"}' : '{"error":{"code":"ERR_HTTP_UNAVAILABLE","message":"the service is temporarily unavailable"}}';
      res.writeHead(up ? 200 : 503, [...JSON_HEADERS, 'content-length', String(body.length)]).end(body);
      log?.({ method: req.method, route: up ? '/healthz' : null, status: res.statusCode, code: up ? null : 'ERR_HTTP_UNAVAILABLE', ms: ms(req) });
      return;
    }
    handler(req, res);
  };
  return {
    listener,
    /** Shutdown began: the answers still to come close their connections. */
    closeAnswers: () => {
      for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    },
    mount: (server, { trustedHeader }) => {
      handler = createNodeHandler({
        server,
        clientIp: (req) => (trustedHeader ? req.headers[trustedHeader]?.split(',').pop()?.trim() : req.socket?.remoteAddress) ?? null,
        log: log ? (entry, req) => log({ ...entry, ms: ms(req) }) : undefined,
      });
    },
  };
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
  const organisationKeys = config.orgKeyDir === undefined ? undefined : organisationKeyFiles(config.orgKeyDir, { random, log });
  const stores = await openStores(config.store, { clock, warn });
  const closers = [];
  try {
    // The device listener starts first: with PORT=0 its address is the default origin.
    let deviceRoutes = null;
    const device = await serve(
      (closing) => {
        deviceRoutes = deviceListener(closing, { log: config.log ? (e) => log({ listener: 'device', ...e }) : undefined });
        return deviceRoutes.listener;
      },
      { host: config.host, port: config.port, onClose: () => deviceRoutes.closeAnswers() },
    );
    closers.push(device);
    const origin = config.origin ?? `http://127.0.0.1:${device.port}`;
    const metrics = config.metrics ? await startMetrics(config.metrics) : null;
    if (metrics) closers.push(metrics);
    let server;
    try {
      server = createMfaServer({
        store: stores.store,
        keys: { kek: keys.kek, push: keys.push },
        // Each stored organisation's own KEKs and push key (docs/guides/reference-server.md 3.1).
        ...(organisationKeys ? { organisationKeys } : {}),
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
        // No `crypto`: on Node the server derives envelope keys with node:crypto's scrypt by default.
        storeDeadlineMs: config.storeDeadlineMs,
        // An accepted code's audit entry, when it waits in the guard store's outbox (PostgreSQL +
        // Redis), moves to the audit log after the answer, bounded per server (docs/server.md
        // 4.1, "Background moves"); close flushes the moves before the final drain. A store that
        // logs with the consume (SQLite, PostgreSQL) has nothing to move.
        auditMove: 'background',
        ...(metrics ? { telemetry: metrics.telemetry } : {}),
        webhooks: config.webhooks ? { endpoints: config.webhooks.endpoints } : undefined,
      });
    } catch (e) {
      if (typeof e?.code === 'string' && (e.code === 'ERR_SERVER_CONFIG' || e.code === 'ERR_SERVER_POLICY')) {
        throw new ConfigError(`the server refused its configuration (${e.code}): ${e.message}`);
      }
      throw e;
    } finally {
      keys.wipe();
    }

    deviceRoutes.mount(server, { trustedHeader: config.trustProxyHeader });

    let generated = false;
    let adminToken = config.adminToken;
    if (adminToken === undefined) {
      adminToken = encodeBase64Url(random(32));
      generated = true;
    }
    const mailer = createMailer(config.email, { issuer: config.issuer, clock, random, warn });
    closers.push({ close: async () => mailer.close() });
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
        mailer,
        warn,
      }),
      { host: '127.0.0.1', port: config.adminPort, log: config.log ? (e) => log({ listener: 'admin', ...e }) : undefined },
    );
    adminPort = admin.port;
    closers.push(admin);

    // Audit entries of accepted codes that the audit log could not take at the time (it was
    // down) wait in the guard store's outbox: move them, for the default organisation and every
    // stored one, at start, every outboxDrainMs, and on close (docs/server.md 4.1). What a drain
    // did not move (a failure, or more than its bounded share) waits for the next.
    const drain = createAuditDrain({ server, store: stores.store, warn });
    let draining = drain();
    const drainTimer =
      config.outboxDrainMs > 0
        ? setInterval(() => {
            draining = draining.then(drain);
          }, config.outboxDrainMs)
        : null;
    drainTimer?.unref();

    // Audit and risk events to the webhook endpoint (docs/server.md section 13): at start and
    // every intervalMs. The position is in the store, so a restart goes on where this stopped.
    const deliver = async () => {
      try {
        while ((await server.deliverWebhooks({ limit: 500 })).more);
      } catch (e) {
        warn({ event: 'webhook_delivery_failed', code: typeof e?.code === 'string' ? e.code : 'error' });
      }
    };
    let delivering = config.webhooks ? deliver() : Promise.resolve();
    const deliverTimer = config.webhooks
      ? setInterval(() => {
          delivering = delivering.then(deliver);
        }, config.webhooks.intervalMs)
      : null;
    deliverTimer?.unref();

    let closing = null;
    return {
      server,
      deviceUrl: device.url,
      adminUrl: `http://127.0.0.1:${admin.port}`,
      /** `http://host:port/metrics` (Prometheus text format), or null when metrics are off. */
      metricsUrl: metrics ? `${metrics.url}/metrics` : null,
      origin,
      adminToken,
      adminTokenGenerated: generated,
      storeKind: stores.kind,
      describeStore: stores.describe,
      describeKeys: keys.describe,
      describeEmail: mailer.describe,
      exposed: !LOOPBACK.has(config.host),
      /** Graceful: stop accepting, finish what is in flight (up to the timeout), close the stores. */
      close: (timeoutMs = config.shutdownTimeoutMs) => {
        closing ??= (async () => {
          await Promise.all(closers.map((c) => c.close(timeoutMs)));
          if (drainTimer) clearInterval(drainTimer);
          if (deliverTimer) clearInterval(deliverTimer);
          await draining;
          // The moves still running after the last answers, then whatever they left behind.
          await server.flushAuditMoves();
          await drain();
          await delivering;
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
