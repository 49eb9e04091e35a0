import { type Kysely, sql } from 'kysely';

// Consent choices made at privacy center registration wait with the account until its e-mail address is
// confirmed (a registrant could give someone else's address; consent from them would not be the address
// owner's, GDPR Art. 7(1)). `pending_consents` holds only the choices and the proof taken with them:
// purpose keys, versions, grant or deny, GPC, the time, the form id and the keyed hashes of IP address and
// user agent. Confirming records them through the consent module and clears the column in the same
// transaction; an unconfirmed registration is deleted with its subject, and the choices with it. Accounts
// pending when this runs had their choices recorded at registration already, so they hold none.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table subject_accounts add column pending_consents jsonb;
    alter table subject_accounts add constraint subject_accounts_pending_consents_check
      check (pending_consents is null or status = 'pending_verification');
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table subject_accounts
      drop constraint subject_accounts_pending_consents_check,
      drop column pending_consents;
  `.execute(db);
}
