import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { ConsentTables } from './consent-tables.js';

export type PurposeRow = Selectable<ConsentTables['consent_purposes']>;
export type PurposeVersionRow = Selectable<ConsentTables['consent_purpose_versions']>;

/** What a change of a purpose writes: everything but its key and creation time. */
export type PurposeChanges = Omit<PurposeRow, 'key' | 'created_at'>;

/** SQL for purposes and their versions. */
export function purposeStore() {
  return {
    list(tx: Executor): Promise<PurposeRow[]> {
      return tx.selectFrom('consent_purposes').selectAll().orderBy('key').execute();
    },
    find(tx: Executor, key: string): Promise<PurposeRow | undefined> {
      return tx.selectFrom('consent_purposes').selectAll().where('key', '=', key).executeTakeFirst();
    },
    lock(tx: Executor, key: string): Promise<PurposeRow | undefined> {
      return tx
        .selectFrom('consent_purposes')
        .selectAll()
        .where('key', '=', key)
        .forUpdate()
        .executeTakeFirst();
    },
    async insert(tx: Executor, row: Insertable<ConsentTables['consent_purposes']>) {
      await tx.insertInto('consent_purposes').values(row).execute();
    },
    async update(tx: Executor, key: string, changes: PurposeChanges) {
      await tx.updateTable('consent_purposes').set(changes).where('key', '=', key).execute();
    },
    async insertVersion(tx: Executor, row: Insertable<ConsentTables['consent_purpose_versions']>) {
      await tx.insertInto('consent_purpose_versions').values(row).execute();
    },
    versions(tx: Executor, key: string): Promise<PurposeVersionRow[]> {
      return tx
        .selectFrom('consent_purpose_versions')
        .selectAll()
        .where('purpose_key', '=', key)
        .orderBy('version')
        .execute();
    },
    version(tx: Executor, key: string, version: number): Promise<PurposeVersionRow | undefined> {
      return tx
        .selectFrom('consent_purpose_versions')
        .selectAll()
        .where('purpose_key', '=', key)
        .where('version', '=', version)
        .executeTakeFirst();
    },
  };
}

export type PurposeStore = ReturnType<typeof purposeStore>;
