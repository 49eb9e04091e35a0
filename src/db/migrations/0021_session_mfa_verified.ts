import { type Kysely, sql } from 'kysely';

// `mfa_satisfied` says a session may act: it is true at login for an operator whose roles do not require
// MFA and who has not enrolled, so it cannot tell "passed a second factor" from "needed none". Granting
// the admin role needs the former (the grant policy), so a session now records when a second factor (a
// TOTP code or a recovery code) was checked in it: at MFA verification after login and at confirmation of
// an enrolment. A rotated session (password change) keeps the instant. Sessions open when this runs have
// none recorded: an admin signs in again before granting admin.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sessions add column mfa_verified_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sessions drop column mfa_verified_at`.execute(db);
}
