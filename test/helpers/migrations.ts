import type { Kysely } from 'kysely';
import { migrateDown, migrateToLatest } from '../../src/db/migrate.js';
import type { DB } from '../../src/db/schema.js';

/**
 * Rolls the schema back to just before `name`: every newer migration, then `name` itself. A migration test
 * uses it to write rows as they were before its migration, whatever migrations were added after it.
 */
export async function rollBackThrough(db: Kysely<DB>, name: string): Promise<void> {
  for (;;) {
    const rolledBack = await migrateDown(db);
    if (!rolledBack) throw new Error(`Migration ${name} was never applied`);
    if (rolledBack === name) return;
  }
}

/** Migrates up again; returns the names applied, the first of which must be `name`. */
export async function migrateUpFrom(db: Kysely<DB>, name: string): Promise<string[]> {
  const applied = await migrateToLatest(db);
  if (applied[0] !== name) throw new Error(`Expected ${name} to be applied first, got ${applied[0]}`);
  return applied;
}
