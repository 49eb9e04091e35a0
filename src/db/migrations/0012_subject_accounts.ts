import { type Kysely, sql } from 'kysely';

// Privacy center accounts of data subjects and their sessions. An account holds no personal data in clear:
// the e-mail address is kept as a keyed hash (HMAC-SHA256 under a key derived for this use) to find the
// account at login, the password as argon2id; the name and address themselves live sealed in the vault,
// under the subject's data key. Session tokens are stored as SHA-256 digests. Erasing the subject deletes
// the account (and with it its sessions) in the shredding transaction.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table subject_accounts (
      id uuid primary key,
      subject_id uuid not null unique references subjects (id),
      email_index bytea not null,
      password_hash text not null,
      last_login_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index subject_accounts_email_idx on subject_accounts (email_index);

    create table subject_sessions (
      id text primary key,
      account_id uuid not null references subject_accounts (id) on delete cascade,
      csrf_token text not null,
      created_at timestamptz not null,
      last_seen_at timestamptz not null,
      expires_at timestamptz not null,
      revoked_at timestamptz
    );
    create index subject_sessions_account_idx on subject_sessions (account_id);
    create index subject_sessions_expires_at_idx on subject_sessions (expires_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table subject_sessions;
    drop table subject_accounts;
  `.execute(db);
}
