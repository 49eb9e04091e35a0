import { Command } from 'commander';
import { settingsMarkdown } from '../config.js';
import { databaseOptionsFrom, openDatabase } from '../db/database.js';
import { systemClock } from '../lib/clock.js';
import { instanceService } from '../modules/operations/instance-service.js';
import { instanceStore } from '../modules/operations/instance-store.js';
import { version } from '../version.js';
import { configOrExit } from './context.js';

export function statusCommand(): Command {
  return new Command('status')
    .description('List the Custos processes (serve and worker) running against this database.')
    .action(async () => {
      const config = configOrExit();
      const database = await openDatabase(databaseOptionsFrom(config));
      try {
        const instances = instanceService({
          db: database.db,
          store: instanceStore(),
          clock: systemClock,
          version,
        });
        const rows = await instances.list();
        if (rows.length === 0) process.stdout.write('no running instances\n');
        for (const row of rows) {
          process.stdout.write(
            `${row.role.padEnd(7)} ${row.hostname}:${row.pid} v${row.version} since ${row.started_at.toISOString()}${row.stale ? ' (stale)' : ''}\n`,
          );
        }
      } finally {
        await database.close();
      }
    });
}

export function configCommand(): Command {
  return new Command('config')
    .description('Check the configuration, or print the settings table (--markdown).')
    .option('--markdown', 'print every setting as a Markdown table')
    .action((options: { markdown?: boolean }) => {
      if (options.markdown) {
        process.stdout.write(`${settingsMarkdown()}\n`);
        return;
      }
      const config = configOrExit();
      process.stdout.write(
        `configuration is valid (database: ${config.databaseUrl ? 'PostgreSQL' : 'embedded'})\n`,
      );
    });
}
