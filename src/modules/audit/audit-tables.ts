import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../db/schema.js';
import type { CheckpointHead } from './audit-entry.js';

/** Rows of the audit tables (created by migration 0003_audit, split into chains by 0006_audit_chains). */
export type AuditTables = {
  audit_entries: {
    seq: number;
    /** The chain the entry links into, and its position there (1, 2, … without gaps). */
    chain: number;
    chain_seq: number;
    at: Timestamp;
    actor_type: string;
    actor_id: string | null;
    action: string;
    target_type: string | null;
    target_id: string | null;
    purpose: string | null;
    outcome: string;
    request_id: string | null;
    ip_hash: string | null;
    /** Written as canonical JSON text, read back as an object. */
    details: ColumnType<Record<string, unknown>, string, never>;
    prev_hash: Buffer;
    hash: Buffer;
  };
  audit_checkpoints: {
    seq: number;
    hash: Buffer;
    at: Timestamp;
    key_id: string;
    signature: Buffer;
    /** Chained checkpoints (migration 0022): their number, the previous one's hash, and what they sign. */
    checkpoint_seq: number | null;
    prev_hash: Buffer | null;
    heads: ColumnType<CheckpointHead[] | null, string | null, never>;
    every: number | null;
    interval_ms: number | null;
  };
  /**
   * Signed cuts of the log (migration 0028): where each chain starts after pruning, chained to the cut
   * before. Read back as written; the signature check catches a change.
   */
  audit_cuts: {
    cut_seq: number;
    at: Timestamp;
    prev_hash: Buffer;
    hash: Buffer;
    key_id: string;
    signature: Buffer;
    heads: ColumnType<CheckpointHead[], string, never>;
    checkpoint_seq: number;
    entries: number;
    retention: ColumnType<Record<string, string>, string, never>;
  };
  /** A row per chain: its last entry's number, position and hash, locked by an append until commit. */
  audit_head: {
    chain: number;
    seq: number;
    chain_seq: number;
    prev_hash: Buffer;
    hash: Buffer;
  };
};
