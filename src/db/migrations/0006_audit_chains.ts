import { type Kysely, sql } from 'kysely';

/** How many chains the log is split into: as many audited transactions can commit at the same time. */
export const auditChainCount = 8;

// The audit log becomes several hash chains. With one chain, every audited transaction held the one head
// row from its append until its commit, so audited writes committed one at a time. Now `audit_head` has a
// row per chain; an append takes a free one (FOR UPDATE SKIP LOCKED) and links into that chain only.
// Entries keep one global number, from a sequence (rolled-back appends leave gaps), and gain their chain
// and their position in it, which run without gaps. The hash formula is unchanged, so the existing log is
// chain 0 as it stands: positions are the old numbers.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table audit_head drop constraint audit_head_id_check;
    alter table audit_head rename column id to chain;
    update audit_head set chain = 0;
    alter table audit_head add column chain_seq bigint;
    update audit_head set chain_seq = seq;
    alter table audit_head alter column chain_seq set not null;
    alter table audit_head add constraint audit_head_chain_check check (chain >= 0 and chain < 256);
    insert into audit_head (chain, seq, chain_seq, prev_hash, hash)
      select chain, 0, 0, decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex')
        from generate_series(1, ${sql.lit(auditChainCount - 1)}) as chain;

    alter table audit_entries add column chain smallint not null default 0;
    alter table audit_entries add column chain_seq bigint;
    alter table audit_entries disable trigger audit_entries_append_only;
    update audit_entries set chain_seq = seq;
    alter table audit_entries enable trigger audit_entries_append_only;
    alter table audit_entries alter column chain_seq set not null;
    alter table audit_entries alter column chain drop default;
    alter table audit_entries add constraint audit_entries_chain_position unique (chain, chain_seq);

    create sequence audit_entries_seq as bigint owned by audit_entries.seq;
    select setval('audit_entries_seq', coalesce((select max(seq) from audit_entries), 0) + 1, false);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Only a log still in one chain can go back: merging chains would need new hashes.
  await sql`
    do $$
    begin
      if exists (select 1 from audit_entries where chain <> 0) then
        raise exception 'the audit log uses several chains and cannot be migrated down';
      end if;
    end;
    $$;
    drop sequence audit_entries_seq;
    alter table audit_entries drop constraint audit_entries_chain_position;
    alter table audit_entries drop column chain_seq;
    alter table audit_entries drop column chain;
    alter table audit_head disable trigger audit_head_keep;
    delete from audit_head where chain <> 0;
    alter table audit_head enable trigger audit_head_keep;
    alter table audit_head drop constraint audit_head_chain_check;
    alter table audit_head drop column chain_seq;
    alter table audit_head rename column chain to id;
    update audit_head set id = 1;
    alter table audit_head add constraint audit_head_id_check check (id = 1);
  `.execute(db);
}
