import { type Selectable, sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { AccessTables } from './access-tables.js';

export type ApiKeyRow = Selectable<AccessTables['api_keys']>;

/** SQL for API keys. */
export function apiKeyStore() {
  return {
    async insert(
      tx: Executor,
      row: Omit<ApiKeyRow, 'created_at' | 'last_used_at' | 'revoked_at'> & { created_at: Date },
    ) {
      await tx.insertInto('api_keys').values(row).execute();
    },
    findByPrefix(tx: Executor, prefix: string): Promise<ApiKeyRow | undefined> {
      return tx.selectFrom('api_keys').selectAll().where('prefix', '=', prefix).executeTakeFirst();
    },
    findById(tx: Executor, id: string): Promise<ApiKeyRow | undefined> {
      return tx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    },
    list(tx: Executor): Promise<ApiKeyRow[]> {
      return tx.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc').orderBy('id').execute();
    },
    async markUsed(tx: Executor, id: string, at: Date) {
      await tx.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
    },
    async announceRevocation(tx: Executor, channel: string, prefix: string) {
      await sql`select pg_notify(${channel}, ${prefix})`.execute(tx);
    },
    async revoke(tx: Executor, id: string, at: Date): Promise<boolean> {
      const result = await tx
        .updateTable('api_keys')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type ApiKeyStore = ReturnType<typeof apiKeyStore>;
