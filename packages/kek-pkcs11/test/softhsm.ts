// A SoftHSM2 token of the test's own: a temporary token directory and configuration
// (SOFTHSM2_CONF, read by the library at C_Initialize, so each test file, which runs in its own
// process, sets it before opening), initialised with softhsm2-util. Never a global token.
// A missing SoftHSM2 is a failure, never a skip (.ci/run installs the softhsm2 package).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CANDIDATES = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so'];

export const TOKEN_LABEL = 'cloudmfa-test';
export const PIN = '246810';

export interface SoftHsm {
  library: string;
  dir: string;
  remove(): void;
}

/**
 * Creates the token directory and the initialised tokens (`TOKEN_LABEL` with `PIN`, and
 * `others`); sets SOFTHSM2_CONF for this process. SoftHSM2 reads its tokens at C_Initialize:
 * create every token before opening any.
 */
export function createSoftHsm(others: { label: string; pin: string }[] = []): SoftHsm {
  const library = CANDIDATES.find((p) => existsSync(p));
  if (!library) throw new Error('SoftHSM2 is not installed (apt-get install softhsm2)');
  const dir = mkdtempSync(join(tmpdir(), 'cloudmfa-softhsm-'));
  mkdirSync(join(dir, 'tokens'), { mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  for (const t of [{ label: TOKEN_LABEL, pin: PIN }, ...others]) {
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', t.label, '--pin', t.pin, '--so-pin', '13579111'], {
      env: { ...process.env, SOFTHSM2_CONF: conf },
      stdio: 'pipe',
    });
  }
  return { library, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
