import { createHash } from 'node:crypto';
import initial from './migrations/0001_initial.sql?raw';
import consumeUnlock from './migrations/0002_consume_unlock.sql?raw';
import pushPause from './migrations/0003_push_pause.sql?raw';
import outboxForget from './migrations/0004_outbox_forget.sql?raw';
import organisations from './migrations/0005_organisations.sql?raw';
import webhooks from './migrations/0006_webhooks.sql?raw';
import followPerOrg from './migrations/0007_follow_per_org.sql?raw';
import attemptDirectAudit from './migrations/0008_attempt_direct_audit.sql?raw';
import type { PostgresMigration } from './types.js';

// The shipped migrations, in order. Never edit a released file (migrate refuses a changed
// checksum): add `000N_name.sql` and append it here.
const FILES: readonly { version: number; name: string; sql: string }[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'consume_unlock', sql: consumeUnlock },
  { version: 3, name: 'push_pause', sql: pushPause },
  { version: 4, name: 'outbox_forget', sql: outboxForget },
  { version: 5, name: 'organisations', sql: organisations },
  { version: 6, name: 'webhooks', sql: webhooks },
  { version: 7, name: 'follow_per_org', sql: followPerOrg },
  { version: 8, name: 'attempt_direct_audit', sql: attemptDirectAudit },
];

// Line endings are normalized before hashing so that a checkout with CRLF (git autocrlf)
// does not look like an edited migration.
const lf = (s: string) => s.replace(/\r\n?/g, '\n');

export const MIGRATIONS: readonly Readonly<PostgresMigration>[] = Object.freeze(
  FILES.map((f) => {
    const sql = lf(f.sql);
    return Object.freeze({ version: f.version, name: f.name, sql, checksum: createHash('sha256').update(sql, 'utf8').digest('hex') });
  }),
);

export const LATEST_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;
