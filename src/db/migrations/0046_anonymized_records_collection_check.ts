import { type Kysely, sql } from 'kysely';

// A retention run stores anonymized records by the thousand per statement. The foreign key from
// `anonymized_records.collection_id` checked each row with a query of its own (a row trigger), which was
// a fifth of what storing them cost. The same rule is now checked once per statement: every row an
// INSERT or UPDATE writes must name an existing collection; a collection anonymized records name cannot
// be deleted or change its id.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table anonymized_records drop constraint anonymized_records_collection_id_fkey;

    create function anonymized_records_check_collection() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from written w
                  where not exists (select 1 from collections c where c.id = w.collection_id)) then
        raise exception 'anonymized records must name an existing collection'
          using errcode = 'foreign_key_violation';
      end if;
      return null;
    end $$;
    create trigger anonymized_records_collection_insert after insert on anonymized_records
      referencing new table as written for each statement execute function anonymized_records_check_collection();
    create trigger anonymized_records_collection_update after update on anonymized_records
      referencing new table as written for each statement execute function anonymized_records_check_collection();

    create function collections_keep_anonymized() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from anonymized_records a where a.collection_id = old.id) then
        raise exception 'anonymized records still name this collection'
          using errcode = 'foreign_key_violation';
      end if;
      return case when tg_op = 'DELETE' then old else new end;
    end $$;
    create trigger collections_keep_anonymized before delete or update of id on collections
      for each row execute function collections_keep_anonymized();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop trigger collections_keep_anonymized on collections;
    drop function collections_keep_anonymized();
    drop trigger anonymized_records_collection_update on anonymized_records;
    drop trigger anonymized_records_collection_insert on anonymized_records;
    drop function anonymized_records_check_collection();
    alter table anonymized_records
      add constraint anonymized_records_collection_id_fkey foreign key (collection_id) references collections (id);
  `.execute(db);
}
