import { type Selectable, type SelectQueryBuilder, sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { AuditTables } from './audit-tables.js';

/** An entry as read back: hashes as hex, encoded by the database (cheaper than bytes and back). */
export type AuditEntryRow = Omit<Selectable<AuditTables['audit_entries']>, 'prev_hash' | 'hash'> & {
  prev_hash: string;
  hash: string;
};
export type AuditCheckpointRow = Selectable<AuditTables['audit_checkpoints']>;

/** What an append writes besides the number and hashes, which the statement itself assigns. */
export type AppendRow = {
  /** Canonical JSON of the content before and after the sequence number (see canonicalEntryParts). */
  canonicalBefore: string;
  canonicalAfter: string;
  at: Date;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  purpose: string | null;
  outcome: string;
  requestId: string | null;
  ipHash: string | null;
  detailsJson: string;
};

export type AuditFilters = {
  actorType?: string | undefined;
  actorId?: string | undefined;
  /** Exact action, or a prefix ending in `.*` (`operator.*`). */
  action?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  outcome?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
};

/** How far the log reaches right now, read in one statement so the three agree. */
export type AuditBounds = { lastEntrySeq: number; lastCheckpointSeq: number; headSeq: number };

type EntryQuery = SelectQueryBuilder<DB, 'audit_entries', object>;

const entryColumns = [
  'seq',
  'at',
  'actor_type',
  'actor_id',
  'action',
  'target_type',
  'target_id',
  'purpose',
  'outcome',
  'request_id',
  'ip_hash',
  'details',
  sql<string>`encode(prev_hash, 'hex')`.as('prev_hash'),
  sql<string>`encode(hash, 'hex')`.as('hash'),
] as const;

function filtered(query: EntryQuery, filters: AuditFilters): EntryQuery {
  let q = query;
  if (filters.actorType) q = q.where('actor_type', '=', filters.actorType);
  if (filters.actorId) q = q.where('actor_id', '=', filters.actorId);
  if (filters.action?.endsWith('.*')) {
    const prefix = filters.action.slice(0, -1).replace(/[\\%_]/g, (char) => `\\${char}`);
    q = q.where('action', 'like', `${prefix}%`);
  } else if (filters.action) {
    q = q.where('action', '=', filters.action);
  }
  if (filters.targetType) q = q.where('target_type', '=', filters.targetType);
  if (filters.targetId) q = q.where('target_id', '=', filters.targetId);
  if (filters.outcome) q = q.where('outcome', '=', filters.outcome);
  if (filters.from) q = q.where('at', '>=', filters.from);
  if (filters.to) q = q.where('at', '<', filters.to);
  return q;
}

export function auditStore() {
  return {
    /**
     * Appends one entry in one statement: takes the head row lock, assigns the next number, computes
     * the chain hash (see chainHash) in the database, inserts the entry and moves the head.
     * Under READ COMMITTED a concurrent append waits for the lock and then re-reads the new head, so the
     * chain stays linear however many writers there are. The new hash comes back (as hex) only for
     * numbers that are a multiple of `hashEvery`, the ones a checkpoint is signed for.
     */
    async append(
      tx: Executor,
      row: AppendRow,
      hashEvery: number,
    ): Promise<{ seq: number; hash: string | null }> {
      const result = await sql<{ seq: number; hash: string | null }>`
        with head as (
          update audit_head
             set seq = seq + 1,
                 prev_hash = hash,
                 hash = sha256(convert_to(encode(hash, 'hex') || ${row.canonicalBefore}::text
                                          || (seq + 1)::text || ${row.canonicalAfter}::text, 'UTF8'))
           where id = 1
           returning seq, prev_hash, hash
        ), entry as (
          insert into audit_entries (seq, at, actor_type, actor_id, action, target_type, target_id, purpose,
                                     outcome, request_id, ip_hash, details, prev_hash, hash)
          select seq, ${row.at}::timestamptz, ${row.actorType}::text, ${row.actorId}::text, ${row.action}::text,
                 ${row.targetType}::text, ${row.targetId}::text, ${row.purpose}::text, ${row.outcome}::text,
                 ${row.requestId}::text, ${row.ipHash}::text, ${row.detailsJson}::jsonb, prev_hash, hash
            from head
        )
        select seq, case when seq % ${hashEvery}::bigint = 0 then encode(hash, 'hex') end as hash
          from head`.execute(tx);
      const appended = result.rows[0];
      if (!appended) throw new Error('The audit head row is missing; the audit migration did not run');
      return appended;
    },

    /**
     * Reserves `count` numbers for a batch: locks the head and moves its number on, returning the first
     * reserved number and the hash to chain from. The caller inserts the batch with `insertChained` in
     * the same transaction, which also moves the head's hash.
     */
    async reserve(tx: Executor, count: number): Promise<{ firstSeq: number; prevHash: string }> {
      const result = await sql<{ seq: number; hash: string }>`
        update audit_head set seq = seq + ${count}::bigint where id = 1
        returning seq, encode(hash, 'hex') as hash`.execute(tx);
      const head = result.rows[0];
      if (!head) throw new Error('The audit head row is missing; the audit migration did not run');
      return { firstSeq: Number(head.seq) - count + 1, prevHash: head.hash };
    },

    /** Inserts entries hashed by the caller (numbers from `reserve`) and moves the head's hashes. */
    async insertChained(
      tx: Executor,
      rows: (Omit<AppendRow, 'canonicalBefore' | 'canonicalAfter'> & {
        seq: number;
        prevHash: string;
        hash: string;
      })[],
    ): Promise<void> {
      const last = rows.at(-1);
      if (!last) return;
      const values = rows.map(
        (
          row,
        ) => sql`(${row.seq}::bigint, ${row.at}::timestamptz, ${row.actorType}::text, ${row.actorId}::text,
          ${row.action}::text, ${row.targetType}::text, ${row.targetId}::text, ${row.purpose}::text,
          ${row.outcome}::text, ${row.requestId}::text, ${row.ipHash}::text, ${row.detailsJson}::jsonb,
          decode(${row.prevHash}::text, 'hex'), decode(${row.hash}::text, 'hex'))`,
      );
      await sql`
        with moved as (
          update audit_head set prev_hash = decode(${last.prevHash}::text, 'hex'), hash = decode(${last.hash}::text, 'hex')
           where id = 1
        )
        insert into audit_entries (seq, at, actor_type, actor_id, action, target_type, target_id, purpose,
                                   outcome, request_id, ip_hash, details, prev_hash, hash)
        values ${sql.join(values)}`.execute(tx);
    },

    async insertCheckpoint(tx: Executor, checkpoint: AuditCheckpointRow): Promise<boolean> {
      const result = await tx
        .insertInto('audit_checkpoints')
        .values(checkpoint)
        .onConflict((conflict) => conflict.column('seq').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async lastCheckpoint(tx: Executor): Promise<AuditCheckpointRow | undefined> {
      return tx
        .selectFrom('audit_checkpoints')
        .selectAll()
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
    },

    async lastEntry(tx: Executor): Promise<{ seq: number; hash: Buffer } | undefined> {
      return tx
        .selectFrom('audit_entries')
        .select(['seq', 'hash'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
    },

    async bounds(tx: Executor): Promise<AuditBounds> {
      const result = await sql<AuditBounds>`
        select coalesce((select max(seq) from audit_entries), 0) as "lastEntrySeq",
               coalesce((select max(seq) from audit_checkpoints), 0) as "lastCheckpointSeq",
               coalesce((select seq from audit_head where id = 1), 0) as "headSeq"`.execute(tx);
      const row = result.rows[0] as AuditBounds;
      return {
        lastEntrySeq: Number(row.lastEntrySeq),
        lastCheckpointSeq: Number(row.lastCheckpointSeq),
        headSeq: Number(row.headSeq),
      };
    },

    /** A page of entries in sequence order after (asc) or before (desc) a sequence number. */
    async entriesPage(
      tx: Executor,
      filters: AuditFilters,
      page: { order: 'asc' | 'desc'; after?: number | undefined; upTo?: number | undefined; limit: number },
    ): Promise<AuditEntryRow[]> {
      let query = filtered(tx.selectFrom('audit_entries'), filters);
      if (page.after !== undefined) query = query.where('seq', page.order === 'asc' ? '>' : '<', page.after);
      if (page.upTo !== undefined) query = query.where('seq', '<=', page.upTo);
      return query.select(entryColumns).orderBy('seq', page.order).limit(page.limit).execute();
    },

    async entry(tx: Executor, seq: number): Promise<AuditEntryRow | undefined> {
      return tx.selectFrom('audit_entries').select(entryColumns).where('seq', '=', seq).executeTakeFirst();
    },

    async count(tx: Executor, filters: AuditFilters, upTo?: number): Promise<number> {
      let query = filtered(tx.selectFrom('audit_entries'), filters);
      if (upTo !== undefined) query = query.where('seq', '<=', upTo);
      const row = await query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirst();
      return Number(row?.count ?? 0);
    },

    async checkpointsPage(
      tx: Executor,
      page: { after: number; upTo: number; limit: number },
    ): Promise<AuditCheckpointRow[]> {
      return tx
        .selectFrom('audit_checkpoints')
        .selectAll()
        .where('seq', '>', page.after)
        .where('seq', '<=', page.upTo)
        .orderBy('seq')
        .limit(page.limit)
        .execute();
    },
  };
}

export type AuditStore = ReturnType<typeof auditStore>;
