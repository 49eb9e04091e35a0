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

    -- One append: take a chain (the given one, else a free one, else wait for one at random), number the
    -- entry, link it (hash = sha256(prev hash as hex || canonical before || seq || canonical after)),
    -- insert it and move the head. A function, so its statements are planned once per connection and
    -- the fallback costs no extra round trip. The hash comes back only at positions that are a multiple
    -- of hash_every, the ones a checkpoint is signed for.
    create function audit_append(
      want_chain smallint, canonical_before text, canonical_after text, entry_at timestamptz,
      entry_actor_type text, entry_actor_id text, entry_action text, entry_target_type text,
      entry_target_id text, entry_purpose text, entry_outcome text, entry_request_id text,
      entry_ip_hash text, entry_details jsonb, hash_every bigint
    ) returns table (chain smallint, seq bigint, chain_seq bigint, hash text)
    language plpgsql as $$
    declare
      taken smallint;
      next_seq bigint;
      head audit_head%rowtype;
    begin
      if want_chain is not null then
        select h.chain into taken from audit_head h where h.chain = want_chain for update;
      else
        select h.chain into taken from audit_head h order by h.chain limit 1 for update skip locked;
        if taken is null then
          select h.chain into taken from audit_head h order by random() limit 1 for update;
        end if;
      end if;
      if taken is null then
        raise exception 'audit chain % does not exist', want_chain;
      end if;
      next_seq := nextval('audit_entries_seq');
      update audit_head h
         set seq = next_seq,
             chain_seq = h.chain_seq + 1,
             prev_hash = h.hash,
             hash = sha256(convert_to(encode(h.hash, 'hex') || canonical_before || next_seq::text
                                      || canonical_after, 'UTF8'))
       where h.chain = taken
       returning h.* into head;
      insert into audit_entries (seq, chain, chain_seq, at, actor_type, actor_id, action, target_type,
                                 target_id, purpose, outcome, request_id, ip_hash, details, prev_hash, hash)
        values (head.seq, head.chain, head.chain_seq, entry_at, entry_actor_type, entry_actor_id,
                entry_action, entry_target_type, entry_target_id, entry_purpose, entry_outcome,
                entry_request_id, entry_ip_hash, entry_details, head.prev_hash, head.hash);
      return query select head.chain, head.seq, head.chain_seq,
        case when head.chain_seq % hash_every = 0 then encode(head.hash, 'hex') end;
    end;
    $$;
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
    drop function audit_append;
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
