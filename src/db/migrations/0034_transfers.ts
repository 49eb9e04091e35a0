import { type Kysely, sql } from 'kysely';

// Cross-border transfers (GDPR Chapter V). The adequacy list ships as a file; this table holds only the
// operator's overrides of it (an entry replacing or adding a decision, or revoking a shipped one), keyed
// by the decision's id. Residency policies govern one exporter region each. Mechanisms are recorded per
// recipient (a system, processor or webhook endpoint of the data map, or a recipient named by hand) and
// destination; transfer impact assessments belong to a mechanism. Dates of law (in force, signed, review)
// are calendar dates kept as ISO text, compared as text.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table transfer_adequacy_overrides (
      id text primary key check (char_length(id) between 1 and 64),
      regime text not null check (regime in ('EU', 'UK', 'CH')),
      entry jsonb not null,
      revoked boolean not null default false,
      note text not null check (char_length(note) between 1 and 2000),
      created_at timestamptz not null,
      updated_at timestamptz not null
    );

    create table residency_policies (
      id uuid primary key,
      name text not null check (char_length(name) between 1 and 200),
      region text not null unique check (char_length(region) between 2 and 8),
      allowed_destinations text[],
      classification_destinations jsonb not null default '{}',
      special_category_destinations text[],
      require_mechanism boolean not null default false,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );

    create table transfer_mechanisms (
      id uuid primary key,
      recipient_type text not null check (recipient_type in ('system', 'processor', 'endpoint', 'other')),
      recipient_id text check (char_length(recipient_id) <= 200),
      recipient_name text not null check (char_length(recipient_name) between 1 and 200),
      destination text not null check (char_length(destination) between 2 and 8),
      kind text not null check (kind in ('adequacy_scope', 'scc', 'bcr', 'code_of_conduct', 'certification', 'derogation')),
      details jsonb not null,
      valid_from text check (valid_from ~ '^\\d{4}-\\d{2}-\\d{2}$'),
      valid_until text check (valid_until ~ '^\\d{4}-\\d{2}-\\d{2}$'),
      created_at timestamptz not null,
      updated_at timestamptz not null,
      check (valid_until is null or valid_from is null or valid_from <= valid_until)
    );
    create index transfer_mechanisms_recipient_idx on transfer_mechanisms (recipient_type, recipient_id, destination);

    create table transfer_tias (
      id uuid primary key,
      mechanism_id uuid not null references transfer_mechanisms (id) on delete cascade,
      destination_law_assessment text not null check (char_length(destination_law_assessment) between 1 and 8000),
      measures jsonb not null,
      conclusion text not null check (conclusion in ('proceed', 'proceed_with_measures', 'suspend')),
      assessed_on text not null check (assessed_on ~ '^\\d{4}-\\d{2}-\\d{2}$'),
      review_on text not null check (review_on ~ '^\\d{4}-\\d{2}-\\d{2}$'),
      created_at timestamptz not null,
      check (assessed_on <= review_on)
    );
    create index transfer_tias_mechanism_idx on transfer_tias (mechanism_id, created_at desc);

    -- Where a webhook endpoint's receiver is (ISO 3166-1 alpha-2): residency is enforced before delivery.
    alter table webhook_endpoints add column location text check (char_length(location) between 2 and 8);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table webhook_endpoints drop column location;
    drop table transfer_tias;
    drop table transfer_mechanisms;
    drop table residency_policies;
    drop table transfer_adequacy_overrides;
  `.execute(db);
}
