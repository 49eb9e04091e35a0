import { type Kysely, sql } from 'kysely';

// Operators (the privacy team's accounts), their sessions, MFA, setup/invite tokens, API keys and login
// throttling. Secrets are never stored in a form that can be replayed: session tokens, API key secrets,
// setup tokens and recovery codes are stored as SHA-256 digests; passwords as argon2id; TOTP seeds
// encrypted with AES-256-GCM.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table operators (
      id uuid primary key,
      email text not null,
      display_name text not null,
      roles text[] not null default '{}',
      status text not null check (status in ('invited', 'active', 'disabled')),
      password_hash text,
      password_changed_at timestamptz,
      mfa_enabled boolean not null default false,
      mfa_secret bytea,
      mfa_pending_secret bytea,
      mfa_last_step bigint not null default 0,
      mfa_enrolled_at timestamptz,
      last_login_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index operators_email_idx on operators (lower(email));

    create table operator_recovery_codes (
      id uuid primary key,
      operator_id uuid not null references operators (id) on delete cascade,
      code_hash text not null,
      used_at timestamptz,
      created_at timestamptz not null default now()
    );
    create index operator_recovery_codes_operator_idx on operator_recovery_codes (operator_id);

    create table sessions (
      id text primary key,
      operator_id uuid not null references operators (id) on delete cascade,
      csrf_token text not null,
      mfa_satisfied boolean not null,
      created_at timestamptz not null,
      last_seen_at timestamptz not null,
      expires_at timestamptz not null,
      revoked_at timestamptz
    );
    create index sessions_operator_idx on sessions (operator_id);
    create index sessions_expires_at_idx on sessions (expires_at);

    create table setup_tokens (
      id uuid primary key,
      token_hash text not null unique,
      purpose text not null check (purpose in ('first_admin', 'invitation')),
      operator_id uuid references operators (id) on delete cascade,
      expires_at timestamptz not null,
      used_at timestamptz,
      created_at timestamptz not null default now()
    );

    create table api_keys (
      id uuid primary key,
      prefix text not null unique,
      secret_hash text not null,
      name text not null,
      permissions text[] not null,
      created_by uuid references operators (id) on delete set null,
      created_at timestamptz not null default now(),
      expires_at timestamptz,
      last_used_at timestamptz,
      revoked_at timestamptz
    );

    create table login_throttle (
      key text primary key,
      failures integer not null,
      window_started_at timestamptz not null,
      blocked_until timestamptz
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table login_throttle;
    drop table api_keys;
    drop table setup_tokens;
    drop table sessions;
    drop table operator_recovery_codes;
    drop table operators;
  `.execute(db);
}
