import type { Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import { oneTimeCodeStore } from '../../db/one-time-codes.js';
import { sessionTableStore } from '../../db/session-tables.js';
import type { PrivacyCenterTables } from './privacy-center-tables.js';

export type SubjectAccountRow = Selectable<PrivacyCenterTables['subject_accounts']>;
export type SubjectSessionRow = Selectable<PrivacyCenterTables['subject_sessions']>;
export type AccountCodeRow = Selectable<PrivacyCenterTables['subject_account_codes']>;

/** SQL for data subjects' privacy center accounts and their e-mail confirmation codes. */
export function subjectAccountStore() {
  return {
    ...oneTimeCodeStore('subject_account_codes', 'account_id'),
    async insert(
      tx: Executor,
      row: Omit<SubjectAccountRow, 'last_login_at' | 'verified_at' | 'notified_at'>,
    ) {
      const pending = row.pending_consents ? JSON.stringify(row.pending_consents) : null;
      await tx
        .insertInto('subject_accounts')
        .values({ ...row, pending_consents: pending })
        .execute();
    },
    findByEmailIndex(tx: Executor, emailIndex: Buffer): Promise<SubjectAccountRow | undefined> {
      return tx
        .selectFrom('subject_accounts')
        .selectAll()
        .where('email_index', '=', emailIndex)
        .executeTakeFirst();
    },
    lockByEmailIndex(tx: Executor, emailIndex: Buffer): Promise<SubjectAccountRow | undefined> {
      return tx
        .selectFrom('subject_accounts')
        .selectAll()
        .where('email_index', '=', emailIndex)
        .forUpdate()
        .executeTakeFirst();
    },
    /** Confirms the address: the account becomes active and loses its deadline and held consent choices. */
    async activate(tx: Executor, id: string, at: Date) {
      await tx
        .updateTable('subject_accounts')
        .set({ status: 'active', verify_by: null, verified_at: at, pending_consents: null, updated_at: at })
        .where('id', '=', id)
        .where('status', '=', 'pending_verification')
        .execute();
    },
    /**
     * Claims the right to send a "you already have an account" notice: true (and the time recorded) when
     * none went out since `since`.
     */
    async claimNotice(tx: Executor, id: string, at: Date, since: Date): Promise<boolean> {
      const result = await tx
        .updateTable('subject_accounts')
        .set({ notified_at: at })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('notified_at', 'is', null), eb('notified_at', '<', since)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    /** Unverified registrations past their deadline, oldest first. */
    duePending(
      tx: Executor,
      now: Date,
      limit: number,
    ): Promise<Pick<SubjectAccountRow, 'id' | 'subject_id'>[]> {
      return tx
        .selectFrom('subject_accounts')
        .select(['id', 'subject_id'])
        .where('status', '=', 'pending_verification')
        .where('verify_by', '<=', now)
        .orderBy('verify_by')
        .limit(limit)
        .execute();
    },
    /** One due unverified registration, locked; nothing when verified meanwhile or taken by another worker. */
    lockDuePending(tx: Executor, id: string, now: Date): Promise<SubjectAccountRow | undefined> {
      return tx
        .selectFrom('subject_accounts')
        .selectAll()
        .where('id', '=', id)
        .where('status', '=', 'pending_verification')
        .where('verify_by', '<=', now)
        .forUpdate()
        .skipLocked()
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

    /** A verified account needs its codes no more. */
    async deleteCodes(tx: Executor, accountId: string) {
      await tx.deleteFrom('subject_account_codes').where('account_id', '=', accountId).execute();
    },
  };
}

export type SubjectAccountStore = ReturnType<typeof subjectAccountStore>;

/** SQL for data subjects' privacy center sessions (the session kit's store). */
export function subjectSessionStore() {
  return {
    ...sessionTableStore('subject_sessions'),
    /** The live session for a token digest with its account's subject, in one query. */
    findLive(
      tx: Executor,
      id: string,
    ): Promise<(SubjectSessionRow & { subject_id: string; verified_at: Date | null }) | undefined> {
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
          'subject_accounts.verified_at',
        ])
        .where('subject_sessions.id', '=', id)
        .where('subject_sessions.revoked_at', 'is', null)
        .executeTakeFirst();
    },
  };
}

export type SubjectSessionStore = ReturnType<typeof subjectSessionStore>;
