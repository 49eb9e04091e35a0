import { type Kysely, sql } from 'kysely';

// Privacy impact assessments (GDPR Art. 35-36). One screening per processing activity (or per proposed
// activity, which has none yet), with the answers a person gave, the result with its reasons and the
// fingerprint of the activity's facts it was computed from: a read that finds another fingerprint
// re-screens, so a change made by any process is noticed without the inventory knowing about this module.
// One row per DPIA with its working content (sections, risk register, consultations) and its place in
// the approval chain; sign-offs and approved versions are append-only (a trigger refuses UPDATE and
// DELETE), so an approval, once given, cannot be edited afterwards.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table assessment_settings (
      id text primary key check (id = 'default'),
      chain jsonb not null,
      forbid_self_approval boolean not null,
      review_months smallint not null check (review_months between 1 and 60),
      updated_at timestamptz not null
    );

    create table assessment_screenings (
      id uuid primary key,
      activity_id uuid unique,
      proposed jsonb,
      answers jsonb not null default '{}',
      result jsonb not null,
      outcome text not null check (outcome in ('required', 'not_required', 'incomplete')),
      fingerprint text not null,
      screened_at timestamptz not null,
      screened_by text,
      created_at timestamptz not null,
      check ((activity_id is null) <> (proposed is null))
    );

    create table assessments (
      id uuid primary key,
      activity_id uuid,
      screening_id uuid references assessment_screenings (id),
      title text not null check (char_length(title) between 1 and 200),
      status text not null check (status in ('draft', 'in_review', 'approved')),
      version integer not null default 1,
      sections jsonb not null,
      risks jsonb not null default '[]',
      consultation jsonb,
      prior_consultation jsonb,
      chain jsonb not null default '[]',
      step_index smallint not null default 0,
      round integer not null default 0,
      submitted_by text,
      activity_fingerprint text,
      review_reason text,
      review_due text check (review_due ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
      review_reminded_for text,
      created_by text,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    -- One DPIA per activity and per screening (revised, never duplicated); two creates racing meet here.
    create unique index assessments_activity_idx on assessments (activity_id);
    create unique index assessments_screening_idx on assessments (screening_id);
    create index assessments_review_idx on assessments (review_due) where status = 'approved';

    create table assessment_signoffs (
      id uuid primary key,
      seq bigint generated always as identity,
      assessment_id uuid not null references assessments (id),
      version integer not null,
      round integer not null,
      step_index smallint not null,
      step_key text not null,
      role text not null,
      decision text not null check (decision in ('approved', 'rejected')),
      comment text not null check (char_length(comment) <= 4000),
      actor_type text not null,
      actor_id text,
      at timestamptz not null
    );
    create index assessment_signoffs_idx on assessment_signoffs (assessment_id, seq);

    create table assessment_versions (
      assessment_id uuid not null references assessments (id),
      version integer not null,
      snapshot jsonb not null,
      fingerprint text,
      approved_at timestamptz not null,
      primary key (assessment_id, version)
    );

    create function assessment_records_immutable() returns trigger language plpgsql as $$
    begin
      raise exception 'assessment sign-offs and versions cannot be changed';
    end $$;
    create trigger assessment_signoffs_immutable before update or delete on assessment_signoffs
      for each row execute function assessment_records_immutable();
    create trigger assessment_versions_immutable before update or delete on assessment_versions
      for each row execute function assessment_records_immutable();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table assessment_versions;
    drop table assessment_signoffs;
    drop table assessments;
    drop table assessment_screenings;
    drop table assessment_settings;
    drop function assessment_records_immutable();
  `.execute(db);
}
