import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../db/schema.js';
import type { Masking } from '../vault/masking.js';
import type {
  LegalHoldReason,
  RetentionAction,
  RetentionGround,
  RetentionTrigger,
} from './retention-types.js';

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

/** What one rule did in a run, and what it will do soon. */
export type RuleResult = {
  action: RetentionAction;
  records: number;
  subjects: number;
  /** Records the rule makes due within the due-soon window (reported, not touched). */
  dueSoon: number;
};

/** Rows of the retention tables (created by migration 0010_request_fulfilment, extended by 0026). */
export type RetentionTables = {
  retention_policies: {
    id: string;
    name: string;
    /** The rule covers one collection, one data category (and those beneath it) anywhere, or one purpose. */
    collection: string | null;
    data_category: string | null;
    /** A consent purpose: the rule covers collections holding the purpose's data categories. */
    purpose: ColumnType<string | null, string | null | undefined, string | null>;
    trigger: Json<RetentionTrigger>;
    action: ColumnType<RetentionAction, RetentionAction | undefined, RetentionAction>;
    /** Collection policies: the fields the obligation needs; null: all of them. */
    fields: string[] | null;
    /** Collection policies: how other fields of a kept record are anonymized (unlisted ones are deleted). */
    anonymization: Json<Record<string, Masking>>;
    /** Null: a rule that only limits storage, and keeps nothing against an erasure request. */
    legal_basis: RetentionGround | null;
    description: string;
    /** ISO 8601 duration from the trigger (`P10Y`); null: the trigger itself ends retention. */
    duration: string | null;
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
  /** Records anonymized by a rule: values only, no subject, key or index (migration 0026). */
  anonymized_records: {
    id: string;
    collection_id: string;
    rule_id: string | null;
    fields: Json<Record<string, unknown>>;
    anonymized_at: Timestamp;
  };
  retention_runs: {
    id: string;
    kind: RunKind;
    actions: RetentionAction[];
    status: 'running' | 'completed' | 'failed';
    started_at: Timestamp;
    heartbeat_at: Timestamp;
    finished_at: NullableTimestamp;
    resumed: ColumnType<number, number | undefined, number>;
    /** Per collection id: where its walk is (see Cursor), and whether it is finished. */
    progress: Json<Record<string, Cursor & { done: boolean }>>;
    results: Json<Record<string, RuleResult>>;
    error: string | null;
  };
};

export type RunKind = 'review' | 'anonymization' | 'manual';

/**
 * Where a run is in a collection: the last record done, and its creation time (text, to the microsecond)
 * when the collection is walked in creation order rather than in id order.
 */
export type Cursor = { after: string | null; at?: string | null };
