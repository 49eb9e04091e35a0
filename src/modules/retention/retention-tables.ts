import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../db/schema.js';
import type { Masking } from '../vault/masking.js';
import type { LegalHoldReason, RetentionGround } from './retention-types.js';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

/** What the answer to the subject and the timeline say was kept: no values, only names and counts. */
export type KeptGroup = {
  collection: string;
  records: number;
  fields: string[];
  anonymized: string[];
  policies: {
    id: string;
    name: string;
    legalBasis: RetentionGround;
    description: string;
    duration: string;
  }[];
  until: string;
};

/** Rows of the retention tables (created by migration 0010_request_fulfilment). */
export type RetentionTables = {
  retention_policies: {
    id: string;
    name: string;
    /** The policy covers one collection (some or all of its fields), or one data category anywhere. */
    collection: string | null;
    data_category: string | null;
    /** Collection policies: the fields the obligation needs; null: all of them. */
    fields: string[] | null;
    /** Collection policies: how other fields of a kept record are anonymized (unlisted ones are deleted). */
    anonymization: Json<Record<string, Masking>>;
    legal_basis: RetentionGround;
    description: string;
    /** ISO 8601 duration from the day a record was stored (`P10Y`). */
    duration: string;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  legal_holds: {
    id: string;
    subject_id: string;
    reason: LegalHoldReason;
    /** What an operator wrote about the hold (a case reference), sealed; never in errors or the audit log. */
    note_sealed: Buffer | null;
    /** The hold ends by itself then; null: until lifted. */
    until: NullableTimestamp;
    placed_at: Timestamp;
    placed_by_type: string;
    placed_by_id: string | null;
    lifted_at: NullableTimestamp;
    lifted_by_type: string | null;
    lifted_by_id: string | null;
  };
  /** Subjects erased but for records an obligation keeps: restricted until the last retention ends. */
  erasure_retentions: {
    subject_id: string;
    request_id: string | null;
    /** When the last kept record's retention ends: the subject is shredded then. */
    retained_until: Timestamp;
    /** When the first kept record's retention ends: the sweep looks at the subject again then. */
    next_expiry_at: Timestamp;
    summary: Json<KeptGroup[]>;
    created_at: Timestamp;
    updated_at: Timestamp;
    shredded_at: NullableTimestamp;
  };
};
