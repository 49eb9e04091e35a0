import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { AuditCheckpoint, AuditEntryRecord } from './audit-entry.js';
import type {
  AuditBounds,
  AuditCheckpointRow,
  AuditEntryRow,
  AuditFilters,
  AuditStore,
  NewCheckpointRow,
} from './audit-store.js';
import type { AuditLogItem } from './audit-verify.js';

export function toRecord(row: AuditEntryRow): AuditEntryRecord {
  const { kind: _kind, ...record } = toEntryItem(row);
  return record;
}

/**
 * A row as the verifier and the exports take it. Written as one object literal, `kind` included: an
 * object made by spreading another is slower to read field by field, and verification reads every field
 * of every entry.
 */
function toEntryItem(row: AuditEntryRow): { kind: 'entry' } & AuditEntryRecord {
  return {
    kind: 'entry',
    seq: Number(row.seq),
    chain: row.chain,
    chainSeq: Number(row.chain_seq),
    at: row.at.toISOString(),
    actor: { type: row.actor_type as AuditEntryRecord['actor']['type'], id: row.actor_id },
    action: row.action,
    target: row.target_type !== null ? { type: row.target_type, id: row.target_id ?? '' } : null,
    purpose: row.purpose,
    outcome: row.outcome as AuditEntryRecord['outcome'],
    requestId: row.request_id,
    ipHash: row.ip_hash,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * A checkpoint row as exported and verified. The row is read as written by anyone with access to the
 * table: what a chained checkpoint signs is passed on as found (the signature check catches a change),
 * only shaped so that the verifier can read it.
 */
export function toCheckpoint(row: AuditCheckpointRow): AuditCheckpoint {
  const single = {
    seq: Number(row.seq),
    hash: row.hash.toString('hex'),
    at: row.at.toISOString(),
    keyId: row.key_id,
    signature: row.signature.toString('base64url'),
  };
  if (row.checkpoint_seq === null) return single;
  const heads = Array.isArray(row.heads) ? row.heads : [];
  return {
    ...single,
    checkpointSeq: Number(row.checkpoint_seq),
    prevHash: row.prev_hash?.toString('hex') ?? '',
    heads: heads.map((head) => ({
      chain: Number(head?.chain),
      chainSeq: Number(head?.chainSeq),
      seq: Number(head?.seq),
      hash: String(head?.hash),
    })),
    every: Number(row.every),
    intervalMs: Number(row.interval_ms),
  };
}

/** The row a checkpoint is stored as. */
export function checkpointRowOf(checkpoint: AuditCheckpoint): NewCheckpointRow {
  return {
    seq: checkpoint.seq,
    hash: Buffer.from(checkpoint.hash, 'hex'),
    at: new Date(checkpoint.at),
    key_id: checkpoint.keyId,
    signature: Buffer.from(checkpoint.signature, 'base64url'),
    checkpoint_seq: checkpoint.checkpointSeq ?? null,
    prev_hash: checkpoint.prevHash === undefined ? null : Buffer.from(checkpoint.prevHash, 'hex'),
    heads: checkpoint.heads === undefined ? null : JSON.stringify(checkpoint.heads),
    every: checkpoint.every ?? null,
    interval_ms: checkpoint.intervalMs ?? null,
  };
}

export function isFiltered(filters: AuditFilters): boolean {
  return Object.values(filters).some((value) => value !== undefined);
}

/**
 * The log in order, a page at a time, with each checkpoint right after its entry (checkpoints only for
 * an unfiltered read). Bounded by `bounds`, so entries appended meanwhile do not stretch the read.
 */
export async function* readLog({
  db,
  store,
  filters,
  bounds,
  pageSize,
}: {
  db: Kysely<DB>;
  store: AuditStore;
  filters: AuditFilters;
  bounds: AuditBounds;
  pageSize: number;
}): AsyncGenerator<AuditLogItem[]> {
  const withCheckpoints = !isFiltered(filters);
  let pending: AuditCheckpoint[] = [];
  let checkpointsAfter = 0;
  let checkpointsDone = !withCheckpoints || bounds.lastCheckpointSeq === 0;
  // Loads checkpoints up to `seq` (all of them when seq is Infinity) into `pending`.
  const loadCheckpointsUpTo = async (seq: number) => {
    while (!checkpointsDone && checkpointsAfter < seq) {
      const rows = await store.checkpointsPage(db, {
        after: checkpointsAfter,
        upTo: bounds.lastCheckpointSeq,
        limit: pageSize,
      });
      pending.push(...rows.map(toCheckpoint));
      const last = rows.at(-1);
      if (!last || rows.length < pageSize) checkpointsDone = true;
      if (last) checkpointsAfter = last.seq;
    }
  };
  let after = 0;
  let entriesDone = bounds.lastEntrySeq === 0;
  while (!entriesDone) {
    const rows = await store.entriesPage(db, filters, {
      order: 'asc',
      after,
      upTo: bounds.lastEntrySeq,
      limit: pageSize,
    });
    entriesDone = rows.length < pageSize;
    const lastRow = rows.at(-1);
    if (lastRow) after = lastRow.seq;
    await loadCheckpointsUpTo(entriesDone ? Number.POSITIVE_INFINITY : after);
    const items: AuditLogItem[] = [];
    let next = 0;
    for (const row of rows) {
      while (next < pending.length && (pending[next] as AuditCheckpoint).seq < row.seq) {
        items.push({ kind: 'checkpoint', ...(pending[next] as AuditCheckpoint) });
        next += 1;
      }
      items.push(toEntryItem(row));
      while (next < pending.length && (pending[next] as AuditCheckpoint).seq === row.seq) {
        items.push({ kind: 'checkpoint', ...(pending[next] as AuditCheckpoint) });
        next += 1;
      }
    }
    pending = pending.slice(next);
    if (entriesDone) {
      for (const checkpoint of pending) items.push({ kind: 'checkpoint', ...checkpoint });
      pending = [];
    }
    if (items.length > 0) yield items;
  }
  if (bounds.lastEntrySeq === 0) {
    await loadCheckpointsUpTo(Number.POSITIVE_INFINITY);
    if (pending.length > 0)
      yield pending.map((checkpoint) => ({ kind: 'checkpoint' as const, ...checkpoint }));
  }
}
