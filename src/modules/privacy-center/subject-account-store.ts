import type { Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { PrivacyCenterTables } from './privacy-center-tables.js';

export type SubjectAccountRow = Selectable<PrivacyCenterTables['subject_accounts']>;
export type SubjectSessionRow = Selectable<PrivacyCenterTables['subject_sessions']>;

/** SQL for data subjects' privacy center accounts and their sessions. */
export function subjectAccountStore() {
  return {
    async insert(tx: Executor, row: Omit<SubjectAccountRow, 'last_login_at'>) {
      await tx.insertInto('subject_accounts').values(row).execute();
    },
    findByEmailIndex(tx: Executor, emailIndex: Buffer): Promise<SubjectAccountRow | undefined> {
      return tx
        .selectFrom('subject_accounts')
        .selectAll()
        .where('email_index', '=', emailIndex)
        .executeTakeFirst();
    },
    async setLastLogin(tx: Executor, id: string, at: Date, passwordHash?: string) {
      await tx
        .updateTable('subject_accounts')
        .set({ last_login_at: at, updated_at: at, ...(passwordHash ? { password_hash: passwordHash } : {}) })
        .where('id', '=', id)
        .execute();
    },
    /** Deletes the subject's account; its sessions go with it (on delete cascade). */
    async deleteBySubject(tx: Executor, subjectId: string): Promise<number> {
      const result = await tx
        .deleteFrom('subject_accounts')
        .where('subject_id', '=', subjectId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async insertSession(tx: Executor, row: Omit<SubjectSessionRow, 'revoked_at'>) {
      await tx.insertInto('subject_sessions').values(row).execute();
    },
    /** The live session for a token digest with its account's subject, in one query. */
    findLiveSession(
      tx: Executor,
      id: string,
    ): Promise<(SubjectSessionRow & { subject_id: string }) | undefined> {
      return tx
        .selectFrom('subject_sessions')
        .innerJoin('subject_accounts', 'subject_accounts.id', 'subject_sessions.account_id')
        .select([
          'subject_sessions.id',
          'subject_sessions.account_id',
          'subject_sessions.csrf_token',
          'subject_sessions.created_at',
          'subject_sessions.last_seen_at',
          'subject_sessions.expires_at',
          'subject_sessions.revoked_at',
          'subject_accounts.subject_id',
        ])
        .where('subject_sessions.id', '=', id)
        .where('subject_sessions.revoked_at', 'is', null)
        .executeTakeFirst();
    },
    async touchSession(tx: Executor, id: string, at: Date) {
      await tx.updateTable('subject_sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
    },
    async revokeSession(tx: Executor, id: string, at: Date) {
      await tx
        .updateTable('subject_sessions')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    },
    async deleteEndedSessions(tx: Executor, cutoff: Date): Promise<number> {
      const result = await tx
        .deleteFrom('subject_sessions')
        .where((eb) => eb.or([eb('expires_at', '<', cutoff), eb('revoked_at', '<', cutoff)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type SubjectAccountStore = ReturnType<typeof subjectAccountStore>;
