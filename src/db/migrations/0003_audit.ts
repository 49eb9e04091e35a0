import { type Kysely, sql } from 'kysely';

// The audit log. Entries form a hash chain (each hash covers the entry's canonical JSON and the previous
// hash); checkpoints are Ed25519 signatures over (seq, hash, time). Both tables are append-only: a
// trigger refuses UPDATE, DELETE and TRUNCATE. `audit_head` holds the last number and hash; every append
// updates it in the same statement that inserts the entry, so concurrent appends queue on its row lock
// and the chain can never fork.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table audit_entries (
      seq bigint primary key check (seq > 0),
      at timestamptz not null,
      actor_type text not null,
      actor_id text,
      action text not null,
      target_type text,
      target_id text,
      purpose text,
      outcome text not null check (outcome in ('success', 'failure', 'denied')),
      request_id text,
      ip_hash text,
      details jsonb not null default '{}',
      prev_hash bytea not null check (length(prev_hash) = 32),
      hash bytea not null check (length(hash) = 32)
    );
    create index audit_entries_action_idx on audit_entries (action text_pattern_ops, seq);
    create index audit_entries_actor_idx on audit_entries (actor_type, actor_id, seq);
    create index audit_entries_target_idx on audit_entries (target_type, target_id, seq) where target_type is not null;
    create index audit_entries_at_idx on audit_entries (at);

    create table audit_checkpoints (
      seq bigint primary key check (seq > 0),
      hash bytea not null check (length(hash) = 32),
      at timestamptz not null,
      key_id text not null,
      signature bytea not null
    );

    create table audit_head (
      id smallint primary key check (id = 1),
      seq bigint not null,
      prev_hash bytea not null,
      hash bytea not null
    );
    insert into audit_head (id, seq, prev_hash, hash)
      values (1, 0, decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'));

    create function audit_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'the audit log is append-only: % on % is not allowed', tg_op, tg_table_name
        using errcode = 'insufficient_privilege';
    end;
    $$;
    create trigger audit_entries_append_only before update or delete or truncate on audit_entries
      for each statement execute function audit_refuse_change();
    create trigger audit_checkpoints_append_only before update or delete or truncate on audit_checkpoints
      for each statement execute function audit_refuse_change();
    create trigger audit_head_keep before delete or truncate on audit_head
      for each statement execute function audit_refuse_change();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table audit_head;
    drop table audit_checkpoints;
    drop table audit_entries;
    drop function audit_refuse_change();
  `.execute(db);
}
