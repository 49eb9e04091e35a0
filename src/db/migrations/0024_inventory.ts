import { type Kysely, sql } from 'kysely';

// The inventory: the data map's register. The requests module's `downstream_systems` become the
// inventory's `inventory_systems` (one register of systems), with what a data map says of each: its kind,
// locations, data subjects, classification, retention, encryption, access controls, geographic
// restrictions and the processor operating it. Existing rows carry over with defaults, and
// `request_system_tasks` keeps its foreign key (a rename keeps it). The endpoint becomes optional: a system
// without one is in the map but is sent no tasks; one with an endpoint still names its data categories,
// since tasks go to the systems whose categories overlap.
//
// New: processors (Art. 28, with sub-processor chains and the DPA), processing activities (Art. 30) and
// their links to systems, processors and security measures (purposes and collections are named by key,
// since they belong to other modules), the register of measures (seeded with three common ones), and the
// organization profile (one row).
const kinds = sql.raw(`'internal_application', 'database', 'saas', 'processor_hosted', 'paper'`);
const classifications = sql.raw(`'public', 'internal', 'confidential', 'restricted'`);
const period = sql.raw(`'^P([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?$'`);
const isoDate = sql.raw(`'^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`);

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table inventory_processors (
      id uuid primary key,
      name text not null unique,
      contact text not null default '',
      country text not null check (country ~ '^[A-Z]{2}$'),
      role text not null check (role in ('processor', 'sub_processor', 'joint_controller',
        'independent_controller')),
      parent_id uuid references inventory_processors (id),
      dpa_signed_at text check (dpa_signed_at ~ ${isoDate}),
      dpa_version text,
      dpa_review_at text check (dpa_review_at ~ ${isoDate}),
      dpa_reference text,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      check (parent_id is null or parent_id <> id),
      check ((dpa_signed_at is null) = (dpa_version is null) and (dpa_signed_at is null) = (dpa_reference is null)),
      check (dpa_signed_at is not null or dpa_review_at is null)
    );
    create index inventory_processors_parent_idx on inventory_processors (parent_id);

    alter table downstream_systems rename to inventory_systems;
    alter table inventory_systems
      alter column endpoint_id drop not null,
      drop constraint downstream_systems_data_categories_check,
      add constraint inventory_systems_categories_check
        check (endpoint_id is null or cardinality(data_categories) > 0),
      add column kind text not null default 'internal_application' check (kind in (${kinds})),
      add column locations text[] not null default '{}',
      add column data_subjects text[] not null default '{}',
      add column classification text not null default 'confidential' check (classification in (${classifications})),
      add column retention_policy_id uuid references retention_policies (id) on delete set null,
      add column retention_period text check (retention_period ~ ${period} and retention_period <> 'P'),
      add column encryption_required boolean not null default false,
      add column access_roles text[] not null default '{}',
      add column access_permissions text[] not null default '{}',
      add column access_notes text not null default '',
      add column geographic_restrictions text[] not null default '{}',
      add column processor_id uuid references inventory_processors (id);
    create index inventory_systems_processor_idx on inventory_systems (processor_id);

    create table inventory_measures (
      id uuid primary key,
      name text not null unique,
      description text not null default '',
      kind text not null check (kind in ('technical', 'organisational'))
    );
    insert into inventory_measures (id, name, description, kind) values
      (gen_random_uuid(), 'Encryption in transit',
       'Personal data is sent only over TLS-encrypted connections.', 'technical'),
      (gen_random_uuid(), 'Encryption at rest',
       'Personal data is stored encrypted (in Custos: sealed per subject with AES-256-GCM).', 'technical'),
      (gen_random_uuid(), 'Access control',
       'Only the roles that need the data reach it; access is authenticated and audited.', 'organisational');

    create table inventory_activities (
      id uuid primary key,
      name text not null unique,
      description text not null default '',
      role text not null check (role in ('controller', 'processor')),
      controller jsonb,
      joint_controllers jsonb not null default '[]',
      purpose_keys text[] not null default '{}',
      collection_names text[] not null default '{}',
      extra_data_categories text[] not null default '{}',
      extra_data_subjects text[] not null default '{}',
      recipient_categories text[] not null default '{}',
      transfer_safeguards jsonb not null default '[]',
      retention_note text not null default '',
      created_at timestamptz not null,
      updated_at timestamptz not null,
      check ((role = 'processor') = (controller is not null))
    );

    create table inventory_activity_systems (
      activity_id uuid not null references inventory_activities (id) on delete cascade,
      system_id uuid not null references inventory_systems (id),
      primary key (activity_id, system_id)
    );
    create index inventory_activity_systems_system_idx on inventory_activity_systems (system_id);
    create table inventory_activity_processors (
      activity_id uuid not null references inventory_activities (id) on delete cascade,
      processor_id uuid not null references inventory_processors (id),
      primary key (activity_id, processor_id)
    );
    create index inventory_activity_processors_processor_idx on inventory_activity_processors (processor_id);
    create table inventory_activity_measures (
      activity_id uuid not null references inventory_activities (id) on delete cascade,
      measure_id uuid not null references inventory_measures (id),
      primary key (activity_id, measure_id)
    );
    create index inventory_activity_measures_measure_idx on inventory_activity_measures (measure_id);

    create table inventory_organization (
      id boolean primary key default true check (id),
      controller_name text not null,
      address text not null,
      country text check (country ~ '^[A-Z]{2}$'),
      representative jsonb,
      dpo_contact text not null,
      supervisory_authority text not null,
      updated_at timestamptz not null
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Systems without an endpoint did not exist before; they are dropped with the rest of the register.
  await sql`
    drop table inventory_organization;
    drop table inventory_activity_measures;
    drop table inventory_activity_processors;
    drop table inventory_activity_systems;
    drop table inventory_activities;
    drop table inventory_measures;
    delete from inventory_systems where endpoint_id is null;
    drop index inventory_systems_processor_idx;
    alter table inventory_systems
      drop constraint inventory_systems_categories_check,
      drop column kind,
      drop column locations,
      drop column data_subjects,
      drop column classification,
      drop column retention_policy_id,
      drop column retention_period,
      drop column encryption_required,
      drop column access_roles,
      drop column access_permissions,
      drop column access_notes,
      drop column geographic_restrictions,
      drop column processor_id,
      alter column endpoint_id set not null,
      add constraint downstream_systems_data_categories_check check (cardinality(data_categories) > 0);
    alter table inventory_systems rename to downstream_systems;
    drop table inventory_processors;
  `.execute(db);
}
