#!/usr/bin/env node
// The CloudMFA reference server: `pnpm start` (docs/guides/reference-server.md).
//
// Device API (redemption, push response, device poll, challenge status) on HOST:PORT, admin
// surface on 127.0.0.1:CLOUDMFA_ADMIN_PORT. SQLite by default; PostgreSQL + Redis with
// DATABASE_URL and REDIS_URL. Exit codes: 0 after a graceful shutdown, 1 when the store cannot
// be reached or the process fails, 2 for a configuration error.
import { readConfig, ConfigError } from './src/config.mjs';
import { startApp } from './src/app.mjs';
import { StartupError } from './src/stores.mjs';

const out = (line) => process.stdout.write(`${line}\n`);
const logLine = (entry) => out(JSON.stringify({ t: new Date().toISOString(), ...entry }));

let app;
try {
  const config = readConfig(process.env);
  app = await startApp(config, { log: logLine });
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`cloudmfa example server: configuration error: ${e.message}\n`);
    process.exit(2);
  }
  if (e instanceof StartupError) {
    process.stderr.write(`cloudmfa example server: ${e.message}\n`);
    process.exit(1);
  }
  // Unexpected: report the class and code only (a driver message can quote connection details).
  process.stderr.write(`cloudmfa example server: failed to start (${e?.name ?? 'Error'}${typeof e?.code === 'string' ? ` ${e.code}` : ''})\n`);
  process.exit(1);
}

out('cloudmfa example server');
out(`  store:      ${app.describeStore()}`);
out(`  keys:       ${app.describeKeys()}`);
out(`  email:      ${app.describeEmail()}`);
out(`  device API: ${app.deviceUrl} (apps redeem against ${app.origin})`);
out(`  admin:      ${app.adminUrl} (127.0.0.1 only)`);
if (app.adminTokenGenerated) {
  // Printed once, here, so that the operator can log in; set CLOUDMFA_ADMIN_TOKEN to choose it.
  out(`  admin token (generated; set CLOUDMFA_ADMIN_TOKEN to fix one): ${app.adminToken}`);
} else {
  out('  admin token: from CLOUDMFA_ADMIN_TOKEN');
}
if (app.exposed && app.origin.startsWith('http://')) {
  out('  warning: the device API listens beyond loopback but CLOUDMFA_ORIGIN is not https://; put a TLS proxy in front and set it');
}
out(`listening device=${app.deviceUrl} admin=${app.adminUrl}`);

let stopping = false;
async function stop(signal) {
  if (stopping) {
    process.stderr.write(`cloudmfa example server: ${signal} again, exiting now\n`);
    process.exit(1);
  }
  stopping = true;
  out(`shutting down (${signal})`);
  try {
    await app.close();
    out('stopped');
    process.exit(0);
  } catch (e) {
    process.stderr.write(`cloudmfa example server: shutdown failed (${e?.name ?? 'Error'})\n`);
    process.exit(1);
  }
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
