import { type Kysely, sql } from 'kysely';

// Retention schedules: the retention policies erasure already honoured become rules that also run on their
// own. A rule now covers a collection, a data category or a consent purpose; it starts counting at a
// trigger (kept as JSON: the record's creation, the subject's last activity, the end of the relationship,
// a withdrawn or expired consent, a date field, an age reached); its period may be absent ("until the
// trigger"); it deletes, anonymizes or crypto-shreds; and its legal ground may be absent, for rules that
// only limit storage. Subjects gain the two facts the triggers read: their last activity (moved at most
// once a day, by a statement-level trigger on record writes and by the application) and the end of their
// relationship. Anonymized records leave the subject: `anonymized_records` keeps their values with no
// subject, key or index, so they survive the subject's shredding and link to no one. `retention_runs`
// record each run and its progress, so a run killed midway is finished by the next.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table retention_policies
      drop constraint retention_policies_check,
      drop constraint retention_policies_legal_basis_check,
      drop constraint retention_policies_duration_check,
      add column purpose text,
      add column trigger jsonb not null default '{"type":"record_created"}',
      add column action text not null default 'delete' check (action in ('delete', 'anonymize', 'shred')),
      alter column legal_basis drop not null,
      alter column duration drop not null,
      add constraint retention_policies_legal_basis_check check (legal_basis is null or legal_basis in (
        'legal_obligation', 'legal_claims', 'public_interest', 'public_health', 'archiving_research',
        'freedom_of_expression')),
      add constraint retention_policies_duration_check
        check (duration ~ '^P([0-9]+Y)?([0-9]+M)?([0-9]+D)?$' and duration <> 'P'),
      add constraint retention_policies_scope_check
        check (num_nonnulls(collection, data_category, purpose) = 1);

    alter table subjects
      add column last_active_at timestamptz,
      add column relationship_ended_at timestamptz;
    update subjects set last_active_at = updated_at;
    alter table subjects alter column last_active_at set default now(),
      alter column last_active_at set not null;

    -- Writes are activity: one update per statement for the subjects it wrote to, at most once a day each.
    create function records_touch_activity() returns trigger language plpgsql as $$
    begin
      update subjects s set last_active_at = now()
        from (select distinct subject_id from written) w
       where s.id = w.subject_id and s.last_active_at < date_trunc('day', now());
      return null;
    end $$;
    create trigger records_activity_insert after insert on records
      referencing new table as written for each statement execute function records_touch_activity();
    create trigger records_activity_update after update on records
      referencing new table as written for each statement execute function records_touch_activity();

    -- Runs walk a collection's records in id order, a window at a time; this index (a superset of the
    -- collection index it replaces) makes each window one index range scan.
    create index records_collection_id_idx on records (collection_id, id);
    drop index records_collection_idx;

    create table anonymized_records (
      id uuid primary key,
      collection_id uuid not null references collections (id),
      rule_id uuid,
      fields jsonb not null,
      anonymized_at timestamptz not null
    );
    create index anonymized_records_collection_idx on anonymized_records (collection_id);

    create table retention_runs (
      id uuid primary key,
      kind text not null check (kind in ('review', 'anonymization', 'manual')),
      actions text[] not null,
      status text not null check (status in ('running', 'completed', 'failed')),
      started_at timestamptz not null,
      heartbeat_at timestamptz not null,
      finished_at timestamptz,
      resumed integer not null default 0,
      -- Per collection, the last record id done (records are taken in id order) and whether it is finished.
      progress jsonb not null default '{}',
      -- Per rule: records deleted, anonymized, shredded subjects, records due soon.
      results jsonb not null default '{}',
      error text
    );
    create index retention_runs_started_idx on retention_runs (started_at desc);
    -- One run at a time: every worker joins the run in progress rather than start a second one.
    create unique index retention_runs_one_open_idx on retention_runs ((true)) where status = 'running';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table retention_runs;
    drop table anonymized_records;
    create index records_collection_idx on records (collection_id);
    drop index records_collection_id_idx;
    drop trigger records_activity_update on records;
    drop trigger records_activity_insert on records;
    drop function records_touch_activity();
    alter table subjects drop column relationship_ended_at, drop column last_active_at;
    delete from retention_policies where purpose is not null or legal_basis is null or duration is null;
    alter table retention_policies
      drop constraint retention_policies_scope_check,
      drop constraint retention_policies_duration_check,
      drop constraint retention_policies_legal_basis_check,
      drop column action,
      drop column trigger,
      drop column purpose,
      alter column legal_basis set not null,
      alter column duration set not null,
      add constraint retention_policies_legal_basis_check check (legal_basis in (
        'legal_obligation', 'legal_claims', 'public_interest', 'public_health', 'archiving_research',
        'freedom_of_expression')),
      add constraint retention_policies_duration_check
        check (duration ~ '^P([0-9]+Y)?([0-9]+M)?([0-9]+D)?$' and duration <> 'P'),
      add constraint retention_policies_check check ((collection is null) <> (data_category is null));
  `.execute(db);
}
