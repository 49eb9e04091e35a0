import { type Kysely, sql } from 'kysely';

// Consent. `consent_purposes` holds what an organization does with personal data and on which lawful
// basis; every change of the text shown to subjects (or of the uses and categories it covers) makes a new
// row in `consent_purpose_versions`, which never changes afterwards. `consent_events` is the append-only
// record of what subjects did (grant, withdraw, deny, object) and what expired, with proof; a trigger
// refuses UPDATE, DELETE and TRUNCATE, as on the audit log. `consent_state` is the current choice per
// subject and purpose, kept in the same transaction as the event that changed it, so a check reads one
// row. `consent_tcf` keeps IAB TCF strings with their decoded consents.
//
// Every process caches consent state in memory and drops what changed when `custos_consent` is notified.
// Consent writes notify right after their commit (consent-changes.ts), not from a trigger: a NOTIFY in a
// writing transaction takes a database-wide lock through its commit and WAL flush, so every consent write
// would commit one at a time. Rare changes do notify from triggers, so no writer can forget them: a
// subject's status (the vault restricts or erases) and purposes.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table consent_purposes (
      key text primary key check (key ~ '^[a-z][a-z0-9_]{0,63}$'),
      name text not null,
      description text not null default '',
      legal_basis text not null check (legal_basis in ('consent', 'contract', 'legal_obligation',
        'vital_interests', 'public_task', 'legitimate_interests')),
      special_category_condition text check (special_category_condition in ('explicit_consent',
        'employment_social_security', 'vital_interests', 'not_for_profit_body', 'made_public_by_subject',
        'legal_claims', 'substantial_public_interest', 'health_or_social_care', 'public_health',
        'archiving_research_statistics')),
      data_uses text[] not null,
      data_categories text[] not null,
      ccpa_sale boolean not null default false,
      ccpa_sharing boolean not null default false,
      ccpa_sensitive boolean not null default false,
      reconsent_on_change boolean not null default true,
      version integer not null check (version > 0),
      min_version integer not null check (min_version > 0 and min_version <= version),
      text text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table consent_purpose_versions (
      purpose_key text not null references consent_purposes (key),
      version integer not null check (version > 0),
      text text not null,
      text_hash bytea not null check (length(text_hash) = 32),
      legal_basis text not null,
      data_uses text[] not null,
      data_categories text[] not null,
      requires_reconsent boolean not null,
      created_at timestamptz not null default now(),
      primary key (purpose_key, version)
    );

    create table consent_events (
      id uuid primary key,
      seq bigint generated always as identity unique,
      subject_id uuid not null references subjects (id),
      purpose_key text not null references consent_purposes (key),
      version integer not null,
      action text not null check (action in ('grant', 'withdraw', 'deny', 'object', 'expire')),
      method text check (method in ('explicit_opt_in', 'opt_out', 'implied')),
      source text check (source in ('privacy_center', 'api', 'import', 'gpc', 'tcf', 'drp', 'agent')),
      given_at timestamptz not null,
      recorded_at timestamptz not null,
      expires_at timestamptz,
      form_id text,
      ip_hash text,
      user_agent_hash text,
      actor_type text not null,
      actor_id text,
      request_id text,
      foreign key (purpose_key, version) references consent_purpose_versions (purpose_key, version),
      check ((action = 'expire') = (method is null and source is null))
    );
    create index consent_events_subject_idx on consent_events (subject_id, seq);

    create table consent_state (
      subject_id uuid not null references subjects (id),
      purpose_key text not null references consent_purposes (key),
      status text check (status in ('granted', 'withdrawn', 'denied', 'expired')),
      version integer,
      method text,
      source text,
      expires_at timestamptz,
      objected_at timestamptz,
      event_id uuid not null,
      event_seq bigint not null,
      updated_at timestamptz not null,
      primary key (subject_id, purpose_key)
    );
    create index consent_state_expiry_idx on consent_state (expires_at)
      where status = 'granted' and expires_at is not null;

    create table consent_tcf (
      id uuid primary key,
      subject_id uuid not null references subjects (id),
      tc_string text not null,
      cmp_id integer not null,
      cmp_version integer not null,
      policy_version integer not null,
      vendor_list_version integer not null,
      publisher_cc text not null,
      service_specific boolean not null,
      purpose_consents smallint[] not null,
      purpose_legitimate_interests smallint[] not null,
      special_feature_optins smallint[] not null,
      vendor_consents integer[] not null,
      vendor_legitimate_interests integer[] not null,
      tc_created_at timestamptz,
      tc_updated_at timestamptz,
      recorded_at timestamptz not null,
      actor_type text not null,
      actor_id text
    );
    create index consent_tcf_subject_idx on consent_tcf (subject_id, recorded_at desc);

    create function consent_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'consent history is append-only: % on % is not allowed', tg_op, tg_table_name
        using errcode = 'insufficient_privilege';
    end;
    $$;
    create trigger consent_events_append_only before update or delete or truncate on consent_events
      for each statement execute function consent_refuse_change();
    create trigger consent_purpose_versions_append_only
      before update or delete or truncate on consent_purpose_versions
      for each statement execute function consent_refuse_change();

    create function consent_notify_subject() returns trigger language plpgsql as $$
    begin
      perform pg_notify('custos_consent', new.id::text);
      return null;
    end;
    $$;
    create trigger subjects_consent_notify after update of status on subjects
      for each row when (old.status is distinct from new.status)
      execute function consent_notify_subject();

    create function consent_notify_purposes() returns trigger language plpgsql as $$
    begin
      perform pg_notify('custos_consent', 'purposes');
      return null;
    end;
    $$;
    create trigger consent_purposes_notify after insert or update or delete on consent_purposes
      for each statement execute function consent_notify_purposes();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop trigger subjects_consent_notify on subjects;
    drop table consent_tcf;
    drop table consent_state;
    drop table consent_events;
    drop table consent_purpose_versions;
    drop table consent_purposes;
    drop function consent_notify_purposes();
    drop function consent_notify_subject();
    drop function consent_refuse_change();
  `.execute(db);
}
