import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../db/schema.js';

/** Rows of the audit tables (created by migration 0003_audit). */
export type AuditTables = {
  audit_entries: {
    seq: number;
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
  };
  /** One row: the last entry's number and hash, locked by each append. */
  audit_head: {
    id: number;
    seq: number;
    prev_hash: Buffer;
    hash: Buffer;
  };
};
