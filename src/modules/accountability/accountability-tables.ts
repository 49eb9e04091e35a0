import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../db/schema.js';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export const findingSeverities = ['low', 'medium', 'high', 'critical'] as const;
export type FindingSeverity = (typeof findingSeverities)[number];
export const findingStatuses = ['open', 'in_progress', 'resolved', 'accepted'] as const;
export type FindingStatus = (typeof findingStatuses)[number];
export const reviewDecisions = ['confirmed', 'revoked'] as const;
export type ReviewDecision = (typeof reviewDecisions)[number];

/** Rows of the accountability registers (created by migration 0040_accountability). */
export type AccountabilityTables = {
  accountability_policies: {
    id: string;
    title: string;
    owner: string;
    version: string;
    document_url: string | null;
    document_text: string | null;
    approved_at: NullableTimestamp;
    review_interval_days: number;
    /** Approval (or creation) + the interval; moved on by each new approval. Past it, the policy is overdue. */
    next_review_at: Timestamp;
    retired_at: NullableTimestamp;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  accountability_policy_acknowledgments: {
    policy_id: string;
    operator_id: string;
    version: string;
    acknowledged_at: Timestamp;
  };
  accountability_courses: {
    id: string;
    title: string;
    description: string | null;
    required_roles: string[];
    validity_days: number | null;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  accountability_completions: {
    id: string;
    course_id: string;
    operator_id: string;
    completed_at: Timestamp;
    expires_at: NullableTimestamp;
    source: 'console' | 'import';
    reminded_at: NullableTimestamp;
    created_at: Timestamp;
  };
  accountability_audits: {
    id: string;
    auditor: string;
    scope: string;
    started_at: Timestamp;
    ended_at: NullableTimestamp;
    report_reference: string | null;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  accountability_findings: {
    id: string;
    audit_id: string;
    title: string;
    severity: FindingSeverity;
    owner: string;
    due_at: NullableTimestamp;
    status: FindingStatus;
    closed_at: NullableTimestamp;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  accountability_access_reviews: {
    id: string;
    title: string;
    status: 'open' | 'completed';
    due_at: NullableTimestamp;
    created_by: string | null;
    created_at: Timestamp;
    completed_at: NullableTimestamp;
    completed_by: string | null;
  };
  accountability_access_review_items: {
    id: string;
    review_id: string;
    principal_type: 'operator' | 'api_key';
    principal_id: string;
    /** The operator's display name or the key's name when the campaign opened. */
    label: string;
    roles: string[];
    permissions: string[];
    last_used_at: NullableTimestamp;
    decision: ReviewDecision | null;
    decided_by: string | null;
    decided_at: NullableTimestamp;
    note: string | null;
  };
};
