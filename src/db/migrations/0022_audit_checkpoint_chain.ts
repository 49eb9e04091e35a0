import { type Kysely, sql } from 'kysely';

// Checkpoints become a chain of their own, as in a transparency log. A checkpoint used to sign one
// entry's hash: with the database (but not the key) one could rewrite a chain from the middle, recompute
// the hashes after it and delete that chain's later checkpoints, and nothing was left to disagree. A
// checkpoint now signs the heads of ALL chains (position, number and hash of each chain's last entry),
// a checkpoint number that grows by one each time, and the hash of the checkpoint before it; deleting,
// replaying or reordering checkpoints breaks that chain, and every rewrite changes a head some later
// checkpoint signed. `hash` of such a checkpoint is the SHA-256 of its signed statement (what the next
// one links to); `seq` is the newest entry it covers, as before. It also signs the checkpoint policy
// (every N entries, interval) in force, so a verifier knows how long an unsigned span may be.
// Existing checkpoints keep their format (checkpoint_seq null) and are verified as before; the first
// checkpoint signed after this migration is number 1 of the new sequence and links to 64 zeros.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table audit_checkpoints add column checkpoint_seq bigint;
    alter table audit_checkpoints add column prev_hash bytea check (length(prev_hash) = 32);
    alter table audit_checkpoints add column heads jsonb;
    alter table audit_checkpoints add column every bigint;
    alter table audit_checkpoints add column interval_ms bigint;
    alter table audit_checkpoints add constraint audit_checkpoints_checkpoint_seq unique (checkpoint_seq);
    alter table audit_checkpoints add constraint audit_checkpoints_chained check (
      (checkpoint_seq is null and prev_hash is null and heads is null and every is null and interval_ms is null)
      or (checkpoint_seq > 0 and prev_hash is not null and heads is not null and every > 0 and interval_ms > 0)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Checkpoints of the new format cannot be expressed in the old one: going down drops them, and the log
  // is then vouched for by the old-format checkpoints alone.
  await sql`
    alter table audit_checkpoints disable trigger audit_checkpoints_append_only;
    delete from audit_checkpoints where checkpoint_seq is not null;
    alter table audit_checkpoints enable trigger audit_checkpoints_append_only;
    alter table audit_checkpoints drop constraint audit_checkpoints_chained;
    alter table audit_checkpoints drop constraint audit_checkpoints_checkpoint_seq;
    alter table audit_checkpoints drop column interval_ms;
    alter table audit_checkpoints drop column every;
    alter table audit_checkpoints drop column heads;
    alter table audit_checkpoints drop column prev_hash;
    alter table audit_checkpoints drop column checkpoint_seq;
  `.execute(db);
}
