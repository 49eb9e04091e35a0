import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import type { AlertSeverity, AlertStatus, AlertTables } from './alert-tables.js';

export type AlertRow = Selectable<AlertTables['alerts']>;
export type NewAlertRow = Insertable<AlertTables['alerts']>;

export type AlertFilters = {
  status?: AlertStatus | undefined;
  severity?: AlertSeverity | undefined;
  kind?: string | undefined;
  /** Alerts last seen at or after this instant. */
  since?: Date | undefined;
};

/** The unresolved alert a repeat folds into: same kind and target, last seen at or after `seenSince`. */
export type RepeatQuery = {
  kind: string;
  targetType: string | null;
  targetId: string | null;
  seenSince: Date | null;
};

/** SQL for alerts. */
export function alertStore() {
  return {
    /**
     * Serializes raises of one kind and target until the transaction ends, so two processes seeing the same
     * thing at once fold it into one alert instead of inserting two.
     */
    async lockRepeats(tx: Tx, key: string): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtext('custos.alerts'), hashtext(${key}))`.execute(tx);
    },
    findRepeatable(tx: Executor, query: RepeatQuery): Promise<AlertRow | undefined> {
      let select = tx
        .selectFrom('alerts')
        .selectAll()
        .where('kind', '=', query.kind)
        .where('status', '<>', 'resolved')
        .where((eb) =>
          eb.and([
            query.targetType === null
              ? eb('target_type', 'is', null)
              : eb('target_type', '=', query.targetType),
            query.targetId === null ? eb('target_id', 'is', null) : eb('target_id', '=', query.targetId),
          ]),
        );
      if (query.seenSince) select = select.where('last_seen_at', '>=', query.seenSince);
      return select.orderBy('last_seen_at', 'desc').limit(1).forUpdate().executeTakeFirst();
    },
    async insert(tx: Executor, row: NewAlertRow): Promise<void> {
      await tx.insertInto('alerts').values(row).execute();
    },
    /** Folds one more occurrence into an alert; returns its new count. */
    async recordRepeat(
      tx: Executor,
      id: string,
      latest: { summary: string; details: string; at: Date },
    ): Promise<number> {
      const row = await tx
        .updateTable('alerts')
        .set((eb) => ({
          count: eb('count', '+', 1),
          last_seen_at: latest.at,
          summary: latest.summary,
          details: latest.details,
          updated_at: latest.at,
        }))
        .where('id', '=', id)
        .returning('count')
        .executeTakeFirstOrThrow();
      return row.count;
    },
    find(tx: Executor, id: string): Promise<AlertRow | undefined> {
      return tx.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    },
    lock(tx: Tx, id: string): Promise<AlertRow | undefined> {
      return tx.selectFrom('alerts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },
    async update(tx: Tx, id: string, changes: Updateable<AlertTables['alerts']>): Promise<AlertRow> {
      return tx
        .updateTable('alerts')
        .set(changes)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    /** Last seen first; continues after (lastSeenAt, id) of the previous page. */
    page(
      tx: Executor,
      filters: AlertFilters,
      after: { lastSeenAt: Date; id: string } | undefined,
      limit: number,
    ): Promise<AlertRow[]> {
      let query = tx.selectFrom('alerts').selectAll();
      if (filters.status) query = query.where('status', '=', filters.status);
      if (filters.severity) query = query.where('severity', '=', filters.severity);
      if (filters.kind) query = query.where('kind', '=', filters.kind);
      if (filters.since) query = query.where('last_seen_at', '>=', filters.since);
      if (after) {
        query = query.where(
          (eb) => eb.refTuple('last_seen_at', 'id'),
          '<',
          (eb) => eb.tuple(after.lastSeenAt, after.id),
        );
      }
      return query.orderBy('last_seen_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },
  };
}

export type AlertStore = ReturnType<typeof alertStore>;
