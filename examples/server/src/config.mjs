// Reads the server's configuration from the environment (docs/guides/reference-server.md 1.1).
// Every error names the variable and the rule, never the value: some of these are secrets.
import { estimateTokenBits, MIN_ADMIN_TOKEN_BITS } from './tokenEntropy.mjs';

/** A configuration problem: the server stops before it listens, exit code 2. */
export class ConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ConfigError';
  }
}

const PORT = /^[0-9]{1,5}$/;
const PREFIX = /^[A-Za-z0-9:._-]{0,64}$/;
const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;
const HEADER = /^[a-z0-9-]{1,64}$/;
const PRINTABLE = /^[\x21-\x7e]+$/;

function port(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!PORT.test(raw) || Number(raw) > 65535) throw new ConfigError(`${name} expected a port number 0..65535`);
  return Number(raw);
}

function nonEmpty(env, name) {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

/**
 * @typedef {object} ServerConfig
 * @property {string} host
 * @property {number} port
 * @property {number} adminPort
 * @property {{ host: string, port: number } | null} metrics  Prometheus endpoint (`GET /metrics`), or null: off
 * @property {string | undefined} origin
 * @property {string} issuer
 * @property {{ kind: 'sqlite', path: string } | { kind: 'postgres+redis' | 'postgres' | 'redis', databaseUrl?: string, redisUrl?: string, schema: string, redisPrefix: string, redisDisposable?: boolean }} store
 * @property {string | undefined} adminToken
 * @property {{ source: 'env', kekCurrent: string, keks: Record<string, string>, pushKey: string } | { source: 'file', path: string }} keys
 * @property {string | undefined} orgKeyDir  the stored organisations' key files (`<orgId>.json`), or undefined: stored organisations have no keys
 * @property {object | undefined} policy
 * @property {string | undefined} trustProxyHeader
 * @property {number} shutdownTimeoutMs
 * @property {number} storeDeadlineMs
 * @property {number} outboxDrainMs
 * @property {boolean} log
 * @property {EmailConfig} email
 * @property {{ endpoints: import('@cloudmfa/server').WebhookEndpoint[], intervalMs: number } | null} webhooks  audit and risk events to one endpoint, or null: off
 */

/**
 * @typedef {object} EmailConfig
 * @property {{ host: string, port: number, secure: boolean, requireTls: boolean | undefined, auth: { user: string, pass: string } | undefined } | null} smtp
 *   null: no SMTP server, the admin pages show the email instead of sending it
 * @property {string | undefined} from
 * @property {'same-email' | 'separate-email' | 'out-of-band'} passwordDelivery
 */

const FLAG = /^[01]$/;
const DELIVERIES = ['same-email', 'separate-email', 'out-of-band'];

/**
 * Webhook delivery of audit and risk events (docs/server.md section 13): one endpoint, from
 * CLOUDMFA_WEBHOOK_URL and CLOUDMFA_WEBHOOK_SECRET (whsec_...; two, space-separated, while
 * rotating). CLOUDMFA_WEBHOOK_EVENTS: `risk`, or a comma-separated list of kinds and families
 * (`otp.locked,push.*`), optionally with `risk`; default every event. The secret is never echoed.
 *
 * @returns {ServerConfig['webhooks']}
 */
function readWebhookConfig(env) {
  const url = nonEmpty(env, 'CLOUDMFA_WEBHOOK_URL');
  const secret = nonEmpty(env, 'CLOUDMFA_WEBHOOK_SECRET');
  const eventsRaw = nonEmpty(env, 'CLOUDMFA_WEBHOOK_EVENTS');
  const intervalRaw = nonEmpty(env, 'CLOUDMFA_WEBHOOK_INTERVAL_MS') ?? '5000';
  if (!/^[0-9]{1,7}$/.test(intervalRaw) || Number(intervalRaw) < 100) throw new ConfigError('CLOUDMFA_WEBHOOK_INTERVAL_MS expected an integer 100..9999999');
  if (url === undefined) {
    if (secret !== undefined || eventsRaw !== undefined) throw new ConfigError('CLOUDMFA_WEBHOOK_SECRET and CLOUDMFA_WEBHOOK_EVENTS need CLOUDMFA_WEBHOOK_URL');
    return null;
  }
  if (secret === undefined) throw new ConfigError('CLOUDMFA_WEBHOOK_URL needs CLOUDMFA_WEBHOOK_SECRET (whsec_...)');
  let events;
  if (eventsRaw !== undefined) {
    const items = eventsRaw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const kinds = items.filter((s) => s !== 'risk');
    events = { ...(kinds.length > 0 ? { kinds } : {}), ...(items.includes('risk') ? { risk: true } : {}) };
  }
  return {
    endpoints: [{ id: 'default', url, secret: secret.split(/\s+/), ...(events ? { events } : {}) }],
    intervalMs: Number(intervalRaw),
  };
}

/** The activation email's settings (docs/guides/reference-server.md 1.1 and 4.4). */
function readEmailConfig(env) {
  const passwordDelivery = nonEmpty(env, 'CLOUDMFA_PASSWORD_DELIVERY') ?? 'same-email';
  if (!DELIVERIES.includes(passwordDelivery)) throw new ConfigError('CLOUDMFA_PASSWORD_DELIVERY expected same-email, separate-email or out-of-band');
  const host = nonEmpty(env, 'CLOUDMFA_SMTP_HOST');
  const from = nonEmpty(env, 'CLOUDMFA_SMTP_FROM');
  const others = ['CLOUDMFA_SMTP_PORT', 'CLOUDMFA_SMTP_SECURE', 'CLOUDMFA_SMTP_REQUIRE_TLS', 'CLOUDMFA_SMTP_USER', 'CLOUDMFA_SMTP_PASSWORD', 'CLOUDMFA_SMTP_FROM'];
  if (host === undefined) {
    const stray = others.find((name) => nonEmpty(env, name) !== undefined);
    if (stray) throw new ConfigError(`${stray} needs CLOUDMFA_SMTP_HOST`);
    return { smtp: null, from: undefined, passwordDelivery };
  }
  if (!/^[A-Za-z0-9.:[\]-]{1,255}$/.test(host)) throw new ConfigError('CLOUDMFA_SMTP_HOST expected a host name or an IP address');
  const portNumber = port(env, 'CLOUDMFA_SMTP_PORT', 587);
  if (portNumber === 0) throw new ConfigError('CLOUDMFA_SMTP_PORT expected a port number 1..65535');
  if (from === undefined) throw new ConfigError('CLOUDMFA_SMTP_FROM is required with CLOUDMFA_SMTP_HOST');
  // One address, optionally with a display name; no line breaks or list separators.
  if (from.length > 320 || !/^[^\x00-\x1f\x7f,;]*@[^\x00-\x1f\x7f,;]*$/.test(from)) throw new ConfigError('CLOUDMFA_SMTP_FROM expected one mail address (address or Name <address>)');
  const flag = (name) => {
    const raw = nonEmpty(env, name);
    if (raw === undefined) return undefined;
    if (!FLAG.test(raw)) throw new ConfigError(`${name} expected 1 or 0`);
    return raw === '1';
  };
  const secure = flag('CLOUDMFA_SMTP_SECURE') ?? false;
  const requireTls = flag('CLOUDMFA_SMTP_REQUIRE_TLS');
  const user = nonEmpty(env, 'CLOUDMFA_SMTP_USER');
  const pass = nonEmpty(env, 'CLOUDMFA_SMTP_PASSWORD');
  if ((user === undefined) !== (pass === undefined)) throw new ConfigError('CLOUDMFA_SMTP_USER and CLOUDMFA_SMTP_PASSWORD must be given together');
  return { smtp: { host, port: portNumber, secure, requireTls, auth: user === undefined ? undefined : { user, pass } }, from, passwordDelivery };
}

/**
 * Parses `env` (usually `process.env`) into a {@link ServerConfig}; throws {@link ConfigError}.
 *
 * @param {Record<string, string | undefined>} env
 * @returns {ServerConfig}
 */
export function readConfig(env) {
  const host = nonEmpty(env, 'HOST') ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:[\]-]{1,255}$/.test(host)) throw new ConfigError('HOST expected a host name or an IP address');

  const origin = nonEmpty(env, 'CLOUDMFA_ORIGIN');
  const issuer = nonEmpty(env, 'CLOUDMFA_ISSUER') ?? 'CloudMFA Example';

  const databaseUrl = nonEmpty(env, 'DATABASE_URL');
  const redisUrl = nonEmpty(env, 'REDIS_URL');
  const schema = nonEmpty(env, 'CLOUDMFA_PG_SCHEMA') ?? 'cloudmfa';
  if (!SCHEMA.test(schema)) throw new ConfigError('CLOUDMFA_PG_SCHEMA expected a lowercase identifier ([a-z_][a-z0-9_]*, at most 63 characters)');
  const redisPrefix = env.CLOUDMFA_REDIS_PREFIX ?? 'cloudmfa:';
  if (!PREFIX.test(redisPrefix)) throw new ConfigError('CLOUDMFA_REDIS_PREFIX expected 0..64 characters of [A-Za-z0-9:._-]');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new ConfigError('DATABASE_URL expected a postgres:// or postgresql:// URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) throw new ConfigError('REDIS_URL expected a redis:// or rediss:// URL');
  let store;
  if (databaseUrl !== undefined || redisUrl !== undefined) {
    const kind = databaseUrl !== undefined && redisUrl !== undefined ? 'postgres+redis' : databaseUrl !== undefined ? 'postgres' : 'redis';
    const disposable = nonEmpty(env, 'CLOUDMFA_REDIS_DISPOSABLE');
    if (disposable !== undefined && disposable !== '1' && disposable !== '0') throw new ConfigError('CLOUDMFA_REDIS_DISPOSABLE expected 1 or 0');
    store = { kind, databaseUrl, redisUrl, schema, redisPrefix, redisDisposable: disposable === '1' };
  } else {
    store = { kind: 'sqlite', path: nonEmpty(env, 'CLOUDMFA_DB') ?? './cloudmfa.db' };
  }

  const adminToken = nonEmpty(env, 'CLOUDMFA_ADMIN_TOKEN');
  if (adminToken !== undefined && (adminToken.length < 24 || adminToken.length > 512 || !PRINTABLE.test(adminToken))) {
    throw new ConfigError('CLOUDMFA_ADMIN_TOKEN expected 24..512 printable ASCII characters');
  }
  if (adminToken !== undefined && estimateTokenBits(adminToken) < MIN_ADMIN_TOKEN_BITS) {
    throw new ConfigError(`CLOUDMFA_ADMIN_TOKEN expected at least ${MIN_ADMIN_TOKEN_BITS} bits of entropy (length × log2 of its alphabet; for example 32 random hex digits)`);
  }

  const keksRaw = nonEmpty(env, 'CLOUDMFA_KEKS');
  const pushKey = nonEmpty(env, 'CLOUDMFA_PUSH_KEY');
  let keys;
  if (keksRaw !== undefined || pushKey !== undefined) {
    if (keksRaw === undefined || pushKey === undefined) throw new ConfigError('CLOUDMFA_KEKS and CLOUDMFA_PUSH_KEY must be given together (or neither, for the key file)');
    const keks = {};
    let last;
    for (const item of keksRaw.split(',')) {
      const m = /^([A-Za-z0-9._-]{1,64}):([A-Za-z0-9_-]{43})$/.exec(item.trim());
      if (!m) throw new ConfigError('CLOUDMFA_KEKS expected id:base64url[,id:base64url...] with 32-byte keys');
      if (m[1] in keks) throw new ConfigError('CLOUDMFA_KEKS names a key id twice');
      keks[m[1]] = m[2];
      last = m[1];
    }
    const kekCurrent = nonEmpty(env, 'CLOUDMFA_KEK_CURRENT') ?? last;
    if (!(kekCurrent in keks)) throw new ConfigError('CLOUDMFA_KEK_CURRENT expected one of the ids in CLOUDMFA_KEKS');
    if (!/^[A-Za-z0-9_-]{43}$/.test(pushKey)) throw new ConfigError('CLOUDMFA_PUSH_KEY expected a base64url 32-byte P-256 private key');
    keys = { source: 'env', kekCurrent, keks, pushKey };
  } else {
    if (nonEmpty(env, 'CLOUDMFA_KEK_CURRENT') !== undefined) throw new ConfigError('CLOUDMFA_KEK_CURRENT needs CLOUDMFA_KEKS');
    keys = { source: 'file', path: nonEmpty(env, 'CLOUDMFA_KEY_FILE') ?? './cloudmfa-keys.json' };
  }

  let policy;
  const policyRaw = nonEmpty(env, 'CLOUDMFA_POLICY');
  if (policyRaw !== undefined) {
    try {
      policy = JSON.parse(policyRaw);
    } catch {
      throw new ConfigError('CLOUDMFA_POLICY expected a JSON object');
    }
    if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) throw new ConfigError('CLOUDMFA_POLICY expected a JSON object');
  }

  const trustProxyRaw = nonEmpty(env, 'CLOUDMFA_TRUST_PROXY_HEADER')?.toLowerCase();
  if (trustProxyRaw !== undefined && trustProxyRaw !== 'none' && !HEADER.test(trustProxyRaw)) {
    throw new ConfigError('CLOUDMFA_TRUST_PROXY_HEADER expected a header name or none');
  }
  // An https:// origin means a TLS-terminating proxy in front (this server speaks plain HTTP):
  // the socket address is then the proxy's, and the redemption throttle would count every
  // client as one. The operator must decide which address counts (issue 11 §3).
  if (trustProxyRaw === undefined && origin !== undefined && origin.startsWith('https://')) {
    throw new ConfigError(
      'CLOUDMFA_TRUST_PROXY_HEADER is required with an https:// CLOUDMFA_ORIGIN (behind a proxy): name the header your proxy sets to the client address, or none to count the socket address',
    );
  }
  const trustProxyHeader = trustProxyRaw === 'none' ? undefined : trustProxyRaw;

  const shutdownRaw = nonEmpty(env, 'CLOUDMFA_SHUTDOWN_TIMEOUT_MS') ?? '10000';
  if (!/^[0-9]{1,7}$/.test(shutdownRaw)) throw new ConfigError('CLOUDMFA_SHUTDOWN_TIMEOUT_MS expected an integer 0..9999999');

  // How long a store call may take before the request answers 503 (docs/server.md 4.1).
  const deadlineRaw = nonEmpty(env, 'CLOUDMFA_STORE_DEADLINE_MS') ?? '250';
  if (!/^[0-9]{1,5}$/.test(deadlineRaw) || Number(deadlineRaw) < 1 || Number(deadlineRaw) > 60_000) {
    throw new ConfigError('CLOUDMFA_STORE_DEADLINE_MS expected an integer 1..60000');
  }
  // How often the audit outbox is drained (docs/server.md 4.1); 0 only at start and on close.
  const drainRaw = nonEmpty(env, 'CLOUDMFA_OUTBOX_DRAIN_MS') ?? '5000';
  if (!/^[0-9]{1,7}$/.test(drainRaw)) throw new ConfigError('CLOUDMFA_OUTBOX_DRAIN_MS expected an integer 0..9999999');

  // The Prometheus endpoint (docs/server.md 12.1): off unless a port is given; loopback unless
  // a host is given (the counters say how many codes failed, which is not for everyone).
  const metricsPortRaw = nonEmpty(env, 'CLOUDMFA_METRICS_PORT');
  const metricsHost = nonEmpty(env, 'CLOUDMFA_METRICS_HOST') ?? '127.0.0.1';
  if (metricsPortRaw === undefined && nonEmpty(env, 'CLOUDMFA_METRICS_HOST') !== undefined) throw new ConfigError('CLOUDMFA_METRICS_HOST needs CLOUDMFA_METRICS_PORT');
  const metrics = metricsPortRaw === undefined ? null : { host: metricsHost, port: port(env, 'CLOUDMFA_METRICS_PORT', 0) };

  const logRaw = nonEmpty(env, 'CLOUDMFA_LOG') ?? 'json';
  if (logRaw !== 'json' && logRaw !== 'off') throw new ConfigError('CLOUDMFA_LOG expected json or off');

  return {
    host,
    port: port(env, 'PORT', 8080),
    adminPort: port(env, 'CLOUDMFA_ADMIN_PORT', 8081),
    metrics,
    origin,
    issuer,
    store,
    adminToken,
    keys,
    orgKeyDir: nonEmpty(env, 'CLOUDMFA_ORG_KEY_DIR'),
    policy,
    trustProxyHeader,
    shutdownTimeoutMs: Number(shutdownRaw),
    storeDeadlineMs: Number(deadlineRaw),
    outboxDrainMs: Number(drainRaw),
    log: logRaw === 'json',
    email: readEmailConfig(env),
    webhooks: readWebhookConfig(env),
  };
}
