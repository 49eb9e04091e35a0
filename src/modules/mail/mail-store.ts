import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { MailStatus, MailTables } from './mail-tables.js';

export type MailRow = Selectable<MailTables['mail_outbox']>;

/** SQL for the mail outbox. */
export function mailStore() {
  return {
    async insert(tx: Executor, row: Insertable<MailTables['mail_outbox']>) {
      await tx.insertInto('mail_outbox').values(row).execute();
    },
    find(tx: Executor, id: string): Promise<MailRow | undefined> {
      return tx.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Newest first; continues after (createdAt, id) of the previous page. */
    page(
      tx: Executor,
      filters: { status?: MailStatus | undefined; kind?: string | undefined },
      after: { createdAt: Date; id: string } | undefined,
      limit: number,
    ): Promise<MailRow[]> {
      let query = tx.selectFrom('mail_outbox').selectAll();
      if (filters.status) query = query.where('status', '=', filters.status);
      if (filters.kind) query = query.where('kind', '=', filters.kind);
      if (after) {
        query = query.where(
          (eb) => eb.refTuple('created_at', 'id'),
          '<',
          (eb) => eb.tuple(after.createdAt, after.id),
        );
      }
      return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },
    /** Marks a message delivered and deletes its content. */
    async markSent(tx: Executor, id: string, at: Date) {
      await tx
        .updateTable('mail_outbox')
        .set((eb) => ({ status: 'sent', sealed: null, sent_at: at, attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id)
        .execute();
    },
    async recordFailure(tx: Executor, id: string, errorCode: string, status: 'queued' | 'failed') {
      await tx
        .updateTable('mail_outbox')
        .set((eb) => ({ status, last_error: errorCode, attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id)
        .execute();
    },
    async hold(tx: Executor, id: string) {
      await tx.updateTable('mail_outbox').set({ status: 'held' }).where('id', '=', id).execute();
    },
    /**
     * Removes the content of undelivered messages about any of `references` (status `erased`), except
     * messages of the kinds in `keep`; returns how many.
     */
    async eraseContentAbout(
      tx: Executor,
      references: readonly { type: string; id: string }[],
      keep: readonly string[],
    ): Promise<number> {
      if (references.length === 0) return 0;
      let query = tx
        .updateTable('mail_outbox')
        .set({ status: 'erased', sealed: null })
        .where('sealed', 'is not', null)
        .where((eb) =>
          eb.or(
            references.map((reference) =>
              eb.and([eb('reference_type', '=', reference.type), eb('reference_id', '=', reference.id)]),
            ),
          ),
        );
      if (keep.length > 0) query = query.where('kind', 'not in', [...keep]);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    /** Deletes every message (delivered or not) created before `before`; returns how many. */
    async deleteCreatedBefore(tx: Executor, before: Date): Promise<number> {
      const result = await tx.deleteFrom('mail_outbox').where('created_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type MailStore = ReturnType<typeof mailStore>;
