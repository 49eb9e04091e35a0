import { type Kysely, sql } from 'kysely';

// A blind index belongs to one record, and through it to the record's subject. One foreign key on the
// pair (record_id, subject_id) now says both: the index row's subject must be its record's subject, which
// the two single-column keys it replaces never checked, and the database checks one key per index row
// instead of two (an import writes two index rows per line). The pair needs a unique index on records;
// (subject_id, id) takes the place of (subject_id, collection_id), serving lookups by subject as well.
// On blind_indexes, one index on (subject_id, record_id) takes the place of one on each column: it
// serves a subject's erasure (its first column), and the key's cascade when a record is deleted, which
// names both (with an index on each column, that cascade could pick the subject's and scan all of a
// subject's index rows for each of its records). Queries that name a record name its subject too.
// No code path ever wrote an index row without a record; should one exist, it is unreachable and goes.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    delete from blind_indexes where record_id is null;
    alter table blind_indexes alter column record_id set not null;
    create unique index records_subject_record_idx on records (subject_id, id);
    drop index records_subject_idx;
    create index blind_indexes_subject_record_idx on blind_indexes (subject_id, record_id);
    drop index blind_indexes_subject_idx;
    drop index blind_indexes_record_idx;
    alter table blind_indexes
      drop constraint blind_indexes_subject_id_fkey,
      drop constraint blind_indexes_record_id_fkey,
      add constraint blind_indexes_record_fk foreign key (record_id, subject_id)
        references records (id, subject_id) on delete cascade;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table blind_indexes
      drop constraint blind_indexes_record_fk,
      add constraint blind_indexes_subject_id_fkey foreign key (subject_id) references subjects (id),
      add constraint blind_indexes_record_id_fkey foreign key (record_id) references records (id) on delete cascade;
    create index blind_indexes_subject_idx on blind_indexes (subject_id);
    create index blind_indexes_record_idx on blind_indexes (record_id);
    drop index blind_indexes_subject_record_idx;
    create index records_subject_idx on records (subject_id, collection_id);
    drop index records_subject_record_idx;
    alter table blind_indexes alter column record_id drop not null;
  `.execute(db);
}
