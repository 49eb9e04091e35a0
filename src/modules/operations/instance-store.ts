import type { Executor } from '../../db/database.js';

export type InstanceRow = {
  id: string;
  role: 'serve' | 'worker';
  hostname: string;
  pid: number;
  version: string;
  started_at: Date;
  last_seen_at: Date;
};

export function instanceStore() {
  return {
    async upsert(tx: Executor, row: Omit<InstanceRow, 'started_at' | 'last_seen_at'>, at: Date) {
      await tx
        .insertInto('instances')
        .values({ ...row, started_at: at, last_seen_at: at })
        .onConflict((conflict) => conflict.column('id').doUpdateSet({ last_seen_at: at }))
        .execute();
    },
    async touch(tx: Executor, id: string, at: Date) {
      await tx.updateTable('instances').set({ last_seen_at: at }).where('id', '=', id).execute();
    },
    async remove(tx: Executor, id: string) {
      await tx.deleteFrom('instances').where('id', '=', id).execute();
    },
    async list(tx: Executor): Promise<InstanceRow[]> {
      return tx.selectFrom('instances').selectAll().orderBy('started_at').execute();
    },
    async deleteNotSeenSince(tx: Executor, cutoff: Date): Promise<number> {
      const result = await tx.deleteFrom('instances').where('last_seen_at', '<', cutoff).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type InstanceStore = ReturnType<typeof instanceStore>;
