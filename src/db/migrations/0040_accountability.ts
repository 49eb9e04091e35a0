import { type Kysely, sql } from 'kysely';

// The accountability registers (GDPR Art. 5(2), 24): what only people know and Custos cannot derive.
// Policies with their review cycle and operators' acknowledgments of a version; training courses, who must
// take them (by role) and completions with their expiry; external audits and their findings; access-review
// campaigns, each item a snapshot of one operator's or API key's access when the campaign opened, with the
// reviewer's decision. Beside them, the reports module's memory: one row per (day, metric) of the daily
// dashboard snapshot (the primary key makes a second run of the day, or a second worker, write nothing new;
// `tracked` false for a metric whose source module is not installed), a partial index on the audit trail's
// refused accesses (the access-control violations metric counts them per period) and one on consent grants and
// withdrawals by time (the withdrawal rate and the report count them per period without reading every event),
// generated compliance reports with their progress, and the one optional monthly schedule.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table accountability_policies (
      id uuid primary key,
      title text not null check (char_length(title) between 1 and 200),
      owner text not null check (char_length(owner) between 1 and 200),
      version text not null check (char_length(version) between 1 and 50),
      document_url text check (char_length(document_url) <= 2000),
      document_text text check (char_length(document_text) <= 100000),
      approved_at timestamptz,
      review_interval_days integer not null check (review_interval_days between 1 and 3660),
      next_review_at timestamptz not null,
      retired_at timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create unique index accountability_policies_title_idx on accountability_policies (lower(title));

    create table accountability_policy_acknowledgments (
      policy_id uuid not null references accountability_policies (id) on delete cascade,
      operator_id uuid not null,
      version text not null,
      acknowledged_at timestamptz not null,
      primary key (policy_id, operator_id, version)
    );

    create table accountability_courses (
      id uuid primary key,
      title text not null check (char_length(title) between 1 and 200),
      description text check (char_length(description) <= 4000),
      required_roles text[] not null default '{}',
      validity_days integer check (validity_days between 1 and 3660),
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create unique index accountability_courses_title_idx on accountability_courses (lower(title));

    create table accountability_completions (
      id uuid primary key,
      course_id uuid not null references accountability_courses (id) on delete cascade,
      operator_id uuid not null,
      completed_at timestamptz not null,
      expires_at timestamptz,
      source text not null check (source in ('console', 'import')),
      reminded_at timestamptz,
      created_at timestamptz not null,
      unique (course_id, operator_id, completed_at)
    );
    create index accountability_completions_expiry_idx on accountability_completions (expires_at)
      where reminded_at is null and expires_at is not null;

    create table accountability_audits (
      id uuid primary key,
      auditor text not null check (char_length(auditor) between 1 and 200),
      scope text not null check (char_length(scope) between 1 and 2000),
      started_at timestamptz not null,
      ended_at timestamptz,
      report_reference text check (char_length(report_reference) <= 500),
      created_at timestamptz not null,
      updated_at timestamptz not null,
      check (ended_at is null or ended_at >= started_at)
    );

    create table accountability_findings (
      id uuid primary key,
      audit_id uuid not null references accountability_audits (id) on delete cascade,
      title text not null check (char_length(title) between 1 and 500),
      severity text not null check (severity in ('low', 'medium', 'high', 'critical')),
      owner text not null check (char_length(owner) between 1 and 200),
      due_at timestamptz,
      status text not null check (status in ('open', 'in_progress', 'resolved', 'accepted')),
      closed_at timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create index accountability_findings_open_idx on accountability_findings (audit_id)
      where status in ('open', 'in_progress');

    create table accountability_access_reviews (
      id uuid primary key,
      title text not null check (char_length(title) between 1 and 200),
      status text not null check (status in ('open', 'completed')),
      due_at timestamptz,
      created_by text,
      created_at timestamptz not null,
      completed_at timestamptz,
      completed_by text
    );

    create table accountability_access_review_items (
      id uuid primary key,
      review_id uuid not null references accountability_access_reviews (id) on delete cascade,
      principal_type text not null check (principal_type in ('operator', 'api_key')),
      principal_id uuid not null,
      label text not null,
      roles text[] not null default '{}',
      permissions text[] not null default '{}',
      last_used_at timestamptz,
      decision text check (decision in ('confirmed', 'revoked')),
      decided_by text,
      decided_at timestamptz,
      note text check (char_length(note) <= 2000),
      unique (review_id, principal_type, principal_id)
    );

    create table report_snapshots (
      day date not null,
      metric text not null,
      value double precision,
      tracked boolean not null default true,
      taken_at timestamptz not null,
      primary key (day, metric)
    );

    create index report_snapshots_metric_idx on report_snapshots (metric, day);
    create index audit_entries_denied_at_idx on audit_entries (at) where action = 'access.denied';
    create index consent_events_recorded_decisions_idx on consent_events (recorded_at) include (purpose_key, action)
      where action in ('grant', 'withdraw');

    create table compliance_reports (
      id uuid primary key,
      period_from timestamptz not null,
      period_to timestamptz not null,
      status text not null check (status in ('queued', 'running', 'done', 'failed')),
      progress smallint not null default 0 check (progress between 0 and 100),
      document jsonb,
      error text,
      requested_by text,
      scheduled boolean not null default false,
      created_at timestamptz not null,
      finished_at timestamptz,
      check (period_to > period_from)
    );
    create index compliance_reports_created_idx on compliance_reports (created_at desc, id desc);

    create table compliance_report_schedule (
      id smallint primary key check (id = 1),
      enabled boolean not null,
      recipients text[] not null default '{}',
      last_period text,
      updated_at timestamptz not null
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table compliance_report_schedule;
    drop table compliance_reports;
    drop index consent_events_recorded_decisions_idx;
    drop index audit_entries_denied_at_idx;
    drop table report_snapshots;
    drop table accountability_access_review_items;
    drop table accountability_access_reviews;
    drop table accountability_findings;
    drop table accountability_audits;
    drop table accountability_completions;
    drop table accountability_courses;
    drop table accountability_policy_acknowledgments;
    drop table accountability_policies;
  `.execute(db);
}
