import type { Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import { sessionTableStore } from '../../db/session-tables.js';
import type { AccessTables } from './access-tables.js';
import type { OperatorRow } from './operator-store.js';

export type SessionRow = Selectable<AccessTables['sessions']>;

/** SQL for operator sessions and login throttling. */
export function sessionStore() {
  return {
    ...sessionTableStore('sessions'),
    /** The live session for a token digest together with its operator, in one query. */
    findLive(
      tx: Executor,
      id: string,
    ): Promise<
      (SessionRow & { operator: Pick<OperatorRow, 'status' | 'roles' | 'mfa_enabled'> }) | undefined
    > {
      return tx
        .selectFrom('sessions')
        .innerJoin('operators', 'operators.id', 'sessions.operator_id')
        .select([
          'sessions.id',
          'sessions.operator_id',
          'sessions.csrf_token',
          'sessions.mfa_satisfied',
          'sessions.mfa_verified_at',
          'sessions.created_at',
          'sessions.last_seen_at',
          'sessions.expires_at',
          'sessions.revoked_at',
          'operators.status',
          'operators.roles',
          'operators.mfa_enabled',
        ])
        .where('sessions.id', '=', id)
        .where('sessions.revoked_at', 'is', null)
        .executeTakeFirst()
        .then((row) =>
          row
            ? {
                id: row.id,
                operator_id: row.operator_id,
                csrf_token: row.csrf_token,
                mfa_satisfied: row.mfa_satisfied,
                mfa_verified_at: row.mfa_verified_at,
                created_at: row.created_at,
                last_seen_at: row.last_seen_at,
                expires_at: row.expires_at,
                revoked_at: row.revoked_at,
                operator: { status: row.status, roles: row.roles, mfa_enabled: row.mfa_enabled },
              }
            : undefined,
        );
    },
    async revokeAllOf(tx: Executor, operatorId: string, at: Date, except?: string): Promise<number> {
      let query = tx
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('operator_id', '=', operatorId)
        .where('revoked_at', 'is', null);
      if (except) query = query.where('id', '!=', except);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    findThrottle(tx: Executor, key: string) {
      return tx.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
    },
    async saveThrottle(
      tx: Executor,
      row: { key: string; failures: number; window_started_at: Date; blocked_until: Date | null },
    ) {
      await tx
        .insertInto('login_throttle')
        .values(row)
        .onConflict((conflict) =>
          conflict.column('key').doUpdateSet({
            failures: row.failures,
            window_started_at: row.window_started_at,
            blocked_until: row.blocked_until,
          }),
        )
        .execute();
    },
    async clearThrottle(tx: Executor, key: string) {
      await tx.deleteFrom('login_throttle').where('key', '=', key).execute();
    },
    async deleteStaleThrottles(tx: Executor, cutoff: Date): Promise<number> {
      const result = await tx
        .deleteFrom('login_throttle')
        .where('window_started_at', '<', cutoff)
        .where((eb) => eb.or([eb('blocked_until', 'is', null), eb('blocked_until', '<', cutoff)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type SessionStore = ReturnType<typeof sessionStore>;
