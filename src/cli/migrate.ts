import { Command } from 'commander';
import { databaseOptionsFrom, openDatabase } from '../db/database.js';
import { migrateDown, migrateToLatest, migrationStatus } from '../db/migrate.js';
import { configOrExit, fail, loggerFor } from './context.js';
import { createProgress } from './progress.js';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('Apply pending database migrations (serve and worker also do this at start).')
    .option('--status', 'list migrations and whether each is applied, without changing anything')
    .option('--down', 'roll back the newest applied migration')
    .action(async (options: { status?: boolean; down?: boolean }) => {
      const config = configOrExit();
      const logger = loggerFor(config);
      const database = await openDatabase(databaseOptionsFrom(config));
      try {
        if (options.status) {
          const all = await migrationStatus(database.db);
          for (const migration of all) {
            const state = migration.executedAt ? `applied ${migration.executedAt.toISOString()}` : 'pending';
            process.stdout.write(`${migration.name.padEnd(40)} ${state}\n`);
          }
          const pending = all.filter((migration) => !migration.executedAt).length;
          process.stdout.write(`${all.length - pending} applied, ${pending} pending\n`);
        } else if (options.down) {
          const name = await migrateDown(database.db);
          process.stdout.write(name ? `rolled back ${name}\n` : 'nothing to roll back\n');
        } else {
          const before = (await migrationStatus(database.db)).filter((m) => !m.executedAt).length;
          const progress = createProgress('Migrating', before);
          const applied = await migrateToLatest(database.db, ({ done, name }) => progress.update(done, name));
          progress.stop();
          process.stdout.write(
            applied.length ? `applied ${applied.length} migration(s)\n` : 'already up to date\n',
          );
        }
      } catch (error) {
        await database.close();
        fail(logger, error, 'migration failed');
      }
      await database.close();
    });
}
