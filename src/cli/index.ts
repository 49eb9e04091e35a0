#!/usr/bin/env node
import { Command } from 'commander';
import { version } from '../version.js';
import { auditCommand } from './audit.js';
import { importCommand } from './import.js';
import { keysCommand } from './keys.js';
import { migrateCommand } from './migrate.js';
import { operatorsCommand, permissionsCommand } from './operators.js';
import { retentionCommand } from './retention.js';
import { serveCommand, workerCommand } from './serve.js';
import { configCommand, statusCommand } from './status.js';

const program = new Command()
  .name('custos')
  .description('Custos: privacy and data-protection engine.')
  .version(version)
  .showHelpAfterError();

program.addCommand(serveCommand());
program.addCommand(workerCommand());
program.addCommand(migrateCommand());
program.addCommand(statusCommand());
program.addCommand(configCommand());
program.addCommand(auditCommand());
program.addCommand(keysCommand());
program.addCommand(operatorsCommand());
program.addCommand(permissionsCommand());
program.addCommand(importCommand());
program.addCommand(retentionCommand());

await program.parseAsync(process.argv);
