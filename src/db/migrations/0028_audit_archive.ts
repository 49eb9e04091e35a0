import { type Kysely, sql } from 'kysely';

// Audit-log retention. Old entries are archived to signed segment files and then deleted, a prefix of each
// chain at a time; `audit_cuts` holds the signed statement of each such cut (where every chain now starts,
// chained to the cut before), so verification of what remains starts from a signed point and a row deleted
// beyond it shows as a gap. The blanket refusal of DELETE on `audit_entries` becomes a row check: a row may
// be deleted only inside a transaction that names a cut (`custos.audit_cut`, set locally by the pruning)
// and only when the cut covers its position. UPDATE and TRUNCATE stay refused, and cuts are append-only.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table audit_cuts (
      cut_seq bigint primary key check (cut_seq > 0),
      at timestamptz not null,
      prev_hash bytea not null check (length(prev_hash) = 32),
      hash bytea not null check (length(hash) = 32),
      key_id text not null,
      signature bytea not null,
      heads jsonb not null,
      checkpoint_seq bigint not null,
      entries bigint not null check (entries >= 0),
      retention jsonb not null
    );
    create trigger audit_cuts_append_only before update or delete or truncate on audit_cuts
      for each statement execute function audit_refuse_change();

    drop trigger audit_entries_append_only on audit_entries;
    create trigger audit_entries_append_only before update or truncate on audit_entries
      for each statement execute function audit_refuse_change();

    create function audit_entries_prune_only() returns trigger language plpgsql as $$
    declare
      cut_no bigint := nullif(current_setting('custos.audit_cut', true), '')::bigint;
    begin
      if cut_no is null or not exists (
        select 1 from audit_cuts c cross join lateral jsonb_array_elements(c.heads) head
         where c.cut_seq = cut_no
           and (head ->> 'chain')::int = old.chain
           and old.chain_seq <= (head ->> 'chainSeq')::bigint
      ) then
        raise exception 'the audit log is append-only: DELETE on audit_entries is allowed only for entries a signed cut archived'
          using errcode = 'insufficient_privilege';
      end if;
      return old;
    end;
    $$;
    create trigger audit_entries_prune_only before delete on audit_entries
      for each row execute function audit_entries_prune_only();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Entries already pruned stay in their archive segments; the database log then starts at the last cut,
  // which only this migration's verification understands, so going down is refused once a cut exists.
  await sql`
    do $$
    begin
      if exists (select 1 from audit_cuts) then
        raise exception 'the audit log was pruned (audit_cuts has rows) and cannot be migrated down';
      end if;
    end;
    $$;
    drop trigger audit_entries_prune_only on audit_entries;
    drop function audit_entries_prune_only();
    drop trigger audit_entries_append_only on audit_entries;
    create trigger audit_entries_append_only before update or delete or truncate on audit_entries
      for each statement execute function audit_refuse_change();
    drop table audit_cuts;
  `.execute(db);
}
