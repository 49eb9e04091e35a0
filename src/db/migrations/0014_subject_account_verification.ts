import { type Kysely, sql } from 'kysely';

// E-mail verification of privacy center accounts. A new account starts `pending_verification` with a
// deadline (`verify_by`); a one-time code e-mailed to the address activates it. Codes are stored as an HMAC
// under a server-side key over a per-code salt, the account id and the code (never the code itself), count
// wrong tries, and go with their account. Accounts made before this migration stay `active`; `status` has
// no default afterwards, so every new account states what it is. `notified_at` bounds the "you already have
// an account" notices a repeated registration sends to one an hour.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table subject_accounts
      add column status text not null default 'active'
        check (status in ('pending_verification', 'active')),
      add column verify_by timestamptz,
      add column verified_at timestamptz,
      add column notified_at timestamptz;
    alter table subject_accounts alter column status drop default;
    alter table subject_accounts add constraint subject_accounts_verify_by_check
      check ((status = 'pending_verification') = (verify_by is not null));
    create index subject_accounts_pending_idx on subject_accounts (verify_by)
      where status = 'pending_verification';

    create table subject_account_codes (
      id uuid primary key,
      account_id uuid not null references subject_accounts (id) on delete cascade,
      salt bytea not null check (length(salt) = 16),
      digest bytea not null check (length(digest) = 32),
      attempts integer not null default 0,
      expires_at timestamptz not null,
      created_at timestamptz not null,
      spent_at timestamptz
    );
    create index subject_account_codes_account_idx on subject_account_codes (account_id, created_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table subject_account_codes;
    drop index subject_accounts_pending_idx;
    alter table subject_accounts
      drop constraint subject_accounts_verify_by_check,
      drop column notified_at,
      drop column verified_at,
      drop column verify_by,
      drop column status;
  `.execute(db);
}
