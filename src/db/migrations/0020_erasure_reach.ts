import { type Kysely, sql } from 'kysely';

// Erasure reaches every copy Custos made of a subject, not only the vault. Request exports, outbox
// messages, contact addresses, corrections, operator notes, downstream systems' answers, DRP identity
// claims and legal-hold notes were sealed under keys of their modules, so shredding the subject's data key
// left them readable. Erasure now removes their content (the registry of places in
// vault/personal-data.ts); this migration lets it, and does the same for subjects erased before it ran.
//
// - request_exports: the file may be gone (erased_at set) while the row stays, so its link answers 410.
// - mail_outbox: a new status `erased` (content removed, metadata kept); an index finds messages by what
//   they are about.
// - request_events stays append-only, except that a note may be erased: one row-level trigger allows an
//   UPDATE that sets note_sealed to null and changes nothing else.
// - erased_records: the ids of records crypto-shredding deleted, and their subject, so reading one answers
//   410 subject_erased rather than 404 (ids only, no values).
/** Requests of subjects erased (or erased but for what retention keeps) before this migration. */
const erasedRequestsQuery = `
  select r.id from data_subject_requests r join subjects s on s.id = r.subject_id
  where s.status = 'erased' or exists (select 1 from erasure_retentions e where e.subject_id = s.id)`;
const erasedRequests = sql.raw(erasedRequestsQuery);
const erasedRequestRefs = sql.raw(`select id::text from (${erasedRequestsQuery}) erased`);

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table request_exports alter column sealed drop not null, add column erased_at timestamptz;
    alter table request_exports add constraint request_exports_erased_check
      check ((erased_at is null) = (sealed is not null));

    alter table mail_outbox drop constraint mail_outbox_status_check;
    alter table mail_outbox drop constraint mail_outbox_check;
    alter table mail_outbox add constraint mail_outbox_status_check
      check (status in ('held', 'queued', 'sent', 'failed', 'erased'));
    alter table mail_outbox add constraint mail_outbox_content_check
      check ((status in ('sent', 'erased')) = (sealed is null));
    create index mail_outbox_reference_idx on mail_outbox (reference_type, reference_id);

    create index request_system_tasks_request_idx on request_system_tasks (request_id);

    drop trigger request_events_append_only on request_events;
    create trigger request_events_append_only before delete or truncate on request_events
      for each statement execute function request_events_refuse_change();
    create function request_events_only_erase_notes() returns trigger language plpgsql as $$
    begin
      if new.note_sealed is null
        and (new.seq, new.request_id, new.kind, new.from_state, new.to_state, new.actor_type, new.actor_id,
             new.details, new.at)
          is not distinct from
            (old.seq, old.request_id, old.kind, old.from_state, old.to_state, old.actor_type, old.actor_id,
             old.details, old.at) then
        return new;
      end if;
      raise exception 'a request timeline is append-only: only erasing a note is allowed'
        using errcode = 'insufficient_privilege';
    end;
    $$;
    create trigger request_events_erase_notes_only before update on request_events
      for each row execute function request_events_only_erase_notes();

    create table erased_records (
      id uuid primary key,
      subject_id uuid not null references subjects (id)
    );

    update data_subject_requests set contact_sealed = null, corrections_sealed = null
      where id in (${erasedRequests})
        and (contact_sealed is not null or corrections_sealed is not null);
    update request_events set note_sealed = null
      where request_id in (${erasedRequests}) and note_sealed is not null;
    update request_exports set sealed = null, erased_at = now()
      where request_id in (${erasedRequests}) and sealed is not null;
    update request_system_tasks set detail_sealed = null
      where request_id in (${erasedRequests}) and detail_sealed is not null;
    update drp_requests set claims_sealed = null
      where request_id in (${erasedRequests}) and claims_sealed is not null;
    delete from request_verification_codes where request_id in (${erasedRequests});
    update legal_holds set note_sealed = null
      where note_sealed is not null
        and subject_id in (select id from subjects where status = 'erased');
    -- Held mail about them, except the answers to their erasure requests (still to be passed on).
    update mail_outbox set status = 'erased', sealed = null
      where sealed is not null and kind <> 'request.erasure_done'
        and ((reference_type = 'request'
              and reference_id in (${erasedRequestRefs}))
          or (reference_type = 'subject'
              and reference_id in (select id::text from subjects where status = 'erased')));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table erased_records;
    drop trigger request_events_erase_notes_only on request_events;
    drop function request_events_only_erase_notes();
    drop trigger request_events_append_only on request_events;
    create trigger request_events_append_only before update or delete or truncate on request_events
      for each statement execute function request_events_refuse_change();
    drop index request_system_tasks_request_idx;
    drop index mail_outbox_reference_idx;
    delete from mail_outbox where status = 'erased';
    alter table mail_outbox drop constraint mail_outbox_content_check;
    alter table mail_outbox drop constraint mail_outbox_status_check;
    alter table mail_outbox add constraint mail_outbox_status_check
      check (status in ('held', 'queued', 'sent', 'failed'));
    alter table mail_outbox add constraint mail_outbox_check check ((status = 'sent') = (sealed is null));
    delete from request_exports where sealed is null;
    alter table request_exports drop constraint request_exports_erased_check;
    alter table request_exports drop column erased_at, alter column sealed set not null;
  `.execute(db);
}
