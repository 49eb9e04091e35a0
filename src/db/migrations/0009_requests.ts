import { type Kysely, sql } from 'kysely';

// Data-subject requests: the request with its state and deadline, its timeline (append-only, like the
// audit log), one-time e-mail verification codes (keyed digests only), and the exports that fulfil access
// and portability requests (sealed, downloadable with a token until they expire). Also the mail outbox the
// requests module is the first to send through: messages are sealed at rest, and their content is
// deleted once delivered. Contact addresses and operator notes are sealed (AES-256-GCM); nothing here
// holds personal data in clear.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table data_subject_requests (
      id uuid primary key,
      type text not null check (type in (
        'access', 'rectification', 'erasure', 'restriction', 'portability', 'objection',
        'know', 'delete', 'correct', 'opt_out')),
      regime text not null check (regime in ('gdpr', 'ccpa')),
      state text not null check (state in (
        'received', 'verifying', 'verified', 'in_progress', 'awaiting_systems',
        'completed', 'rejected', 'withdrawn')),
      channel text not null check (channel in ('privacy_center', 'api', 'operator', 'drp')),
      filed_by text not null check (filed_by in ('subject', 'agent', 'operator')),
      filer_type text not null,
      filer_id text,
      subject_id uuid references subjects (id),
      contact_sealed bytea,
      assignee_id uuid references operators (id),
      received_at timestamptz not null,
      due_at timestamptz not null,
      initial_due_at timestamptz not null,
      extended_at timestamptz,
      verified_at timestamptz,
      verification_method text,
      rejection_reason text,
      closed_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check ((state = 'rejected') = (rejection_reason is not null))
    );
    create index data_subject_requests_due_idx on data_subject_requests (due_at, id);
    create index data_subject_requests_open_due_idx on data_subject_requests (due_at, id)
      where state not in ('completed', 'rejected', 'withdrawn');
    create index data_subject_requests_assignee_idx on data_subject_requests (assignee_id, due_at)
      where assignee_id is not null;
    create index data_subject_requests_subject_idx on data_subject_requests (subject_id)
      where subject_id is not null;

    create table request_events (
      seq bigint generated always as identity primary key,
      request_id uuid not null references data_subject_requests (id),
      kind text not null check (kind in (
        'received', 'state_changed', 'assigned', 'extended', 'verification_code_sent', 'verification_failed',
        'export_created', 'export_downloaded')),
      from_state text,
      to_state text,
      actor_type text not null,
      actor_id text,
      details jsonb not null default '{}',
      note_sealed bytea,
      at timestamptz not null
    );
    create index request_events_request_idx on request_events (request_id, seq);

    create function request_events_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'a request timeline is append-only: % on % is not allowed', tg_op, tg_table_name
        using errcode = 'insufficient_privilege';
    end;
    $$;
    create trigger request_events_append_only before update or delete or truncate on request_events
      for each statement execute function request_events_refuse_change();

    create table request_verification_codes (
      id uuid primary key,
      request_id uuid not null references data_subject_requests (id),
      salt bytea not null check (length(salt) = 16),
      digest bytea not null check (length(digest) = 32),
      attempts integer not null default 0,
      expires_at timestamptz not null,
      created_at timestamptz not null,
      spent_at timestamptz
    );
    create index request_verification_codes_request_idx on request_verification_codes (request_id, created_at);

    create table request_exports (
      id uuid primary key,
      request_id uuid not null references data_subject_requests (id),
      format text not null check (format in ('json', 'html', 'zip')),
      sealed bytea not null,
      size integer not null,
      token_hash text not null,
      expires_at timestamptz not null,
      created_at timestamptz not null,
      downloads integer not null default 0,
      last_downloaded_at timestamptz
    );
    create index request_exports_request_idx on request_exports (request_id, created_at);
    create index request_exports_expires_idx on request_exports (expires_at);

    create table mail_outbox (
      id uuid primary key,
      kind text not null,
      status text not null check (status in ('held', 'queued', 'sent', 'failed')),
      sealed bytea,
      reference_type text,
      reference_id text,
      attempts integer not null default 0,
      last_error text,
      created_at timestamptz not null,
      sent_at timestamptz,
      check ((status = 'sent') = (sealed is null))
    );
    create index mail_outbox_status_idx on mail_outbox (status, created_at, id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table mail_outbox;
    drop table request_exports;
    drop table request_verification_codes;
    drop table request_events;
    drop function request_events_refuse_change();
    drop table data_subject_requests;
  `.execute(db);
}
