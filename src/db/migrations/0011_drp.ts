import { type Kysely, sql } from 'kysely';

// The Data Rights Protocol 1.0. `drp_agents` are the trusted authorized agents (the service directory's
// entries, from CUSTOS_DRP_AGENTS_FILE or the API) with the digest of their current pairing token.
// `drp_requests` link a data-subject request to the agent that filed it: the agent's own request id
// (unique per agent), the digest of the signed message (a message sent twice finds its request), where to
// send status callbacks and how the last one fared. Identity claims are sealed (AES-256-GCM) and deleted
// when the request closes; nothing here holds personal data in clear.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table drp_agents (
      id text primary key check (id ~ '^[A-Za-z0-9_.-]{1,100}$'),
      name text not null,
      verify_key text not null,
      web_url text,
      identity_assurance_url text,
      technical_contact text,
      business_contact text,
      source text not null check (source in ('config', 'api')),
      token_hash text unique,
      token_issued_at timestamptz,
      paired_issued_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table drp_requests (
      request_id uuid primary key references data_subject_requests (id),
      agent_id text not null,
      agent_request_id text,
      message_digest bytea not null unique check (length(message_digest) = 32),
      exercise text not null check (exercise in (
        'access', 'access:categories', 'access:specific', 'deletion', 'sale:opt-out')),
      regime text check (regime in ('ccpa')),
      relationships jsonb not null default '[]',
      status_callback text,
      claims_sealed bytea,
      status_body text not null,
      callback_version integer not null default 0,
      callback_state text check (callback_state in ('pending', 'delivered', 'failed')),
      callback_attempts integer not null default 0,
      callback_last_attempt_at timestamptz,
      callback_last_status_code integer,
      callback_last_error text,
      callback_delivered_at timestamptz,
      created_at timestamptz not null,
      unique (agent_id, agent_request_id),
      check ((callback_state is null) or (status_callback is not null))
    );
    create index drp_requests_agent_idx on drp_requests (agent_id, created_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table drp_requests;
    drop table drp_agents;
  `.execute(db);
}
