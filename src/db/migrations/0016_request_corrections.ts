import { type Kysely, sql } from 'kysely';

// What a data subject asked to have corrected when filing a rectification request through the privacy
// center: the records, fields and corrected values, sealed (AES-256-GCM under the requests key, bound to the
// request id) like the contact address and notes. Cleared when the request closes; the timeline and the
// audit log keep only the names of the fields.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table data_subject_requests add column corrections_sealed bytea`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table data_subject_requests drop column corrections_sealed`.execute(db);
}
