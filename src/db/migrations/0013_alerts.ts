import { type Kysely, sql } from 'kysely';

// Security alerts: things an operator should look at (an account locked after failed logins, an audit log
// that fails verification, a webhook given up on, an overdue request, one principal revealing many
// subjects' records). An alert names its subject pseudonymously (`target_type`, `target_id`: an operator
// or request id, a keyed hash of a client network, never an address or a name), and its summary and
// details are written by code, never from personal data. Repeats of the same kind and target while an
// alert is unresolved (within a window) raise its `count` and `last_seen_at` instead of adding rows.
// The note is the operator's own words when acknowledging or resolving.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table alerts (
      id uuid primary key,
      kind text not null check (kind ~ '^[a-z][a-z0-9_]*([.][a-z][a-z0-9_]*)+$'),
      severity text not null check (severity in ('info', 'warning', 'critical')),
      summary text not null check (char_length(summary) between 1 and 500),
      details jsonb not null default '{}',
      target_type text check (target_type ~ '^[a-z][a-z0-9_]{0,49}$'),
      target_id text check (char_length(target_id) <= 200),
      first_seen_at timestamptz not null,
      last_seen_at timestamptz not null,
      count integer not null default 1 check (count > 0),
      status text not null default 'open' check (status in ('open', 'acknowledged', 'resolved')),
      acknowledged_by text,
      acknowledged_at timestamptz,
      resolved_by text,
      resolved_at timestamptz,
      note text check (char_length(note) <= 2000),
      updated_at timestamptz not null default now(),
      check ((target_type is null) = (target_id is null))
    );
    create index alerts_last_seen_idx on alerts (last_seen_at desc, id desc);
    create index alerts_status_last_seen_idx on alerts (status, last_seen_at desc, id desc);
    create index alerts_repeat_idx on alerts (kind, target_type, target_id, last_seen_at desc)
      where status <> 'resolved';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table alerts;`.execute(db);
}
