import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { ChainPositions } from '../audit/audit-activity.js';

export type PrincipalKey = { type: 'operator' | 'api_key'; id: string };

export type PrincipalRow = {
  principal_type: 'operator' | 'api_key';
  principal_id: string;
  role: string;
  first_seen_at: Date;
  last_seen_at: Date;
  active_hours: number;
  state: unknown;
  score: number | null;
  scored_at: Date | null;
};

export type ScoreRow = {
  principal_type: string;
  principal_id: string;
  hour: Date;
  score: number;
  factors: unknown;
};

/** SQL of the monitoring tables; every function takes the executor it runs on. */
export function monitoringStore() {
  return {
    /** The cursor, locked for this transaction; undefined while another worker holds it. */
    async lockCursor(tx: Executor): Promise<{ positions: ChainPositions; entries: number } | undefined> {
      const row = await tx
        .selectFrom('monitoring_cursor')
        .select(['positions', 'entries'])
        .where('id', '=', 1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      return row && { positions: row.positions, entries: Number(row.entries) };
    },

    async saveCursor(tx: Executor, positions: ChainPositions, entries: number, at: Date): Promise<void> {
      await tx
        .updateTable('monitoring_cursor')
        .set({ positions: JSON.stringify(positions), entries, ran_at: at })
        .where('id', '=', 1)
        .execute();
    },

    async cursor(db: Executor) {
      return db.selectFrom('monitoring_cursor').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
    },

    async principals(tx: Executor, keys: readonly PrincipalKey[]): Promise<PrincipalRow[]> {
      if (keys.length === 0) return [];
      const result = await sql<PrincipalRow>`
        select p.* from monitoring_principals p
        join unnest(${keys.map((k) => k.type)}::text[], ${keys.map((k) => k.id)}::text[]) as k(t, i)
          on p.principal_type = k.t and p.principal_id = k.i
      `.execute(tx);
      return result.rows;
    },

    /** Writes many principals in one statement (their states as objects, sent as one JSON document). */
    async savePrincipals(tx: Executor, rows: readonly PrincipalRow[]): Promise<void> {
      if (rows.length === 0) return;
      await sql`
        insert into monitoring_principals
          (principal_type, principal_id, role, first_seen_at, last_seen_at, active_hours, state, score, scored_at)
        select principal_type, principal_id, role, first_seen_at, last_seen_at, active_hours, state, score,
          scored_at
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(
          principal_type text, principal_id text, role text, first_seen_at timestamptz,
          last_seen_at timestamptz, active_hours integer, state jsonb, score real, scored_at timestamptz)
        on conflict (principal_type, principal_id) do update set
          role = excluded.role, last_seen_at = excluded.last_seen_at, active_hours = excluded.active_hours,
          state = excluded.state, score = excluded.score, scored_at = excluded.scored_at
      `.execute(tx);
    },

    async setRoles(tx: Executor, roles: readonly (PrincipalKey & { role: string })[]): Promise<void> {
      if (roles.length === 0) return;
      await sql`
        update monitoring_principals p set role = r.role
        from unnest(${roles.map((r) => r.type)}::text[], ${roles.map((r) => r.id)}::text[],
          ${roles.map((r) => r.role)}::text[]) as r(t, i, role)
        where p.principal_type = r.t and p.principal_id = r.i
      `.execute(tx);
    },

    async roles(tx: Executor, names: readonly string[]): Promise<Map<string, unknown>> {
      if (names.length === 0) return new Map();
      const rows = await tx.selectFrom('monitoring_roles').selectAll().where('role', 'in', names).execute();
      return new Map(rows.map((row) => [row.role, row.state]));
    },

    async saveRoles(tx: Executor, roles: ReadonlyMap<string, unknown>): Promise<void> {
      if (roles.size === 0) return;
      await tx
        .insertInto('monitoring_roles')
        .values([...roles].map(([role, state]) => ({ role, state: JSON.stringify(state) })))
        .onConflict((oc) => oc.column('role').doUpdateSet((eb) => ({ state: eb.ref('excluded.state') })))
        .execute();
    },

    async saveScores(tx: Executor, rows: readonly ScoreRow[]): Promise<void> {
      if (rows.length === 0) return;
      await sql`
        insert into monitoring_scores (principal_type, principal_id, hour, score, factors)
        select principal_type, principal_id, hour, score, factors
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(
          principal_type text, principal_id text, hour timestamptz, score real, factors jsonb)
        on conflict (principal_type, principal_id, hour) do update set
          score = excluded.score, factors = excluded.factors
      `.execute(tx);
    },

    /** Forgets every baseline and score and moves the cursor back to the start of the log. */
    async reset(tx: Executor): Promise<void> {
      await sql`
        delete from monitoring_scores;
        delete from monitoring_roles;
        delete from monitoring_principals;
        update monitoring_cursor set positions = '{}', entries = 0, ran_at = null;
      `.execute(tx);
    },

    async listPrincipals(db: Executor, limit: number, offset: number): Promise<PrincipalRow[]> {
      return (await db
        .selectFrom('monitoring_principals')
        .selectAll()
        .orderBy('score', (ob) => ob.desc().nullsLast())
        .orderBy('principal_type')
        .orderBy('principal_id')
        .limit(limit)
        .offset(offset)
        .execute()) as PrincipalRow[];
    },

    async findPrincipal(db: Executor, key: PrincipalKey): Promise<PrincipalRow | undefined> {
      return (await db
        .selectFrom('monitoring_principals')
        .selectAll()
        .where('principal_type', '=', key.type)
        .where('principal_id', '=', key.id)
        .executeTakeFirst()) as PrincipalRow | undefined;
    },

    async scoresSince(db: Executor, keys: readonly PrincipalKey[], since: Date): Promise<ScoreRow[]> {
      if (keys.length === 0) return [];
      const result = await sql<ScoreRow>`
        select s.* from monitoring_scores s
        join unnest(${keys.map((k) => k.type)}::text[], ${keys.map((k) => k.id)}::text[]) as k(t, i)
          on s.principal_type = k.t and s.principal_id = k.i
        where s.hour >= ${since}
        order by s.principal_type, s.principal_id, s.hour
      `.execute(db);
      return result.rows;
    },

    async settings(db: Executor): Promise<unknown> {
      const row = await db
        .selectFrom('monitoring_settings')
        .select('settings')
        .where('id', '=', 1)
        .executeTakeFirst();
      return row?.settings;
    },

    async saveSettings(tx: Executor, settings: unknown, by: string | null, at: Date): Promise<void> {
      await tx
        .insertInto('monitoring_settings')
        .values({ id: 1, settings: JSON.stringify(settings), updated_by: by, updated_at: at })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({ settings: JSON.stringify(settings), updated_by: by, updated_at: at }),
        )
        .execute();
    },

    async pruneScores(db: Executor, before: Date): Promise<number> {
      const result = await db.deleteFrom('monitoring_scores').where('hour', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type MonitoringStore = ReturnType<typeof monitoringStore>;
