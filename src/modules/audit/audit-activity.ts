import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';

/** The purpose of a data subject reading their own records (the vault's `ownerReadPurpose`). */
const ownerReadPurpose = 'data_subject_self_service';

/**
 * The audit log as monitoring reads it: every entry past a position per chain, summed per principal
 * (operator or API key) and hour, in the database. Chains are appended in order (an append holds its
 * chain's head until it commits), so positions per chain, unlike the global number, never skip an entry
 * that committed after a later-numbered one.
 */
export type ChainPositions = Record<string, number>;

/** What one principal did in one hour of the entries read. */
export type ActivityBucket = {
  principalType: 'operator' | 'api_key';
  principalId: string;
  /** Hours since the epoch (UTC). */
  hour: number;
  entries: number;
  /** Reads of personal data: record reads, detokenizations, searches, decrypted addresses. */
  reads: number;
  /** Reads in clear: revealed record reads and detokenizations. */
  reveals: number;
  /** Export actions, and the records they carried (an export without a count counts one). */
  exports: number;
  exportedRecords: number;
  /** Field names the reads that name them named, and how many reads did. */
  fieldsRead: number;
  readsWithFields: number;
  /** Failed sign-ins against the operator (whoever tried), and successful ones. */
  failures: number;
  logins: number;
  /** Changes of roles, keys, MFA, operators. */
  privileged: number;
  /** Distinct subjects touched, and their ids hashed into 4,096 buckets (for counting across reads). */
  subjects: number;
  subjectHashes: number[];
  /** Distinct subjects read in clear (exact within this read), and their ids hashed the same way. */
  revealedSubjects: number;
  revealedHashes: number[];
  purposes: string[];
  /** Keyed hashes of the client networks of successful actions (failures come from anyone). */
  networks: string[];
  /**
   * Subject reads, and how far the ids read rose with the order of reading (the correlation of the
   * entries' numbers with the ids' leading 32 bits, times the reads): near the reads when the ids were
   * walked in order, near zero when they were read at random.
   */
  pairs: number;
  ascending: number;
  /** Subjects read for request fulfilment (at most 200), to be matched with open requests. */
  fulfilmentSubjects: string[];
  /** The first entries that read or exported personal data or failed to sign in (at most 20). */
  seqs: number[];
  firstSeq: number;
  lastSeq: number;
};

export type ActivityBatch = { positions: ChainPositions; entries: number; buckets: ActivityBucket[] };

export const monitoredReads = [
  'vault.record.read',
  'vault.token.detokenized',
  'vault.subject.searched',
  'vault.address.decrypted',
  'request.corrections.read',
] as const;

export const monitoredExports = [
  'request.export.created',
  'request.export.downloaded',
  'consent.history.exported',
  'consent.filter.run',
  'audit.log.exported',
  'inventory.ropa.exported',
] as const;

export const privilegedActions = [
  'operator.roles.changed',
  'operator.created',
  'operator.invited',
  'operator.mfa.disabled',
  'operator.mfa.reset',
  'api_key.created',
  'api_key.revoked',
  'keys.kek.rotated',
] as const;

type BucketRow = {
  ptype: 'operator' | 'api_key';
  pid: string;
  hour: string | number;
  entries: number;
  reads: number;
  reveals: number;
  exports: number;
  exported_records: number;
  fields_read: number;
  reads_with_fields: number;
  failures: number;
  logins: number;
  privileged: number;
  subjects: number;
  subject_hashes: number[];
  revealed_subjects: number;
  revealed_hashes: number[];
  purposes: string[];
  networks: string[];
  pairs: number;
  ordered: number;
  fulfilment_subjects: string[];
  seqs: (number | string)[];
  first_seq: number | string;
  last_seq: number | string;
};

const counted = (key: string) =>
  sql`case when k.details ->> ${key} ~ '^[0-9]{1,9}$' then (k.details ->> ${key})::int end`;

/** Reads entries past `positions` (at most `limit`, oldest first) and sums them per principal and hour. */
export async function activityAfter(
  db: Executor,
  positions: ChainPositions,
  limit: number,
): Promise<ActivityBatch> {
  const chains = Object.keys(positions).map(Number);
  const after = chains.map((chain) => positions[String(chain)] ?? 0);
  const bounds = await sql<{ chain: number; upto: number | string; n: number }>`
    with c as (
      select h.chain, coalesce(p.pos, 0) as pos
      from audit_head h
      left join unnest(${chains}::smallint[], ${after}::bigint[]) as p(chain, pos) on p.chain = h.chain
    ),
    picked as (
      select e.seq, e.chain, e.chain_seq from c
      cross join lateral (
        select a.seq, a.chain, a.chain_seq from audit_entries a
        where a.chain = c.chain and a.chain_seq > c.pos order by a.chain_seq limit ${limit}
      ) e
      order by e.seq limit ${limit}
    )
    select chain, max(chain_seq) as upto, count(*)::int as n from picked group by chain
  `.execute(db);
  const next: ChainPositions = { ...positions };
  let entries = 0;
  for (const row of bounds.rows) {
    next[String(row.chain)] = Number(row.upto);
    entries += Number(row.n);
  }
  if (entries === 0) return { positions: next, entries: 0, buckets: [] };
  const rangeChains = bounds.rows.map((row) => Number(row.chain));
  const rangeFrom = rangeChains.map((chain) => positions[String(chain)] ?? 0);
  const rangeTo = bounds.rows.map((row) => Number(row.upto));
  const rows = await sql<BucketRow>`
    with r as (
      select * from unnest(${rangeChains}::smallint[], ${rangeFrom}::bigint[], ${rangeTo}::bigint[])
        as r(chain, after, upto)
    ),
    e as (
      select e.seq, e.action, e.purpose, e.ip_hash, e.outcome, e.details,
        floor(extract(epoch from e.at) / 3600)::bigint as hour,
        case
          when e.actor_type in ('operator', 'api_key') then e.actor_type
          when e.action = 'operator.login.failed' and e.target_type = 'operator' then 'operator'
        end as ptype,
        case
          when e.actor_type in ('operator', 'api_key') then e.actor_id
          when e.action = 'operator.login.failed' and e.target_type = 'operator' then e.target_id
        end as pid,
        case when e.target_type = 'subject' then e.target_id else e.details ->> 'subject' end as subject,
        e.action = any(${[...monitoredReads]}::text[]) as is_read,
        e.action = any(${[...monitoredExports]}::text[]) as is_export,
        e.outcome = 'success' and ((e.action = 'vault.record.read' and e.details ->> 'revealed' = 'true')
          or e.action = 'vault.token.detokenized') as is_reveal
      from r join audit_entries e on e.chain = r.chain and e.chain_seq > r.after and e.chain_seq <= r.upto
    ),
    k as (
      select e.*,
        case when e.subject ~ '^[0-9a-f]{8}' then ('x' || lpad(substr(e.subject, 1, 8), 16, '0'))::bit(64)::bigint end
          as subject_key,
        -- Someone else's records in clear: not a subject reading their own, not a read that found none.
        e.is_reveal and e.purpose is distinct from ${ownerReadPurpose}
          and coalesce(e.details ->> 'records', '') <> '0' as reveals_other
      from e where e.pid is not null and char_length(e.pid) <= 100
    )
    select k.ptype, k.pid, k.hour,
      count(*)::int as entries,
      count(*) filter (where k.is_read)::int as reads,
      count(*) filter (where k.is_reveal)::int as reveals,
      count(*) filter (where k.is_export)::int as exports,
      coalesce(sum(greatest(1, coalesce(${counted('records')}, ${counted('allowed')}, 1)))
        filter (where k.is_export), 0)::int as exported_records,
      coalesce(sum(jsonb_array_length(k.details -> 'fields'))
        filter (where k.is_read and jsonb_typeof(k.details -> 'fields') = 'array'), 0)::int as fields_read,
      count(*) filter (where k.is_read and jsonb_typeof(k.details -> 'fields') = 'array')::int
        as reads_with_fields,
      count(*) filter (where k.action = 'operator.login.failed')::int as failures,
      count(*) filter (where k.action = 'operator.login.succeeded')::int as logins,
      count(*) filter (where k.action = any(${[...privilegedActions]}::text[]))::int as privileged,
      count(distinct k.subject)::int as subjects,
      coalesce(array_agg(distinct hashtext(k.subject) & 4095) filter (where k.subject is not null), '{}')
        as subject_hashes,
      count(distinct k.subject) filter (where k.reveals_other)::int as revealed_subjects,
      coalesce(array_agg(distinct hashtext(k.subject) & 4095)
        filter (where k.reveals_other and k.subject is not null), '{}') as revealed_hashes,
      coalesce(array_agg(distinct k.purpose) filter (where k.purpose is not null), '{}') as purposes,
      coalesce(array_agg(distinct k.ip_hash) filter (where k.ip_hash is not null and k.outcome = 'success'),
        '{}') as networks,
      count(k.subject_key)::int as pairs,
      coalesce(corr(k.seq::float8, k.subject_key::float8), 0)::float8 as ordered,
      coalesce((array_agg(distinct k.subject::text)
        filter (where k.purpose = 'dsr_fulfilment' and k.subject is not null))[1:200], '{}')
        as fulfilment_subjects,
      coalesce((array_agg(k.seq order by k.seq)
        filter (where k.is_read or k.is_export or k.action = 'operator.login.failed'))[1:20], '{}') as seqs,
      min(k.seq) as first_seq, max(k.seq) as last_seq
    from k
    group by k.ptype, k.pid, k.hour
    order by k.ptype, k.pid, k.hour
  `.execute(db);
  return {
    positions: next,
    entries,
    buckets: rows.rows.map((row) => ({
      principalType: row.ptype,
      principalId: row.pid,
      hour: Number(row.hour),
      entries: row.entries,
      reads: row.reads,
      reveals: row.reveals,
      exports: row.exports,
      exportedRecords: row.exported_records,
      fieldsRead: row.fields_read,
      readsWithFields: row.reads_with_fields,
      failures: row.failures,
      logins: row.logins,
      privileged: row.privileged,
      subjects: row.subjects,
      subjectHashes: row.subject_hashes,
      revealedSubjects: row.revealed_subjects,
      revealedHashes: row.revealed_hashes,
      purposes: row.purposes,
      networks: row.networks,
      pairs: row.pairs,
      ascending: Number(row.ordered) * row.pairs,
      fulfilmentSubjects: row.fulfilment_subjects,
      seqs: row.seqs.map(Number),
      firstSeq: Number(row.first_seq),
      lastSeq: Number(row.last_seq),
    })),
  };
}
