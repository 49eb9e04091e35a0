import { type Kysely, sql } from 'kysely';

// Fulfilment of rectification, erasure, restriction and objection requests, and the retention model erasure
// needs. `retention_policies` say which data a legal obligation (or another Art. 17(3) ground) keeps, for
// how long, and which of its fields the obligation needs; `legal_holds` stop the erasure of a subject until
// lifted. A subject erased while some records must be kept is minimised and restricted instead of
// shredded, and `erasure_retentions` records until when; the retention sweep shreds the subject once that
// time has come. `subject_restrictions` say why a subject is restricted (GDPR Art. 18) and when it was
// lifted. `downstream_systems` are the systems holding copies of personal data, each with a webhook
// endpoint of the notifications module; `request_system_tasks` track what each was asked to do for a
// request, confirmed through a callback whose token is kept only as a digest.
//
// Two changes to earlier tables: the request timeline knows the new kinds of entry, and a webhook message
// may carry a sealed body (the one sent, holding a callback token) beside the redacted one shown in the
// delivery log.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table retention_policies (
      id uuid primary key,
      name text not null unique,
      collection text,
      data_category text,
      fields text[],
      anonymization jsonb not null default '{}',
      legal_basis text not null check (legal_basis in (
        'legal_obligation', 'legal_claims', 'public_interest', 'public_health', 'archiving_research',
        'freedom_of_expression')),
      description text not null default '',
      duration text not null check (duration ~ '^P([0-9]+Y)?([0-9]+M)?([0-9]+D)?$' and duration <> 'P'),
      created_at timestamptz not null,
      updated_at timestamptz not null,
      check ((collection is null) <> (data_category is null)),
      check (fields is null or collection is not null)
    );

    create table legal_holds (
      id uuid primary key,
      subject_id uuid not null references subjects (id),
      reason text not null check (reason in (
        'litigation', 'regulatory_investigation', 'law_enforcement', 'tax_audit', 'internal_investigation',
        'other')),
      note_sealed bytea,
      until timestamptz,
      placed_at timestamptz not null,
      placed_by_type text not null,
      placed_by_id text,
      lifted_at timestamptz,
      lifted_by_type text,
      lifted_by_id text
    );
    create index legal_holds_subject_idx on legal_holds (subject_id) where lifted_at is null;

    create table erasure_retentions (
      subject_id uuid primary key references subjects (id),
      request_id uuid references data_subject_requests (id),
      retained_until timestamptz not null,
      next_expiry_at timestamptz not null,
      summary jsonb not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      shredded_at timestamptz
    );
    create index erasure_retentions_due_idx on erasure_retentions (next_expiry_at) where shredded_at is null;

    create table subject_restrictions (
      id uuid primary key,
      subject_id uuid not null references subjects (id),
      request_id uuid references data_subject_requests (id),
      ground text not null check (ground in (
        'accuracy_contested', 'unlawful_processing', 'legal_claims', 'objection_pending', 'other')),
      placed_at timestamptz not null,
      lifted_at timestamptz,
      lift_reason text check (lift_reason in (
        'accuracy_verified', 'grounds_overriding', 'subject_consent', 'legal_claims_concluded', 'other')),
      lifted_by_type text,
      lifted_by_id text,
      check ((lifted_at is null) = (lift_reason is null))
    );
    create index subject_restrictions_subject_idx on subject_restrictions (subject_id) where lifted_at is null;

    create table downstream_systems (
      id uuid primary key,
      name text not null unique,
      owner text not null,
      description text not null default '',
      data_categories text[] not null check (cardinality(data_categories) > 0),
      endpoint_id uuid not null unique references webhook_endpoints (id),
      enabled boolean not null default true,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );

    create table request_system_tasks (
      id uuid primary key,
      request_id uuid not null references data_subject_requests (id),
      system_id uuid not null references downstream_systems (id),
      action text not null check (action in ('erasure', 'rectification', 'restriction')),
      status text not null check (status in ('pending', 'done', 'failed', 'retried')),
      scope jsonb not null,
      token_hash text not null,
      message_id text not null,
      delivery_id uuid not null,
      attempts integer not null default 1,
      failure text,
      detail_sealed bytea,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      done_at timestamptz,
      unique (request_id, system_id)
    );
    create index request_system_tasks_delivery_idx on request_system_tasks (delivery_id);
    create index request_system_tasks_system_idx on request_system_tasks (system_id);

    alter table request_events drop constraint request_events_kind_check;
    alter table request_events add constraint request_events_kind_check check (kind in (
      'received', 'state_changed', 'assigned', 'extended', 'verification_code_sent', 'verification_failed',
      'export_created', 'export_downloaded', 'rectified', 'erased', 'restricted', 'restriction_lifted',
      'objected', 'systems_notified', 'system_confirmed', 'system_failed', 'system_retried'));

    alter table webhook_messages add column body_sealed bytea;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table webhook_messages drop column body_sealed;
    alter table request_events drop constraint request_events_kind_check;
    alter table request_events add constraint request_events_kind_check check (kind in (
      'received', 'state_changed', 'assigned', 'extended', 'verification_code_sent', 'verification_failed',
      'export_created', 'export_downloaded'));
    drop table request_system_tasks;
    drop table downstream_systems;
    drop table subject_restrictions;
    drop table erasure_retentions;
    drop table legal_holds;
    drop table retention_policies;
  `.execute(db);
}
