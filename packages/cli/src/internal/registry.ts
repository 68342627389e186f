import { codeCommand } from '../commands/code.js';
import { envelopeOpenCommand } from '../commands/envelopeOpen.js';
import { envelopePasswordCommand } from '../commands/envelopePassword.js';
import { envelopeSealCommand } from '../commands/envelopeSeal.js';
import { migrationExportCommand } from '../commands/migrationExport.js';
import { migrationImportCommand } from '../commands/migrationImport.js';
import { secretCommand } from '../commands/secret.js';
import { uriMakeCommand } from '../commands/uriMake.js';
import { uriParseCommand } from '../commands/uriParse.js';
import { verifyCommand } from '../commands/verify.js';
import type { Command } from './command.js';

/** Every subcommand, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  secretCommand,
  codeCommand,
  verifyCommand,
  uriMakeCommand,
  uriParseCommand,
  migrationExportCommand,
  migrationImportCommand,
  envelopeSealCommand,
  envelopeOpenCommand,
  envelopePasswordCommand,
];
