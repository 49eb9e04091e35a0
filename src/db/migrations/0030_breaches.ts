import { type Kysely, sql } from 'kysely';

// The breach register (GDPR Art. 33(5)): one row per incident with its lifecycle, the 72-hour clock
// (`deadline_at` is always `aware_at` + 72 h, never written by hand), the register's descriptive facts
// (`facts`, validated by the service), the risk assessment's proposal and the DPO's decision. Around it:
// the timeline of every change, containment tasks, the regulator notice's versions (one per phase, with
// what was submitted), the affected set (pseudonymous subject ids with the fields exposed, from the blast
// radius or added by hand) and one delivery row per subject sent an individual notice, whose primary key
// makes a resumed sending skip whoever was already sent one.
//
// The two partial indexes on audit_entries serve the blast radius: the entries that exposed a subject's
// data (reads, detokenizations, exports) of one principal, or of one client network, in a time window.
// The general actor index is ordered by seq and covers every action, so a principal with millions of
// entries would be walked whole; these hold only exposing entries, ordered by time.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table breaches (
      id uuid primary key,
      title text not null check (char_length(title) between 1 and 200),
      status text not null check (status in ('suspected', 'confirmed', 'contained', 'closed', 'dismissed')),
      status_reason text check (char_length(status_reason) <= 2000),
      aware_at timestamptz not null,
      deadline_at timestamptz not null,
      occurred_from timestamptz,
      occurred_until timestamptz,
      discovery text not null check (discovery in ('alert', 'report', 'processor_notice', 'audit', 'other')),
      alert_id uuid,
      facts jsonb not null default '{}',
      assessment jsonb,
      decision jsonb,
      severity text check (severity in ('low', 'medium', 'high', 'critical')),
      notify_authority boolean,
      notify_individuals boolean,
      late_reasons text check (char_length(late_reasons) <= 4000),
      authority_notified_at timestamptz,
      individual_notice jsonb,
      public_communication jsonb,
      lessons_learned text check (char_length(lessons_learned) <= 8000),
      clock_alerted smallint not null default 0,
      created_by text,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      check (occurred_until is null or occurred_from is null or occurred_until >= occurred_from),
      check (occurred_from is null or occurred_from <= aware_at)
    );
    create index breaches_open_deadline_idx on breaches (deadline_at)
      where status in ('suspected', 'confirmed', 'contained');
    create index breaches_created_idx on breaches (created_at desc, id desc);

    create table breach_events (
      id uuid primary key,
      seq bigint generated always as identity,
      breach_id uuid not null references breaches (id) on delete cascade,
      at timestamptz not null,
      actor_type text not null,
      actor_id text,
      kind text not null,
      fields text[] not null default '{}',
      note text check (char_length(note) <= 4000),
      details jsonb not null default '{}'
    );
    create index breach_events_breach_idx on breach_events (breach_id, seq);

    create table breach_tasks (
      id uuid primary key,
      breach_id uuid not null references breaches (id) on delete cascade,
      title text not null check (char_length(title) between 1 and 500),
      owner text not null check (char_length(owner) between 1 and 200),
      status text not null check (status in ('open', 'done', 'cancelled')),
      due_at timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create index breach_tasks_breach_idx on breach_tasks (breach_id, created_at);

    create table breach_authority_notices (
      id uuid primary key,
      breach_id uuid not null references breaches (id) on delete cascade,
      version integer not null check (version > 0),
      phase text not null check (phase in ('initial', 'follow_up', 'final')),
      document jsonb not null,
      created_by text,
      created_at timestamptz not null,
      submitted_at timestamptz,
      submission_reference text check (char_length(submission_reference) <= 200),
      submission_channel text check (char_length(submission_channel) <= 200),
      unique (breach_id, version)
    );

    create table breach_affected_subjects (
      breach_id uuid not null references breaches (id) on delete cascade,
      subject_id text not null,
      fields text[] not null default '{}',
      actions text[] not null default '{}',
      entries integer not null default 0,
      first_at timestamptz,
      last_at timestamptz,
      primary key (breach_id, subject_id)
    );
    create index breach_affected_subjects_subject_idx on breach_affected_subjects (subject_id);

    create table breach_deliveries (
      breach_id uuid not null references breaches (id) on delete cascade,
      subject_id text not null,
      outcome text not null check (outcome in ('queued', 'unreachable')),
      mail_id uuid,
      at timestamptz not null,
      primary key (breach_id, subject_id)
    );

    create index audit_entries_exposure_actor_idx on audit_entries (actor_type, actor_id, at)
      where action in ('vault.record.read', 'vault.token.detokenized', 'request.export.created');
    create index audit_entries_exposure_network_idx on audit_entries (ip_hash, at)
      where action in ('vault.record.read', 'vault.token.detokenized', 'request.export.created');
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index audit_entries_exposure_network_idx;
    drop index audit_entries_exposure_actor_idx;
    drop table breach_deliveries;
    drop table breach_affected_subjects;
    drop table breach_authority_notices;
    drop table breach_tasks;
    drop table breach_events;
    drop table breaches;
  `.execute(db);
}
