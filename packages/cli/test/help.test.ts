import { describe, expect, it } from 'vitest';
import pkg from '../package.json';
import { COMMANDS } from '../src/internal/registry.js';
import { run, spawnBin } from './helpers.js';

describe('--help', () => {
  it.each(COMMANDS.map((c) => [c.path.join(' '), c] as const))('cloudmfa %s --help lists its usage and every option', async (_name, command) => {
    const r = await run([...command.path, '--help']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith(`Usage: cloudmfa ${command.path.join(' ')}`)).toBe(true);
    for (const option of command.options) expect(r.stdout).toContain(`--${option.name}`);
    expect((await run([...command.path, '-h'])).stdout).toBe(r.stdout);
    expect((await run(['help', ...command.path])).stdout).toBe(r.stdout);
  });

  it('cloudmfa --help lists every command; groups have their own help', async () => {
    const r = await run(['--help']);
    expect(r.status).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(`cloudmfa ${c.path.join(' ')} `);
    expect((await run(['help'])).stdout).toBe(r.stdout);
    const group = await run(['envelope', '--help']);
    expect(group.status).toBe(0);
    expect(group.stdout).toContain('cloudmfa envelope seal');
    expect(group.stdout).not.toContain('cloudmfa uri make');
  });

  it('--version prints the package version; the built executable answers too', async () => {
    expect(await run(['--version'])).toEqual({ status: 0, stdout: `${pkg.version}\n`, stderr: '' });
    const bin = spawnBin(['code', '--help']);
    expect(bin.status).toBe(0);
    expect(bin.stdout).toContain('--time-step-size');
  });
});
