import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { AuditCut } from './audit-cut.js';
import type { CheckpointHead } from './audit-entry.js';
import { type AuditClass, type AuditRetention, auditClassSql, auditPeriodSql } from './audit-retention.js';
import type { AuditEntryRow } from './audit-store.js';
import { auditStore } from './audit-store.js';

/** The positions of one chain a cut archives: after `from`, up to and including `upTo`. */
export type ChainRange = { chain: number; from: number; upTo: number };

type CutRow = {
  cut_seq: string;
  at: Date;
  prev_hash: string;
  hash: string;
  key_id: string;
  signature: Buffer;
  heads: CheckpointHead[];
  checkpoint_seq: string;
  entries: string;
  retention: Record<string, string>;
};

function toCut(row: CutRow): AuditCut {
  return {
    cutSeq: Number(row.cut_seq),
    prevHash: row.prev_hash,
    at: row.at.toISOString(),
    keyId: row.key_id,
    heads: (Array.isArray(row.heads) ? row.heads : []).map((head) => ({
      chain: Number(head?.chain),
      chainSeq: Number(head?.chainSeq),
      seq: Number(head?.seq),
      hash: String(head?.hash),
    })),
    checkpointSeq: Number(row.checkpoint_seq),
    entries: Number(row.entries),
    retention: row.retention ?? {},
    hash: row.hash,
    signature: row.signature.toString('base64url'),
  };
}

const cutColumns = sql`cut_seq, at, encode(prev_hash, 'hex') as prev_hash, encode(hash, 'hex') as hash, key_id,
  signature, heads, checkpoint_seq, entries, retention`;

function rangesValues(ranges: readonly ChainRange[]) {
  return sql`(values ${sql.join(ranges.map((range) => sql`(${range.chain}::smallint, ${range.from}::bigint, ${range.upTo}::bigint)`))}) as r(chain, after_pos, up_to)`;
}

/** SQL of the audit log's cuts and of pruning: what each chain may lose, reading and deleting it. */
export function auditCutStore() {
  const entries = auditStore();
  return {
    /** Every cut, oldest first (one a day at most: a few thousand over a decade). */
    async cuts(tx: Executor): Promise<AuditCut[]> {
      const result = await sql<CutRow>`select ${cutColumns} from audit_cuts order by cut_seq`.execute(tx);
      return result.rows.map(toCut);
    },

    async lastCut(tx: Executor): Promise<AuditCut | undefined> {
      const result =
        await sql<CutRow>`select ${cutColumns} from audit_cuts order by cut_seq desc limit 1`.execute(tx);
      return result.rows[0] ? toCut(result.rows[0]) : undefined;
    },

    /** One pruner at a time: held until the transaction ends (the lock conflicts with itself). */
    async lockForPruning(tx: Executor): Promise<void> {
      await sql`lock table audit_cuts in share row exclusive mode`.execute(tx);
    },

    /**
     * How far each chain may be cut: the position before its first entry (after `from`, up to `signed`)
     * whose class's period has not passed at `now` (end of day, UTC, as retentionEnd), else `signed`;
     * at most `maxPerChain` positions past `from`.
     */
    async cutPositions(
      tx: Executor,
      chains: readonly { chain: number; from: number; signed: number }[],
      retention: AuditRetention,
      now: Date,
      maxPerChain: number,
    ): Promise<ChainRange[]> {
      if (chains.length === 0) return [];
      const values = sql.join(
        chains.map((c) => sql`(${c.chain}::smallint, ${c.from}::bigint, ${c.signed}::bigint)`),
      );
      const result = await sql<{ chain: number; from: string; up_to: string }>`
        select h.chain, h.after_pos as from, least(h.signed, h.after_pos + ${maxPerChain}::bigint,
          coalesce((select min(e.chain_seq) - 1 from audit_entries e
                     where e.chain = h.chain and e.chain_seq > h.after_pos and e.chain_seq <= h.signed
                       and ((e.at at time zone 'UTC') + ${auditPeriodSql(retention)})::date
                           >= (${now}::timestamptz at time zone 'UTC')::date), h.signed)) as up_to
          from (values ${values}) as h(chain, after_pos, signed)`.execute(tx);
      return result.rows.map((row) => ({
        chain: row.chain,
        from: Number(row.from),
        upTo: Number(row.up_to),
      }));
    },

    /** How many entries of each class lie in the ranges. */
    async countByClass(
      tx: Executor,
      ranges: readonly ChainRange[],
    ): Promise<Partial<Record<AuditClass, number>>> {
      if (ranges.length === 0) return {};
      const result = await sql<{ class: AuditClass; count: string }>`
        select ${auditClassSql()} as class, count(*) as count
          from audit_entries e join ${rangesValues(ranges)}
            on e.chain = r.chain and e.chain_seq > r.after_pos and e.chain_seq <= r.up_to
         group by 1`.execute(tx);
      return Object.fromEntries(result.rows.map((row) => [row.class, Number(row.count)]));
    },

    /** The entries in the ranges with a number above `after`, in number order, a page at a time. */
    async entriesIn(
      tx: Executor,
      ranges: readonly ChainRange[],
      after: number,
      limit: number,
    ): Promise<AuditEntryRow[]> {
      return entries.entriesWhere(
        tx,
        sql`exists (select 1 from ${rangesValues(ranges)}
        where r.chain = audit_entries.chain and audit_entries.chain_seq > r.after_pos
          and audit_entries.chain_seq <= r.up_to)`,
        after,
        limit,
      );
    },

    async insertCut(tx: Executor, cut: AuditCut): Promise<void> {
      await sql`insert into audit_cuts (cut_seq, at, prev_hash, hash, key_id, signature, heads, checkpoint_seq,
                                        entries, retention)
        values (${cut.cutSeq}, ${new Date(cut.at)}, decode(${cut.prevHash}, 'hex'), decode(${cut.hash}, 'hex'),
                ${cut.keyId}, ${Buffer.from(cut.signature, 'base64url')}, ${JSON.stringify(cut.heads)}::jsonb,
                ${cut.checkpointSeq}, ${cut.entries}, ${JSON.stringify(cut.retention)}::jsonb)`.execute(tx);
    },

    /**
     * Deletes the archived entries: the delete trigger lets them go only with the cut named in the
     * transaction (`custos.audit_cut`) and only at positions that cut covers.
     */
    async deleteArchived(tx: Executor, cutSeq: number, ranges: readonly ChainRange[]): Promise<number> {
      await sql`select set_config('custos.audit_cut', ${String(cutSeq)}, true)`.execute(tx);
      const result = await sql`delete from audit_entries e using ${rangesValues(ranges)}
        where e.chain = r.chain and e.chain_seq <= r.up_to`.execute(tx);
      await sql`select set_config('custos.audit_cut', '', true)`.execute(tx);
      return Number(result.numAffectedRows ?? 0);
    },
  };
}

export type AuditCutStore = ReturnType<typeof auditCutStore>;
