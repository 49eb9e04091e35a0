import type { Insertable, Selectable } from 'kysely';
import type { Executor } from './database.js';
import type { DB } from './schema.js';

/** The session tables: operators' (with MFA state) and data subjects' privacy center sessions. */
type SessionTable = 'sessions' | 'subject_sessions';

/**
 * The SQL a session table shares whatever its side (insert, touch, revoke, prune), for the session kit's
 * store; each side adds its own `findLive`, which joins the owner it needs.
 */
export function sessionTableStore<T extends SessionTable>(table: T) {
  type Row = Selectable<DB[T]>;
  // Kysely cannot follow a table name that is a type parameter; the queries are typed against the union of
  // the session tables, whose shared columns are the same.
  const sessions = table as SessionTable;
  return {
    async insert(tx: Executor, row: Omit<Row, 'revoked_at'>) {
      await tx
        .insertInto(sessions)
        .values(row as Insertable<DB[SessionTable]>)
        .execute();
    },
    async touch(tx: Executor, id: string, at: Date) {
      await tx.updateTable(sessions).set({ last_seen_at: at }).where('id', '=', id).execute();
    },
    /** True when the session was live and is revoked now. */
    async revoke(tx: Executor, id: string, at: Date): Promise<boolean> {
      const result = await tx
        .updateTable(sessions)
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    /** Deletes sessions that expired or were revoked before `cutoff`. */
    async deleteEnded(tx: Executor, cutoff: Date): Promise<number> {
      const result = await tx
        .deleteFrom(sessions)
        .where((eb) => eb.or([eb('expires_at', '<', cutoff), eb('revoked_at', '<', cutoff)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
