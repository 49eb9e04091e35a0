import { type Kysely, type MigrationResultSet, Migrator } from 'kysely';
import { migrations } from './migrations/index.js';
import type { DB } from './schema.js';

export type MigrationStatus = { name: string; executedAt: Date | undefined };

function migratorFor(db: Kysely<DB>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'custos_migrations',
    migrationLockTableName: 'custos_migrations_lock',
  });
}

export type MigrationProgress = (event: { done: number; total: number; name: string }) => void;

/**
 * Brings the schema up to date. Kysely holds an advisory lock while it runs, so several processes starting
 * at once migrate once. Throws with the failing migration's name when one fails.
 */
export async function migrateToLatest(db: Kysely<DB>, onProgress?: MigrationProgress): Promise<string[]> {
  const migrator = migratorFor(db);
  const pending = (await migrator.getMigrations()).filter((migration) => !migration.executedAt);
  const applied: string[] = [];
  // One step at a time, so a long list reports progress between migrations.
  for (const [index, migration] of pending.entries()) {
    const result: MigrationResultSet = await migrator.migrateUp();
    const failed = result.results?.find((item) => item.status === 'Error');
    if (result.error || failed) {
      const name = failed?.migrationName ?? migration.name;
      throw new Error(
        `Migration ${name} failed: ${(result.error as Error | undefined)?.message ?? 'unknown error'}`,
        {
          cause: result.error,
        },
      );
    }
    applied.push(...(result.results ?? []).map((item) => item.migrationName));
    onProgress?.({ done: index + 1, total: pending.length, name: migration.name });
  }
  return applied;
}

export async function migrationStatus(db: Kysely<DB>): Promise<MigrationStatus[]> {
  const all = await migratorFor(db).getMigrations();
  return all.map((migration) => ({ name: migration.name, executedAt: migration.executedAt }));
}

/** Rolls back the newest migration (for `custos migrate --down`). */
export async function migrateDown(db: Kysely<DB>): Promise<string | undefined> {
  const result = await migratorFor(db).migrateDown();
  if (result.error)
    throw new Error(`Rollback failed: ${(result.error as Error).message}`, { cause: result.error });
  return result.results?.[0]?.migrationName;
}

export async function pendingMigrations(db: Kysely<DB>): Promise<string[]> {
  return (await migrationStatus(db)).filter((m) => !m.executedAt).map((m) => m.name);
}
