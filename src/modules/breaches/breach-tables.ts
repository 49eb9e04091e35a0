import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../db/schema.js';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

export const breachStatuses = ['suspected', 'confirmed', 'contained', 'closed', 'dismissed'] as const;
export type BreachStatus = (typeof breachStatuses)[number];

export const severities = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

export const discoveries = ['alert', 'report', 'processor_notice', 'audit', 'other'] as const;
export type Discovery = (typeof discoveries)[number];

export const noticePhases = ['initial', 'follow_up', 'final'] as const;
export type NoticePhase = (typeof noticePhases)[number];

/** Rows of the breach register (created by migration 0030_breaches). */
export type BreachTables = {
  breaches: {
    id: string;
    title: string;
    status: BreachStatus;
    /** Why it was dismissed or closed: the operator's words. */
    status_reason: string | null;
    /** When the organization became aware: the 72-hour clock starts here. */
    aware_at: Timestamp;
    /** Always aware_at + 72 h (Art. 33(1)). */
    deadline_at: Timestamp;
    occurred_from: NullableTimestamp;
    occurred_until: NullableTimestamp;
    discovery: Discovery;
    alert_id: string | null;
    /** The register's descriptive facts (see `ZBreachFacts`). */
    facts: Json<Record<string, unknown>>;
    /** The latest risk assessment: the factors given and what Custos proposed. */
    assessment: NullableJson<Record<string, unknown>>;
    /** The DPO's decision on the proposal. */
    decision: NullableJson<Record<string, unknown>>;
    severity: Severity | null;
    notify_authority: boolean | null;
    notify_individuals: boolean | null;
    late_reasons: string | null;
    /** The first submission of a notice to the authority: the clock stops here. */
    authority_notified_at: NullableTimestamp;
    /** The individual notice as frozen when sending started (subject and text), so every recipient gets the same. */
    individual_notice: NullableJson<{ subject: string; text: string; startedAt: string }>;
    public_communication: NullableJson<Record<string, unknown>>;
    lessons_learned: string | null;
    /** The clock alerts raised so far: 0 none, 1 at 24 h left, 2 at 6 h left, 3 overdue. */
    clock_alerted: ColumnType<number, number | undefined, number>;
    created_by: string | null;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  breach_events: {
    id: string;
    /** Orders the timeline: changes in one instant keep the order they were made in. */
    seq: ColumnType<number, never, never>;
    breach_id: string;
    at: Timestamp;
    actor_type: string;
    actor_id: string | null;
    kind: string;
    /** Names of the fields a change touched. */
    fields: ColumnType<string[], string[] | undefined, string[]>;
    note: string | null;
    details: ColumnType<Record<string, unknown>, string | undefined, string>;
  };
  breach_tasks: {
    id: string;
    breach_id: string;
    title: string;
    owner: string;
    status: 'open' | 'done' | 'cancelled';
    due_at: NullableTimestamp;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  breach_authority_notices: {
    id: string;
    breach_id: string;
    version: number;
    phase: NoticePhase;
    document: Json<Record<string, unknown>>;
    created_by: string | null;
    created_at: Timestamp;
    submitted_at: NullableTimestamp;
    submission_reference: string | null;
    submission_channel: string | null;
  };
  breach_affected_subjects: {
    breach_id: string;
    subject_id: string;
    /** `collection.field` names whose values were exposed. */
    fields: string[];
    actions: string[];
    entries: number;
    first_at: NullableTimestamp;
    last_at: NullableTimestamp;
  };
  breach_deliveries: {
    breach_id: string;
    subject_id: string;
    outcome: 'queued' | 'unreachable';
    mail_id: string | null;
    at: Timestamp;
  };
};
