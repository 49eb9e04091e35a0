import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../db/database.js';
import { oneTimeCodeStore } from '../../db/one-time-codes.js';
import { closedStates } from './request-lifecycle.js';
import type { RequestTables } from './request-tables.js';
import type { Regime, RequestState, RequestType } from './request-types.js';

export type RequestRow = Selectable<RequestTables['data_subject_requests']>;
export type NewRequestRow = Insertable<RequestTables['data_subject_requests']>;
export type RequestChanges = Updateable<RequestTables['data_subject_requests']>;
export type EventRow = Selectable<RequestTables['request_events']>;
export type NewEventRow = Omit<Insertable<RequestTables['request_events']>, 'details'> & {
  details?: Record<string, unknown>;
};
export type CodeRow = Selectable<RequestTables['request_verification_codes']>;
export type ExportRow = Selectable<RequestTables['request_exports']>;
export type ExportSummary = Omit<ExportRow, 'sealed' | 'token_hash'>;

export type RequestFilters = {
  type?: RequestType | undefined;
  state?: RequestState | undefined;
  regime?: Regime | undefined;
  /** Operator id, or null for unassigned requests. */
  assignee?: string | null | undefined;
  subjectId?: string | undefined;
  /** Open requests whose deadline passed before this instant. */
  overdueAt?: Date | undefined;
  /** Open requests due between `from` (inclusive) and `to` (inclusive). */
  due?: { from: Date; to: Date } | undefined;
};

export type RequestCursor = { dueAt: Date; id: string };

/** SQL for requests, their timeline and their verification codes. */
export function requestStore() {
  return {
    /** Which of these subjects have a request still open (monitoring matches fulfilment reads with them). */
    async subjectsWithOpenRequests(db: Executor, subjectIds: readonly string[]): Promise<Set<string>> {
      if (subjectIds.length === 0) return new Set();
      const rows = await db
        .selectFrom('data_subject_requests')
        .select('subject_id')
        .distinct()
        .where('subject_id', 'in', subjectIds)
        .where('state', 'not in', closedStates)
        .execute();
      return new Set(rows.flatMap((row) => (row.subject_id ? [row.subject_id] : [])));
    },

    ...oneTimeCodeStore('request_verification_codes', 'request_id'),
    async insert(tx: Executor, row: NewRequestRow) {
      await tx.insertInto('data_subject_requests').values(row).execute();
    },
    /** Many new requests in one statement (filings committed together). */
    async insertMany(tx: Executor, rows: NewRequestRow[]) {
      if (rows.length === 0) return;
      await tx.insertInto('data_subject_requests').values(rows).execute();
    },
    find(tx: Executor, id: string): Promise<RequestRow | undefined> {
      return tx.selectFrom('data_subject_requests').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Locks the request for the rest of the transaction, so changes to one request happen one at a time. */
    lock(tx: Executor, id: string): Promise<RequestRow | undefined> {
      return tx
        .selectFrom('data_subject_requests')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
    },
    async update(tx: Executor, id: string, changes: RequestChanges) {
      await tx.updateTable('data_subject_requests').set(changes).where('id', '=', id).execute();
    },
    /** Most urgent first (due date, then id); continues after the cursor. */
    page(
      tx: Executor,
      filters: RequestFilters,
      after: RequestCursor | undefined,
      limit: number,
    ): Promise<RequestRow[]> {
      let query = tx.selectFrom('data_subject_requests').selectAll();
      if (filters.type) query = query.where('type', '=', filters.type);
      if (filters.state) query = query.where('state', '=', filters.state);
      if (filters.regime) query = query.where('regime', '=', filters.regime);
      if (filters.subjectId) query = query.where('subject_id', '=', filters.subjectId);
      if (filters.assignee === null) query = query.where('assignee_id', 'is', null);
      else if (filters.assignee) query = query.where('assignee_id', '=', filters.assignee);
      if (filters.overdueAt || filters.due) query = query.where('state', 'not in', closedStates);
      if (filters.overdueAt) query = query.where('due_at', '<', filters.overdueAt);
      if (filters.due) {
        query = query.where('due_at', '>=', filters.due.from).where('due_at', '<=', filters.due.to);
      }
      if (after) {
        query = query.where(
          (eb) => eb.refTuple('due_at', 'id'),
          '>',
          (eb) => eb.tuple(after.dueAt, after.id),
        );
      }
      return query.orderBy('due_at').orderBy('id').limit(limit).execute();
    },
    /** Open, assigned requests due by `until` (overdue ones included), for the reminder job. */
    assignedOpenDueBy(tx: Executor, until: Date): Promise<RequestRow[]> {
      return tx
        .selectFrom('data_subject_requests')
        .selectAll()
        .where('state', 'not in', closedStates)
        .where('assignee_id', 'is not', null)
        .where('due_at', '<=', until)
        .orderBy('assignee_id')
        .orderBy('due_at')
        .orderBy('id')
        .execute();
    },

    /** Open requests whose deadline passed before `now`, assigned or not, most overdue first. */
    openOverdue(tx: Executor, now: Date): Promise<RequestRow[]> {
      return tx
        .selectFrom('data_subject_requests')
        .selectAll()
        .where('state', 'not in', closedStates)
        .where('due_at', '<', now)
        .orderBy('due_at')
        .orderBy('id')
        .execute();
    },

    async insertEvents(tx: Executor, rows: NewEventRow[]) {
      if (rows.length === 0) return;
      await tx
        .insertInto('request_events')
        .values(rows.map((row) => ({ ...row, details: JSON.stringify(row.details ?? {}) })))
        .execute();
    },
    timeline(tx: Executor, requestId: string): Promise<EventRow[]> {
      return tx
        .selectFrom('request_events')
        .selectAll()
        .where('request_id', '=', requestId)
        .orderBy('seq')
        .execute();
    },

    /** Deletes codes that can no longer be used, a day after they were made (maintenance prune task). */
    async deleteCodesCreatedBefore(tx: Executor, before: Date): Promise<number> {
      const result = await tx
        .deleteFrom('request_verification_codes')
        .where('created_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async insertExports(tx: Executor, rows: Insertable<RequestTables['request_exports']>[]) {
      if (rows.length === 0) return;
      await tx.insertInto('request_exports').values(rows).execute();
    },
    /** A request's exports without their content, newest first. */
    exportsOf(tx: Executor, requestId: string): Promise<ExportSummary[]> {
      return tx
        .selectFrom('request_exports')
        .select([
          'id',
          'request_id',
          'format',
          'size',
          'expires_at',
          'created_at',
          'downloads',
          'last_downloaded_at',
          'erased_at',
        ])
        .where('request_id', '=', requestId)
        .orderBy('created_at', 'desc')
        .orderBy('format')
        .execute();
    },
    findExport(tx: Executor, id: string): Promise<ExportRow | undefined> {
      return tx.selectFrom('request_exports').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async recordDownload(tx: Executor, id: string, at: Date) {
      await tx
        .updateTable('request_exports')
        .set((eb) => ({ downloads: eb('downloads', '+', 1), last_downloaded_at: at }))
        .where('id', '=', id)
        .execute();
    },
    /** Deletes exports past their expiry, content and all (maintenance prune task). */
    async deleteExpiredExports(tx: Executor, now: Date): Promise<number> {
      const result = await tx.deleteFrom('request_exports').where('expires_at', '<', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type RequestStore = ReturnType<typeof requestStore>;
