import { type Kysely, sql } from 'kysely';

// Where subjects of a policy's region may be stored: the places an instance's configured location must lie
// in (null: no requirement), and what start-up does when it does not (warn, or refuse to start).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table residency_policies add column storage_locations text[]`.execute(db);
  await sql`alter table residency_policies add column storage_at_startup text not null default 'warn'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table residency_policies drop column storage_at_startup`.execute(db);
  await sql`alter table residency_policies drop column storage_locations`.execute(db);
}
