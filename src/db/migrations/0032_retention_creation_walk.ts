import { type Kysely, sql } from 'kysely';

// Retention runs over collections whose rules all count from a record's creation walk the records in
// creation order, starting with the oldest: only those that may be due are ever read, one index range
// scan per window, instead of every record of the collection in id order.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index records_collection_created_idx on records (collection_id, created_at, id)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index records_collection_created_idx`.execute(db);
}
