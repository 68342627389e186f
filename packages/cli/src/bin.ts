#!/usr/bin/env node
// The `cloudmfa` executable: runCli bound to this process.
import { runCli } from './runCli.js';

// A closed pipe (`cloudmfa ... | head -1`) is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

runCli({
  argv: process.argv.slice(2),
  io: {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
}).then((status) => {
  process.exitCode = status;
});
