import { type Kysely, sql } from 'kysely';

// A privacy center registration is answered before anything is looked up: the request stores what was
// given (name, address, password hash, consent choices and their proof, sealed under a key of the
// registration's own) as one pending registration and enqueues the job that looks the address up and
// either creates the account or tells the owner of an existing one. The job deletes the row; rows a job
// never got to are deleted by the maintenance job an hour after they were made.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table pending_registrations (
      id uuid primary key,
      sealed bytea not null,
      created_at timestamptz not null
    );
    create index pending_registrations_created_at_idx on pending_registrations (created_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table pending_registrations`.execute(db);
}
