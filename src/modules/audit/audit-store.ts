import {
  type Insertable,
  type OperationNodeSource,
  type RawBuilder,
  type Selectable,
  type SelectQueryBuilder,
  sql,
} from 'kysely';
import { type Executor, preparedMark } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { AuditTables } from './audit-tables.js';
import type { ChainHead } from './audit-verify.js';

/** An entry as read back: hashes as hex, encoded by the database (cheaper than bytes and back). */
export type AuditEntryRow = Omit<Selectable<AuditTables['audit_entries']>, 'prev_hash' | 'hash'> & {
  prev_hash: string;
  hash: string;
};
export type AuditCheckpointRow = Selectable<AuditTables['audit_checkpoints']>;
export type NewCheckpointRow = Insertable<AuditTables['audit_checkpoints']>;

/** A chain's head as a checkpoint reads it, its hash as hex. */
export type HeadRow = { chain: number; seq: number; chainSeq: number; hash: string };

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

/** How far the log reaches right now: the newest entry and checkpoint, and the head of every chain. */
export type AuditBounds = { lastEntrySeq: number; lastCheckpointSeq: number; heads: ChainHead[] };

export type AppendedEntry = { chain: number; seq: number; chainSeq: number; hash: string | null };

/**
 * Which chain a batch takes: `free`, the first no other transaction holds (none when all are held), or
 * `any`, one at random, waiting for it.
 */
/** A chain nobody holds; any chain (waiting for it); or the chain this transaction holds already. */
export type ChainPick = { kind: 'free' } | { kind: 'any' } | { kind: 'held'; chain: number };

/**
 * Locks the picked chain's head and reads it in the same step. The locking read returns the head as the
 * last transaction to hold it committed it; a separate read in the same statement would see it as of the
 * statement's start, stale when that transaction committed in between (and two batches would then link
 * to the same position).
 */
function pickChain(pick: ChainPick) {
  const columns = sql`chain, chain_seq, hash`;
  switch (pick.kind) {
    case 'free':
      return sql`select ${columns} from audit_head order by chain limit 1 for update skip locked`;
    case 'any':
      return sql`select ${columns} from audit_head order by random() limit 1 for update`;
    case 'held':
      return sql`select ${columns} from audit_head where chain = ${pick.chain}::smallint for update`;
  }
}

type EntryQuery = SelectQueryBuilder<DB, 'audit_entries', object>;

const entryColumns = [
  'seq',
  'chain',
  'chain_seq',
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
     * Appends one entry with the `audit_append` function (migration 0006): it takes `chain` when given
     * (the one the transaction holds), else a chain no other transaction holds, else waits for one; takes
     * the next global number, computes the chain hash (see chainHash) in the database, inserts the entry
     * and moves the head. The chain stays locked until the caller's transaction ends, so each chain is
     * linear; other transactions append to other chains meanwhile. The new hash comes back (as hex) only
     * at positions that are a multiple of `hashEvery`, the ones a checkpoint is signed for.
     */
    async append(
      tx: Executor,
      row: AppendRow,
      chain: number | undefined,
      hashEvery: number,
      writes: readonly OperationNodeSource[] = [],
      guard?: OperationNodeSource,
    ): Promise<AppendedEntry | undefined> {
      // The caller's own writes, if any, go along as data-modifying CTEs: one round trip for both. A
      // guard runs first as `append_guard`; with no row from it, nothing is appended (and writes that
      // select from it write nothing either).
      const ctes = [
        ...(guard ? [sql`append_guard as (${guard})`] : []),
        ...writes.map((write, index) => sql`${sql.ref(`write_${index}`)} as (${write})`),
      ];
      const prelude = ctes.length === 0 ? sql`` : sql`with ${sql.join(ctes)} `;
      const from = guard ? sql`append_guard cross join lateral ` : sql``;
      const result = await sql<AppendedEntry>`${sql.raw(preparedMark)}
        ${prelude}select appended.chain, appended.seq, appended.chain_seq as "chainSeq", appended.hash
          from ${from}audit_append(${chain ?? null}::smallint, ${row.canonicalBefore}::text, ${row.canonicalAfter}::text,
                            ${row.at}::timestamptz, ${row.actorType}::text, ${row.actorId}::text,
                            ${row.action}::text, ${row.targetType}::text, ${row.targetId}::text,
                            ${row.purpose}::text, ${row.outcome}::text, ${row.requestId}::text,
                            ${row.ipHash}::text, ${row.detailsJson}::jsonb, ${hashEvery}::bigint) as appended`.execute(
        tx,
      );
      const appended = result.rows[0];
      if (!appended) {
        if (guard) return undefined;
        throw new Error('audit_append returned no row; the audit migrations did not run');
      }
      return { ...appended, seq: Number(appended.seq), chainSeq: Number(appended.chainSeq) };
    },

    /**
     * Appends one entry for each row `guard` returns (its `id` column names the entry's `key`), in one
     * statement with the guard and `writes` (see `append`): one chain is taken for all of them (`chain`,
     * the one the transaction holds, else a free one, else any, waiting), then `audit_append` links the
     * entries one after another in `rows` order. Entries whose key the guard did not return are not
     * appended. One round trip for a batch of changes and their entries; committed on its own when `tx`
     * is the database.
     */
    async appendEach(
      tx: Executor,
      rows: readonly (AppendRow & { key: string })[],
      chain: number | undefined,
      hashEvery: number,
      guard: OperationNodeSource,
      writes: readonly OperationNodeSource[] = [],
    ): Promise<(AppendedEntry & { key: string })[]> {
      const ctes = [
        sql`append_guard as (${guard})`,
        ...writes.map((write, index) => sql`${sql.ref(`write_${index}`)} as (${write})`),
      ];
      const column = <T>(pick: (row: AppendRow & { key: string }) => T) => rows.map(pick);
      const result = await sql<AppendedEntry & { key: string }>`
        with ${sql.join(ctes)},
        picked as materialized (
          select coalesce(${chain ?? null}::smallint,
                          (select chain from audit_head order by chain limit 1 for update skip locked),
                          (select chain from audit_head order by random() limit 1 for update)) as chain
        ),
        given as (
          select e.* from unnest(${column((row) => row.key)}::text[],
                                 ${column((row) => row.canonicalBefore)}::text[],
                                 ${column((row) => row.canonicalAfter)}::text[],
                                 ${column((row) => row.at.toISOString())}::timestamptz[],
                                 ${column((row) => row.actorType)}::text[], ${column((row) => row.actorId)}::text[],
                                 ${column((row) => row.action)}::text[], ${column((row) => row.targetType)}::text[],
                                 ${column((row) => row.targetId)}::text[], ${column((row) => row.purpose)}::text[],
                                 ${column((row) => row.outcome)}::text[], ${column((row) => row.requestId)}::text[],
                                 ${column((row) => row.ipHash)}::text[], ${column((row) => row.detailsJson)}::text[])
                 with ordinality
                 as e (key, before, after, at, actor_type, actor_id, action, target_type, target_id, purpose,
                       outcome, request_id, ip_hash, details, ord)
           where e.key in (select id from append_guard)
           order by e.ord
        )
        select e.key, appended.chain, appended.seq, appended.chain_seq as "chainSeq", appended.hash
          from given e cross join picked
          cross join lateral audit_append(picked.chain, e.before, e.after, e.at, e.actor_type, e.actor_id,
                                          e.action, e.target_type, e.target_id, e.purpose, e.outcome,
                                          e.request_id, e.ip_hash, e.details::jsonb, ${hashEvery}::bigint)
                     as appended`.execute(tx);
      return result.rows.map((row) => ({ ...row, seq: Number(row.seq), chainSeq: Number(row.chainSeq) }));
    },

    /**
     * Reserves `count` entries for a batch: locks a chain's head (see `pickChain`) and takes as many global
     * numbers, returning them with the chain's last position and hash to link from. Nothing when `pick`
     * is `free` and every chain is locked. The caller links the batch and writes it with `insertChained`
     * in the same transaction, which also moves the head.
     */
    async reserve(
      tx: Executor,
      count: number,
      pick: ChainPick,
    ): Promise<{ chain: number; chainSeq: number; prevHash: string; seqs: number[] } | undefined> {
      const result = await sql<{
        chain: number;
        chain_seq: number;
        hash: string;
        seqs: number[];
      }>`${sql.raw(preparedMark)}
        with picked as materialized (${pickChain(pick)})
        select chain, chain_seq, encode(hash, 'hex') as hash,
               array(select nextval('audit_entries_seq') from generate_series(1, ${count}::int)) as seqs
          from picked`.execute(tx);
      const head = result.rows[0];
      if (!head) return undefined;
      return {
        chain: head.chain,
        chainSeq: Number(head.chain_seq),
        prevHash: head.hash,
        seqs: head.seqs.map(Number).sort((a, b) => a - b),
      };
    },

    /** Inserts entries linked by the caller (from `reserve`) and moves their chain's head to the last. */
    async insertChained(
      tx: Executor,
      rows: (Omit<AppendRow, 'canonicalBefore' | 'canonicalAfter'> & {
        seq: number;
        chain: number;
        chainSeq: number;
        prevHash: string;
        hash: string;
      })[],
    ): Promise<void> {
      const last = rows.at(-1);
      if (!last) return;
      const values = rows.map(
        (row) => sql`(${row.seq}::bigint, ${row.chain}::smallint, ${row.chainSeq}::bigint,
          ${row.at}::timestamptz, ${row.actorType}::text, ${row.actorId}::text,
          ${row.action}::text, ${row.targetType}::text, ${row.targetId}::text, ${row.purpose}::text,
          ${row.outcome}::text, ${row.requestId}::text, ${row.ipHash}::text, ${row.detailsJson}::jsonb,
          decode(${row.prevHash}::text, 'hex'), decode(${row.hash}::text, 'hex'))`,
      );
      await sql`
        with moved as (
          update audit_head
             set seq = ${last.seq}::bigint, chain_seq = ${last.chainSeq}::bigint,
                 prev_hash = decode(${last.prevHash}::text, 'hex'), hash = decode(${last.hash}::text, 'hex')
           where chain = ${last.chain}::smallint
        )
        insert into audit_entries (seq, chain, chain_seq, at, actor_type, actor_id, action, target_type,
                                   target_id, purpose, outcome, request_id, ip_hash, details, prev_hash, hash)
        values ${sql.join(values)}`.execute(tx);
    },

    async insertCheckpoint(tx: Executor, checkpoint: NewCheckpointRow): Promise<void> {
      await tx.insertInto('audit_checkpoints').values(checkpoint).execute();
    },

    /** The newest checkpoint of either format, and the newest chained one (the next links to it). */
    async lastCheckpoints(
      tx: Executor,
    ): Promise<{ last: AuditCheckpointRow | undefined; chained: AuditCheckpointRow | undefined }> {
      const [last, chained] = await Promise.all([
        tx.selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst(),
        tx
          .selectFrom('audit_checkpoints')
          .selectAll()
          .where('checkpoint_seq', 'is not', null)
          .orderBy('checkpoint_seq', 'desc')
          .limit(1)
          .executeTakeFirst(),
      ]);
      return { last, chained };
    },

    /**
     * Locks every chain's head, in chain order, and reads them: waits for the transactions appending now
     * to commit, and holds off new appends until the caller's transaction ends. So a checkpoint signed in
     * that transaction covers exactly the entries numbered up to its newest head: every number below was
     * taken under a head lock by a transaction that has now ended, every later one is taken after.
     */
    async lockHeads(tx: Executor): Promise<HeadRow[]> {
      const result = await sql<{ chain: number; seq: string; chain_seq: string; hash: string }>`
        select chain, seq, chain_seq, encode(hash, 'hex') as hash
          from audit_head order by chain for update`.execute(tx);
      return result.rows.map((row) => ({
        chain: row.chain,
        seq: Number(row.seq),
        chainSeq: Number(row.chain_seq),
        hash: row.hash,
      }));
    },

    /**
     * Reserves one entry on a chain whose head is sound: no entry lies beyond it (a row written around
     * the append path would take the next position) and none of `avoid`; with a global number no row has.
     * For records that must land even on a tampered log (the outcome of its verification).
     */
    async reserveClear(
      tx: Executor,
      avoid: readonly number[],
    ): Promise<{ chain: number; chainSeq: number; prevHash: string; seqs: number[] } | undefined> {
      const result = await sql<{ chain: number; chain_seq: string; hash: string }>`
        select h.chain, h.chain_seq, encode(h.hash, 'hex') as hash
          from audit_head h
         where h.chain <> all(${sql.val([...avoid])}::smallint[])
           and not exists (select 1 from audit_entries e where e.chain = h.chain and e.chain_seq > h.chain_seq)
         order by h.chain limit 1 for update`.execute(tx);
      const head = result.rows[0];
      if (!head) return undefined;
      // A number taken by a row written around the sequence is skipped, as a rolled-back append's is.
      for (let attempt = 0; attempt < 64; attempt += 1) {
        const taken = await sql<{ seq: string; taken: boolean }>`
          select next.seq, exists (select 1 from audit_entries e where e.seq = next.seq) as taken
            from (select nextval('audit_entries_seq') as seq) next`.execute(tx);
        const row = taken.rows[0];
        if (row && !row.taken) {
          return {
            chain: head.chain,
            chainSeq: Number(head.chain_seq),
            prevHash: head.hash,
            seqs: [Number(row.seq)],
          };
        }
      }
      return undefined;
    },

    /** How far the log reaches right now, read in one statement so all of it agrees. */
    async bounds(tx: Executor): Promise<AuditBounds> {
      const result = await sql<{ lastEntrySeq: number; lastCheckpointSeq: number; heads: ChainHead[] }>`
        select coalesce((select max(seq) from audit_entries), 0) as "lastEntrySeq",
               coalesce((select max(seq) from audit_checkpoints), 0) as "lastCheckpointSeq",
               coalesce((select json_agg(json_build_object('chain', chain, 'seq', seq, 'chainSeq', chain_seq)
                                         order by chain)
                           from audit_head), '[]') as heads`.execute(tx);
      const row = result.rows[0] as { lastEntrySeq: number; lastCheckpointSeq: number; heads: ChainHead[] };
      return {
        lastEntrySeq: Number(row.lastEntrySeq),
        lastCheckpointSeq: Number(row.lastCheckpointSeq),
        heads: row.heads.map((head) => ({
          chain: Number(head.chain),
          seq: Number(head.seq),
          chainSeq: Number(head.chainSeq),
        })),
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

    /** Entries matching an SQL condition with a number above `after`, in number order (for pruning). */
    async entriesWhere(
      tx: Executor,
      condition: RawBuilder<unknown>,
      after: number,
      limit: number,
    ): Promise<AuditEntryRow[]> {
      return tx
        .selectFrom('audit_entries')
        .select(entryColumns)
        .where(condition as RawBuilder<boolean>)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(limit)
        .execute();
    },

    /**
     * The `collection.field` names successful reads named since `since`: the `fields` list of a read
     * (`vault.record.read`, and any action whose details list fields read) and the `field` of a
     * detokenization.
     */
    async fieldsReadSince(tx: Executor, since: Date, actions: readonly string[]): Promise<string[]> {
      const result = await sql<{ field: string }>`
        select distinct field from (
          select jsonb_array_elements_text(details -> 'fields') as field
            from audit_entries
           where at >= ${since} and outcome = 'success' and action = any(${sql.val([...actions])}::text[])
             and jsonb_typeof(details -> 'fields') = 'array'
          union all
          select details ->> 'field' as field
            from audit_entries
           where at >= ${since} and outcome = 'success' and action = any(${sql.val([...actions])}::text[])
             and jsonb_typeof(details -> 'field') = 'string'
        ) named`.execute(tx);
      return result.rows.map((row) => row.field);
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

    /** Chained checkpoints after number `after`, in order. */
    async chainedCheckpointsAfter(tx: Executor, after: number, limit: number): Promise<AuditCheckpointRow[]> {
      return tx
        .selectFrom('audit_checkpoints')
        .selectAll()
        .where('checkpoint_seq', '>', after)
        .orderBy('checkpoint_seq')
        .limit(limit)
        .execute();
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
