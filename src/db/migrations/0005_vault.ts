import { type Kysely, sql } from 'kysely';

// The vault: collections (schemas of personal data), subjects, records whose values are sealed per field
// under the subject's data key, blind indexes for exact-match search, and tokens. Nothing here is
// readable without the key ring: `sealed` values are AES-256-GCM ciphertexts, blind indexes are truncated
// HMACs, token values are sealed under the subject's data key.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table collections (
      id uuid primary key,
      name text not null unique,
      description text not null default '',
      multiple boolean not null default false,
      fields jsonb not null,
      version integer not null default 1,
      source text not null default 'api' check (source in ('api', 'config')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table subjects (
      id uuid primary key,
      external_id_index bytea,
      region text,
      status text not null check (status in ('active', 'restricted', 'erased')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      erased_at timestamptz
    );
    create unique index subjects_external_id_idx on subjects (external_id_index) where external_id_index is not null;

    create table records (
      id uuid primary key,
      subject_id uuid not null references subjects (id),
      collection_id uuid not null references collections (id),
      plain jsonb not null default '{}',
      sealed jsonb not null default '{}',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index records_subject_idx on records (subject_id, collection_id);
    create index records_collection_idx on records (collection_id);

    create table blind_indexes (
      kind text not null,
      digest bytea not null,
      subject_id uuid not null references subjects (id),
      record_id uuid references records (id) on delete cascade,
      field text
    );
    create index blind_indexes_lookup_idx on blind_indexes (kind, digest);
    create index blind_indexes_subject_idx on blind_indexes (subject_id);
    create index blind_indexes_record_idx on blind_indexes (record_id);

    create table tokens (
      token text primary key,
      subject_id uuid not null references subjects (id),
      collection text not null,
      field text not null,
      kind text not null check (kind in ('deterministic', 'random')),
      sealed_value bytea not null,
      created_at timestamptz not null default now()
    );
    create index tokens_subject_idx on tokens (subject_id);

    -- Data keys belong to subjects; the tombstone of an erased subject stays, its key does not.
    alter table data_keys add constraint data_keys_subject_fk foreign key (subject_id) references subjects (id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table data_keys drop constraint data_keys_subject_fk;
    drop table tokens;
    drop table blind_indexes;
    drop table records;
    drop table subjects;
    drop table collections;
  `.execute(db);
}
