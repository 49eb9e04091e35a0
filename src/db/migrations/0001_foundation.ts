import { type Kysely, sql } from 'kysely';

// Every Custos process (serve or worker) registers here and heartbeats, so operators can see what runs
// against this database (`custos status`) and the maintenance job can prune processes that died.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table instances (
      id text primary key,
      role text not null check (role in ('serve', 'worker')),
      hostname text not null,
      pid integer not null,
      version text not null,
      started_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now()
    );
    create index instances_last_seen_at_idx on instances (last_seen_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table instances`.execute(db);
}
