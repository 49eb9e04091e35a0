import { type Kysely, sql } from 'kysely';

// The key ring. `kek_versions` lists the master key (KEK) versions every instance agrees on: the newest
// unretired one wraps new data keys. Only fingerprints are stored, never key material (that lives in key
// files, the environment or a KMS). `data_keys` holds one data key (DEK) per subject, wrapped with
// AES-256-GCM under a KEK version; deleting the row is crypto-shredding. `key_fingerprints` holds the
// fingerprints of the other long-lived keys (the blind-index root) so an instance started with the wrong
// key file refuses to work instead of writing lookups nobody can find.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table kek_versions (
      version integer primary key check (version > 0),
      fingerprint text not null,
      created_at timestamptz not null default now(),
      retired_at timestamptz
    );

    create table data_keys (
      subject_id uuid primary key,
      wrapped_key bytea not null,
      kek_version integer not null references kek_versions (version),
      created_at timestamptz not null default now(),
      rewrapped_at timestamptz
    );
    create index data_keys_kek_version_idx on data_keys (kek_version);

    create table key_fingerprints (
      name text primary key,
      fingerprint text not null,
      created_at timestamptz not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table key_fingerprints;
    drop table data_keys;
    drop table kek_versions;
  `.execute(db);
}
