import { isIPv4, isIPv6 } from 'node:net';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import { pseudonymizeIp } from './client-ip.js';

/**
 * The entries that put a subject's data in someone's hands: record reads (masked or revealed),
 * detokenizations and the exports made for a request. Migration 0030 indexes exactly these (partial
 * indexes by principal and by client network, ordered by time), so keep the two lists in step.
 */
export const exposingActions = [
  'vault.record.read',
  'vault.token.detokenized',
  'request.export.created',
] as const;

export type ExposureKind = 'read' | 'revealed' | 'detokenized' | 'exported';

/** Who to look for: one operator or API key, or the client networks of an address range. */
export type ExposureSource =
  | { principal: { type: 'operator' | 'api_key'; id: string } }
  | { networks: string[] };

export type ExposureQuery = ExposureSource & { from: Date; until: Date };

/** One subject whose data the source was handed in the window, with what and how. */
export type SubjectExposure = {
  subjectId: string;
  /** `collection.field` names; empty for an export, which covers everything the subject had. */
  fields: string[];
  kinds: ExposureKind[];
  entries: number;
  firstAt: Date;
  lastAt: Date;
};

/** At most this many /24 (IPv4) or /48 (IPv6) networks in one range: a /16 or an IPv6 /40. */
export const maxNetworksPerRange = 256;

/**
 * The keyed hashes the audit log stores for every client network within `cidr`. Entries keep only the
 * hash of the client's /24 (IPv4) or /48 (IPv6) network, so a range is matched network by network and
 * a range narrower than one such network matches all of it.
 */
export function networkRefsOf(cidr: string, ipKey: Buffer): string[] {
  const [address = '', prefixText] = cidr.trim().split('/');
  const prefix = Number(prefixText ?? (isIPv4(address) ? 32 : 128));
  if (!Number.isInteger(prefix)) throw rangeError();
  if (isIPv4(address))
    return ipv4Networks(address, prefix).map((net) => pseudonymizeIp(net, ipKey) as string);
  if (isIPv6(address))
    return ipv6Networks(address, prefix).map((net) => pseudonymizeIp(net, ipKey) as string);
  throw rangeError();
}

const rangeError = () =>
  new AppError(
    'validation_failed',
    'The network range must be an IPv4 range of /16 or narrower, or an IPv6 range of /40 or narrower, in CIDR notation.',
  );

function ipv4Networks(address: string, prefix: number): string[] {
  if (prefix < 16 || prefix > 32) throw rangeError();
  const [a, b, c] = address.split('.').map(Number) as [number, number, number];
  if (prefix >= 24) return [`${a}.${b}.${c}.1`];
  const span = 2 ** (24 - prefix);
  const first = c - (c % span);
  return Array.from({ length: span }, (_, index) => `${a}.${b}.${first + index}.1`);
}

function ipv6Networks(address: string, prefix: number): string[] {
  if (prefix < 40 || prefix > 128) throw rangeError();
  const groups = expandIPv6(address);
  const [g0, g1, g2] = groups as [number, number, number];
  const head = `${g0.toString(16)}:${g1.toString(16)}`;
  if (prefix >= 48) return [`${head}:${g2.toString(16)}::1`];
  const span = 2 ** (48 - prefix);
  const first = g2 - (g2 % span);
  return Array.from({ length: span }, (_, index) => `${head}:${(first + index).toString(16)}::1`);
}

function expandIPv6(address: string): number[] {
  const toGroups = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const [head = '', tail] = address.split('::');
  const start = toGroups(head);
  if (tail === undefined) return start;
  const end = toGroups(tail);
  return [...start, ...new Array<number>(8 - start.length - end.length).fill(0), ...end];
}

type ExposureRow = {
  subject_id: string;
  fields: string[];
  kinds: ExposureKind[];
  entries: number;
  first_at: Date;
  last_at: Date;
};

/**
 * Every subject the source was handed data of in [from, until), one row per subject. Runs as one
 * aggregate over the partial exposure index: the matching entries are read once, their fields unnested
 * (reads name `collection.field` in `details.fields`, detokenizations in `details.field`), and grouped by
 * subject (the entry's target, or `details.subject` when the target is a record or a request).
 */
export function auditExposures(db: Kysely<DB>) {
  return async function exposures(query: ExposureQuery): Promise<SubjectExposure[]> {
    const source =
      'principal' in query
        ? sql`e.actor_type = ${query.principal.type} and e.actor_id = ${query.principal.id}`
        : sql`e.ip_hash = any(${query.networks}::text[])`;
    const result = await sql<ExposureRow>`
      with hits as (
        select
          e.seq,
          e.at,
          case when e.target_type = 'subject' then e.target_id else e.details ->> 'subject' end as subject_id,
          case
            when e.action = 'vault.token.detokenized' then 'detokenized'
            when e.action = 'request.export.created' then 'exported'
            when e.details ->> 'revealed' = 'true' then 'revealed'
            else 'read'
          end as kind,
          e.details
        from audit_entries e
        where e.action in ('vault.record.read', 'vault.token.detokenized', 'request.export.created')
          and e.outcome = 'success'
          and ${source}
          and e.at >= ${query.from} and e.at < ${query.until}
      ),
      per_subject as (
        select subject_id, array_agg(distinct kind) as kinds, count(*)::int as entries,
          min(at) as first_at, max(at) as last_at
        from hits where subject_id is not null group by subject_id
      ),
      per_field as (
        select h.subject_id, array_agg(distinct f.name) as fields
        from hits h
        cross join lateral (
          select jsonb_array_elements_text(
            case when jsonb_typeof(h.details -> 'fields') = 'array' then h.details -> 'fields' else '[]'::jsonb end
          ) as name
          union all
          select h.details ->> 'field' where h.details ->> 'field' is not null
        ) f
        where h.subject_id is not null
        group by h.subject_id
      )
      select s.subject_id, coalesce(f.fields, '{}') as fields, s.kinds, s.entries, s.first_at, s.last_at
      from per_subject s left join per_field f using (subject_id)
      order by s.subject_id
    `.execute(db);
    return result.rows.map((row) => ({
      subjectId: row.subject_id,
      fields: row.fields,
      kinds: row.kinds,
      entries: Number(row.entries),
      firstAt: new Date(row.first_at),
      lastAt: new Date(row.last_at),
    }));
  };
}

export type AuditExposures = ReturnType<typeof auditExposures>;
