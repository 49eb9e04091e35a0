import { type Kysely, sql } from 'kysely';

// A collection that holds one record per subject says so in the database too: its records are marked
// `sole`, and a unique index allows one sole record per subject and collection. The service checks the
// rule before writing, but two creates racing for the same subject could both pass that check; the index
// makes the second fail instead of storing a duplicate. A collection widened to many records per subject
// unmarks its records (narrowing is refused). Should a database already hold duplicates, the oldest
// record of each subject is marked and the others stay readable, unmarked.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table records add column sole boolean not null default false;
    update records r
       set sole = true
      from collections c
     where c.id = r.collection_id
       and not c.multiple
       and not exists (
             select 1 from records o
              where o.subject_id = r.subject_id and o.collection_id = r.collection_id
                and (o.created_at, o.id) < (r.created_at, r.id));
    create unique index records_sole_idx on records (subject_id, collection_id) where sole;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index records_sole_idx;
    alter table records drop column sole;
  `.execute(db);
}
