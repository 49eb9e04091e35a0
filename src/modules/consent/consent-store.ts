import { type Insertable, type Selectable, sql } from 'kysely';
import { type Executor, preparedMark } from '../../db/database.js';
import type { SubjectStatus } from '../vault/vault-tables.js';
import { isCcpaOptOut, objectionApplies, type PurposeRules, statusAfter } from './consent-rules.js';
import type { ConsentTables } from './consent-tables.js';

export type ConsentEventRow = Selectable<ConsentTables['consent_events']>;
export type ConsentStateRow = Selectable<ConsentTables['consent_state']>;
export type TcfRow = Selectable<ConsentTables['consent_tcf']>;

/** An event as the history and receipts show it: with the hash of the text its version showed. */
export type ConsentEventView = ConsentEventRow & { text_hash: Buffer };

/** An event to record; the database assigns its sequence number. */
export type NewConsentEvent = Omit<ConsentEventRow, 'seq'>;

/** A subject's status and every standing choice, as one query reads them. */
export type SubjectStateRows = { status: SubjectStatus; rows: ConsentStateRow[] };

const eventViewColumns = [
  'e.id',
  'e.seq',
  'e.subject_id',
  'e.purpose_key',
  'e.version',
  'e.action',
  'e.method',
  'e.source',
  'e.given_at',
  'e.recorded_at',
  'e.expires_at',
  'e.form_id',
  'e.ip_hash',
  'e.user_agent_hash',
  'e.actor_type',
  'e.actor_id',
  'e.request_id',
  'v.text_hash',
] as const;

/** SQL for consent events, the standing state per subject and purpose, and TCF strings. */
export function consentStore() {
  return {
    /**
     * Appends events and moves their subjects' standing state, in one statement, for any number of
     * subjects and actions (at most one event per subject and purpose). Events of subjects that do not
     * exist or were erased are not written: their ids do not come back. The state keeps the event with the
     * highest number, so it always agrees with the history's order, even when transactions race.
     */
    async appendEvents(tx: Executor, events: NewConsentEvent[]): Promise<{ id: string; seq: number }[]> {
      if (events.length === 0) return [];
      const column = <K extends keyof NewConsentEvent>(key: K) => events.map((event) => event[key]);
      const statuses = events.map((event) => (event.action === 'object' ? null : statusAfter[event.action]));
      const result = await sql<{ id: string; seq: number }>`${sql.raw(preparedMark)}
        with given as (
          select *
            from unnest(${column('id')}::uuid[], ${column('subject_id')}::uuid[], ${column('purpose_key')}::text[],
                        ${column('version')}::int[], ${column('action')}::text[], ${column('method')}::text[],
                        ${column('source')}::text[], ${column('given_at')}::timestamptz[],
                        ${column('recorded_at')}::timestamptz[], ${column('expires_at')}::timestamptz[],
                        ${column('form_id')}::text[], ${column('ip_hash')}::text[], ${column('user_agent_hash')}::text[],
                        ${column('actor_type')}::text[], ${column('actor_id')}::text[], ${column('request_id')}::text[],
                        ${statuses}::text[])
                 as g(id, subject_id, purpose_key, version, action, method, source, given_at, recorded_at,
                      expires_at, form_id, ip_hash, user_agent_hash, actor_type, actor_id, request_id, status)
        ), appended as (
          insert into consent_events (id, subject_id, purpose_key, version, action, method, source, given_at,
                                      recorded_at, expires_at, form_id, ip_hash, user_agent_hash, actor_type,
                                      actor_id, request_id)
          select g.id, g.subject_id, g.purpose_key, g.version, g.action, g.method, g.source, g.given_at,
                 g.recorded_at, g.expires_at, g.form_id, g.ip_hash, g.user_agent_hash, g.actor_type, g.actor_id,
                 g.request_id
            from given g
            join subjects sub on sub.id = g.subject_id and sub.status <> 'erased'
          returning id, seq
        ), moved as (
          insert into consent_state as s (subject_id, purpose_key, status, version, method, source, expires_at,
                                          objected_at, event_id, event_seq, updated_at)
          select g.subject_id, g.purpose_key, g.status,
                 case when g.status is null then null else g.version end,
                 case when g.status is null then null else g.method end,
                 case when g.status is null then null else g.source end,
                 case when g.action = 'grant' then g.expires_at end,
                 case when g.action = 'object' then g.given_at end,
                 a.id, a.seq, g.recorded_at
            from appended a
            join given g on g.id = a.id
          on conflict (subject_id, purpose_key) do update set
            status = coalesce(excluded.status, s.status),
            version = case when excluded.status is null then s.version else excluded.version end,
            method = case when excluded.status is null then s.method else excluded.method end,
            source = case when excluded.status is null then s.source else excluded.source end,
            expires_at = case when excluded.status is null then s.expires_at else excluded.expires_at end,
            -- An objection sets it, a grant lifts it, anything else leaves it.
            objected_at = case when excluded.status is null then excluded.objected_at
                               when excluded.status = 'granted' then null
                               else s.objected_at end,
            event_id = excluded.event_id,
            event_seq = excluded.event_seq,
            updated_at = excluded.updated_at
          where s.event_seq < excluded.event_seq
        )
        select id, seq from appended`.execute(tx);
      return result.rows.map((row) => ({ id: row.id, seq: Number(row.seq) }));
    },

    /** The statuses of these subjects (those that exist). */
    async subjectStatuses(tx: Executor, subjectIds: string[]): Promise<Map<string, SubjectStatus>> {
      if (subjectIds.length === 0) return new Map();
      const rows = await tx
        .selectFrom('subjects')
        .select(['id', 'status'])
        .where('id', 'in', subjectIds)
        .execute();
      return new Map(rows.map((row) => [row.id, row.status]));
    },

    /** The subject's status and standing choices in one round trip; undefined when there is no subject. */
    async subjectState(tx: Executor, subjectId: string): Promise<SubjectStateRows | undefined> {
      const rows = await tx
        .selectFrom('subjects as sub')
        .leftJoin('consent_state as s', 's.subject_id', 'sub.id')
        .select([
          'sub.status as subject_status',
          's.subject_id',
          's.purpose_key',
          's.status',
          's.version',
          's.method',
          's.source',
          's.expires_at',
          's.objected_at',
          's.event_id',
          's.event_seq',
          's.updated_at',
        ])
        .where('sub.id', '=', subjectId)
        .execute();
      const first = rows[0];
      if (!first) return undefined;
      return {
        status: first.subject_status,
        rows: rows
          .filter((row) => row.purpose_key !== null)
          .map(({ subject_status: _, ...row }) => row as ConsentStateRow),
      };
    },

    /**
     * Of these subject ids, the ones that may be processed for the purpose now, in the order given. One
     * set-based statement per batch: the ids are joined to subjects and consent_state by primary key.
     * The conditions are `evaluateConsent` (consent-rules.ts) in SQL.
     */
    async allowedAmong(
      tx: Executor,
      ids: readonly string[],
      purposeKey: string,
      rules: PurposeRules,
      now: Date,
    ): Promise<string[]> {
      if (ids.length === 0) return [];
      const conditions =
        rules.legalBasis === 'consent'
          ? [
              sql`s.status = 'granted'`,
              sql`(s.expires_at is null or s.expires_at > ${now}::timestamptz)`,
              sql`s.version >= ${rules.minVersion}::int`,
            ]
          : [
              sql`true`,
              ...(objectionApplies(rules.legalBasis) ? [sql`s.objected_at is null`] : []),
              ...(isCcpaOptOut(rules)
                ? [sql`(s.status is null or s.status not in ('withdrawn', 'denied'))`]
                : []),
            ];
      const result = await sql<{ id: string }>`
        select given.id::text as id
          from unnest(${ids}::uuid[]) with ordinality as given(id, ord)
          join subjects sub on sub.id = given.id and sub.status = 'active'
          left join consent_state s on s.subject_id = given.id and s.purpose_key = ${purposeKey}::text
         where ${sql.join(conditions, sql` and `)}
         order by given.ord`.execute(tx);
      return result.rows.map((row) => row.id);
    },

    /** Grants past their expiry, locked for this transaction (other workers skip them). */
    dueExpiries(tx: Executor, now: Date, limit: number): Promise<ConsentStateRow[]> {
      return tx
        .selectFrom('consent_state')
        .selectAll()
        .where('status', '=', 'granted')
        .where('expires_at', '<=', now)
        .orderBy('expires_at')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
    },

    /** Records expiries (one `expire` event each) and marks the states expired, in two statements. */
    async recordExpiries(tx: Executor, events: NewConsentEvent[]): Promise<{ id: string; seq: number }[]> {
      if (events.length === 0) return [];
      const inserted = await tx
        .insertInto('consent_events')
        .values(events)
        .returning(['id', 'seq', 'subject_id', 'purpose_key'])
        .execute();
      await sql`
        update consent_state s
           set status = 'expired', event_id = moved.id, event_seq = moved.seq, updated_at = moved.at
          from unnest(${inserted.map((row) => row.subject_id)}::uuid[], ${inserted.map((row) => row.purpose_key)}::text[],
                      ${inserted.map((row) => row.id)}::uuid[], ${inserted.map((row) => row.seq)}::bigint[],
                      ${events.map((event) => event.recorded_at)}::timestamptz[])
               as moved(subject_id, purpose_key, id, seq, at)
         where s.subject_id = moved.subject_id and s.purpose_key = moved.purpose_key
           and s.event_seq < moved.seq`.execute(tx);
      return inserted.map((row) => ({ id: row.id, seq: Number(row.seq) }));
    },

    /** A page of a subject's history, oldest first, after a sequence number. */
    historyPage(
      tx: Executor,
      subjectId: string,
      afterSeq: number,
      limit: number,
    ): Promise<ConsentEventView[]> {
      return tx
        .selectFrom('consent_events as e')
        .innerJoin('consent_purpose_versions as v', (join) =>
          join.onRef('v.purpose_key', '=', 'e.purpose_key').onRef('v.version', '=', 'e.version'),
        )
        .select(eventViewColumns)
        .where('e.subject_id', '=', subjectId)
        .where('e.seq', '>', afterSeq)
        .orderBy('e.seq')
        .limit(limit)
        .execute();
    },

    event(tx: Executor, id: string): Promise<ConsentEventView | undefined> {
      return tx
        .selectFrom('consent_events as e')
        .innerJoin('consent_purpose_versions as v', (join) =>
          join.onRef('v.purpose_key', '=', 'e.purpose_key').onRef('v.version', '=', 'e.version'),
        )
        .select(eventViewColumns)
        .where('e.id', '=', id)
        .executeTakeFirst();
    },

    async insertTcf(tx: Executor, row: Insertable<ConsentTables['consent_tcf']>) {
      await tx.insertInto('consent_tcf').values(row).execute();
    },

    latestTcf(tx: Executor, subjectId: string): Promise<TcfRow | undefined> {
      return tx
        .selectFrom('consent_tcf')
        .selectAll()
        .where('subject_id', '=', subjectId)
        .orderBy('recorded_at', 'desc')
        .limit(1)
        .executeTakeFirst();
    },
  };
}

export type ConsentStore = ReturnType<typeof consentStore>;
