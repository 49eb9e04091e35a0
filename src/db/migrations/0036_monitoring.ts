import { type Kysely, sql } from 'kysely';

// Monitoring (docs/MONITORING.md): baselines per principal (operator, API key) and per role, folded
// incrementally from the audit log after a stored cursor, the hourly scores with their explanations, and
// the settings of the rules.
//
// - monitoring_cursor: one row; `positions` is the last audit position folded in, per chain
//   ({"0": 123, "1": 98, …}). Chains are appended to in order (an append holds its chain's head until it
//   commits), so "everything past these positions" never skips an entry committed late, as a cursor on
//   the global number would. The job locks this row (FOR UPDATE SKIP LOCKED): one worker folds at a time.
// - monitoring_principals: one row per principal: its role, counts, and its baseline as JSON (moments of
//   its hourly volumes, hours of day, days of week, networks and purposes seen, the open hour).
// - monitoring_roles: the same moments per role, for comparing a principal with its peers.
// - monitoring_scores: one row per principal and hour scored, with the factors that made the score.
// - monitoring_settings: the threshold, warm-up and rules (one row).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table monitoring_cursor (
      id smallint primary key check (id = 1),
      positions jsonb not null default '{}',
      entries bigint not null default 0,
      ran_at timestamptz
    );
    insert into monitoring_cursor (id) values (1);

    create table monitoring_principals (
      principal_type text not null check (principal_type in ('operator', 'api_key')),
      principal_id text not null check (char_length(principal_id) between 1 and 100),
      role text not null check (char_length(role) between 1 and 50),
      first_seen_at timestamptz not null,
      last_seen_at timestamptz not null,
      active_hours integer not null default 0,
      state jsonb not null,
      score real,
      scored_at timestamptz,
      primary key (principal_type, principal_id)
    );

    create table monitoring_roles (
      role text primary key check (char_length(role) between 1 and 50),
      state jsonb not null
    );

    create table monitoring_scores (
      principal_type text not null,
      principal_id text not null,
      hour timestamptz not null,
      score real not null check (score >= 0 and score <= 1),
      factors jsonb not null,
      primary key (principal_type, principal_id, hour)
    );
    create index monitoring_scores_hour_idx on monitoring_scores (hour);

    create table monitoring_settings (
      id smallint primary key check (id = 1),
      settings jsonb not null,
      updated_at timestamptz not null default now(),
      updated_by text
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table monitoring_settings;
    drop table monitoring_scores;
    drop table monitoring_roles;
    drop table monitoring_principals;
    drop table monitoring_cursor;
  `.execute(db);
}
