import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../db/schema.js';

type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;
type NullableDate = ColumnType<string | null, string | null | undefined, string | null>;

/** Rows of the assessments module (created by migration 0038_assessments). */
export type AssessmentTables = {
  assessment_settings: {
    id: 'default';
    chain: Json<unknown[]>;
    forbid_self_approval: boolean;
    review_months: number;
    updated_at: Timestamp;
  };
  assessment_screenings: {
    id: string;
    /** Null for a proposed activity, which is described in `proposed` instead. */
    activity_id: string | null;
    proposed: NullableJson<Record<string, unknown>>;
    answers: Json<Record<string, unknown>>;
    result: Json<Record<string, unknown>>;
    outcome: 'required' | 'not_required' | 'incomplete';
    /** SHA-256 of the activity's facts the result was computed from. */
    fingerprint: string;
    screened_at: Timestamp;
    screened_by: string | null;
    created_at: Timestamp;
  };
  assessments: {
    id: string;
    activity_id: string | null;
    screening_id: string | null;
    title: string;
    status: 'draft' | 'in_review' | 'approved';
    version: ColumnType<number, number | undefined, number>;
    sections: Json<Record<string, unknown>>;
    risks: Json<unknown[]>;
    consultation: NullableJson<Record<string, unknown>>;
    prior_consultation: NullableJson<Record<string, unknown>>;
    /** The chain of the current round, fixed when it was submitted. */
    chain: Json<unknown[]>;
    step_index: ColumnType<number, number | undefined, number>;
    round: ColumnType<number, number | undefined, number>;
    submitted_by: string | null;
    /** The activity's fingerprint when the version was approved. */
    activity_fingerprint: string | null;
    /** Why an approved DPIA must be reviewed (the activity changed); null when it need not be. */
    review_reason: string | null;
    review_due: NullableDate;
    /** The review date a reminder was last sent for, so each is sent once. */
    review_reminded_for: NullableDate;
    created_by: string | null;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  assessment_signoffs: {
    id: string;
    seq: ColumnType<number, never, never>;
    assessment_id: string;
    version: number;
    round: number;
    step_index: number;
    step_key: string;
    role: string;
    decision: 'approved' | 'rejected';
    comment: string;
    actor_type: string;
    actor_id: string | null;
    at: Timestamp;
  };
  assessment_versions: {
    assessment_id: string;
    version: number;
    snapshot: Json<Record<string, unknown>>;
    fingerprint: string | null;
    approved_at: Timestamp;
  };
};
