import { type Kysely, sql } from 'kysely';

// Outgoing webhooks. `webhook_endpoints` are the subscriptions: a URL, the event types it wants (null: all)
// and its signing secret, sealed with AES-256-GCM (the previous secret is kept, sealed, for the grace
// period after a rotation). `webhook_messages` hold each event once, as the exact JSON body that is
// signed and sent; `webhook_deliveries` pair a message with an endpoint and carry its state;
// `webhook_delivery_attempts` log every attempt (status code, duration, error class, never the response
// body beyond a short snippet). A manual redelivery starts a new round of attempts with a fresh retry
// schedule; `round` counts them. Deleting an endpoint deletes its deliveries and their attempts.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table webhook_endpoints (
      id uuid primary key,
      url text not null,
      description text not null default '',
      event_types text[],
      enabled boolean not null default true,
      secret_sealed bytea not null,
      previous_secret_sealed bytea,
      previous_secret_expires_at timestamptz,
      secret_rotated_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table webhook_messages (
      id text primary key,
      event_type text not null,
      body text not null,
      created_at timestamptz not null default now()
    );
    create index webhook_messages_created_at_idx on webhook_messages (created_at);

    create table webhook_deliveries (
      id uuid primary key default gen_random_uuid(),
      seq bigint generated always as identity unique,
      message_id text not null references webhook_messages (id) on delete cascade,
      endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
      event_type text not null,
      status text not null default 'pending' check (status in ('pending', 'delivered', 'dead_lettered')),
      attempts integer not null default 0,
      round integer not null default 1,
      round_attempts integer not null default 0,
      next_attempt_at timestamptz,
      last_attempt_at timestamptz,
      last_status_code integer,
      last_error text,
      delivered_at timestamptz,
      dead_lettered_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (message_id, endpoint_id)
    );
    create index webhook_deliveries_endpoint_idx on webhook_deliveries (endpoint_id, seq);
    create index webhook_deliveries_status_idx on webhook_deliveries (status, seq);

    create table webhook_delivery_attempts (
      delivery_id uuid not null references webhook_deliveries (id) on delete cascade,
      attempt integer not null check (attempt > 0),
      round integer not null check (round > 0),
      attempted_at timestamptz not null,
      duration_ms integer not null,
      status_code integer,
      error text,
      response_snippet text,
      primary key (delivery_id, attempt)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table webhook_delivery_attempts;
    drop table webhook_deliveries;
    drop table webhook_messages;
    drop table webhook_endpoints;
  `.execute(db);
}
