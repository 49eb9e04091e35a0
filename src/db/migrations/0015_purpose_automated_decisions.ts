import { type Kysely, sql } from 'kysely';

// Automated decision-making per purpose (GDPR Art. 13(2)(f), 14(2)(g), 15(1)(h)): whether decisions based
// solely on automated processing, including profiling, are made for the purpose and, if so, the logic
// involved, its significance and the envisaged consequences for the subject. Kept on the purpose and on
// each version of its terms, since it is part of what a subject is told.
//
// With it, the rest of the Data Rights Protocol's business side: the `sale:opt-in` exercise (a CCPA
// `opt_in` request, recorded as consent grants once the consumer confirms it; its timeline entry is
// `opted_in`), and an opaque id per DRP request for its `user_verification_url` (random, not the request
// id, so knowing a request id does not open its verification page), and until when a fulfilled access
// request's results can be fetched (its package's expiry, noted when it closes).
const decisionColumns = sql`
  add column automated_decisions boolean not null default false,
  add column automated_decision_logic text,
  add column automated_decision_significance text,
  add column automated_decision_consequences text`;

const decisionCheck = sql`check (
  (automated_decisions and automated_decision_logic is not null
    and automated_decision_significance is not null and automated_decision_consequences is not null)
  or (not automated_decisions and automated_decision_logic is null
    and automated_decision_significance is null and automated_decision_consequences is null))`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table consent_purposes ${decisionColumns},
      add constraint consent_purposes_automated_decisions_check ${decisionCheck};
    alter table consent_purpose_versions ${decisionColumns},
      add constraint consent_purpose_versions_automated_decisions_check ${decisionCheck};

    alter table data_subject_requests drop constraint data_subject_requests_type_check,
      add constraint data_subject_requests_type_check check (type in (
        'access', 'rectification', 'erasure', 'restriction', 'portability', 'objection',
        'know', 'delete', 'correct', 'opt_out', 'opt_in'));

    alter table request_events drop constraint request_events_kind_check,
      add constraint request_events_kind_check check (kind in (
        'received', 'state_changed', 'assigned', 'extended', 'verification_code_sent', 'verification_failed',
        'export_created', 'export_downloaded', 'rectified', 'erased', 'restricted', 'restriction_lifted',
        'objected', 'opted_in', 'systems_notified', 'system_confirmed', 'system_failed', 'system_retried'));

    alter table drp_requests drop constraint drp_requests_exercise_check,
      add constraint drp_requests_exercise_check check (exercise in (
        'access', 'access:categories', 'access:specific', 'deletion', 'sale:opt-out', 'sale:opt-in')),
      add column verification_id uuid not null unique default gen_random_uuid(),
      add column results_expires_at timestamptz;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table drp_requests drop column verification_id, drop column results_expires_at,
      drop constraint drp_requests_exercise_check,
      add constraint drp_requests_exercise_check check (exercise in (
        'access', 'access:categories', 'access:specific', 'deletion', 'sale:opt-out'));
    alter table data_subject_requests drop constraint data_subject_requests_type_check,
      add constraint data_subject_requests_type_check check (type in (
        'access', 'rectification', 'erasure', 'restriction', 'portability', 'objection',
        'know', 'delete', 'correct', 'opt_out'));
    alter table request_events drop constraint request_events_kind_check,
      add constraint request_events_kind_check check (kind in (
        'received', 'state_changed', 'assigned', 'extended', 'verification_code_sent', 'verification_failed',
        'export_created', 'export_downloaded', 'rectified', 'erased', 'restricted', 'restriction_lifted',
        'objected', 'systems_notified', 'system_confirmed', 'system_failed', 'system_retried'));
    alter table consent_purpose_versions drop constraint consent_purpose_versions_automated_decisions_check,
      drop column automated_decisions, drop column automated_decision_logic,
      drop column automated_decision_significance, drop column automated_decision_consequences;
    alter table consent_purposes drop constraint consent_purposes_automated_decisions_check,
      drop column automated_decisions, drop column automated_decision_logic,
      drop column automated_decision_significance, drop column automated_decision_consequences;
  `.execute(db);
}
