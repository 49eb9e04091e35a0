import { type Kysely, sql } from 'kysely';

// Website purposes: the ones the consent banner (`/consent.js`) shows to a site's visitors. Not part of a
// purpose's terms (no new version), like its name.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table consent_purposes add column website boolean not null default false`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table consent_purposes drop column website`.execute(db);
}
