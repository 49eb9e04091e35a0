import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { RequestTables } from './request-tables.js';

export type TaskRow = Selectable<RequestTables['request_system_tasks']>;
export type RestrictionRow = Selectable<RequestTables['subject_restrictions']>;

/** Task statuses still waiting for the system. */
export const openTaskStatuses = ['pending', 'failed', 'retried'] as const;

/** SQL for the tasks sent to systems, and subjects' restrictions. */
export function fulfilmentStore() {
  return {
    async countTasksOfSystem(tx: Executor, systemId: string): Promise<number> {
      const row = await tx
        .selectFrom('request_system_tasks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('system_id', '=', systemId)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async insertTasks(
      tx: Executor,
      rows: Insertable<RequestTables['request_system_tasks']>[],
    ): Promise<void> {
      if (rows.length > 0) await tx.insertInto('request_system_tasks').values(rows).execute();
    },
    findTask(tx: Executor, id: string): Promise<TaskRow | undefined> {
      return tx.selectFrom('request_system_tasks').selectAll().where('id', '=', id).executeTakeFirst();
    },
    lockTask(tx: Executor, id: string): Promise<TaskRow | undefined> {
      return tx
        .selectFrom('request_system_tasks')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
    },
    /**
     * Tasks still waiting for their system's answer, untouched since `before`, sent fewer than
     * `maxAttempts` times, of requests still awaiting systems: oldest first.
     */
    silentTasks(tx: Executor, before: Date, maxAttempts: number, limit: number): Promise<TaskRow[]> {
      return tx
        .selectFrom('request_system_tasks as t')
        .innerJoin('data_subject_requests as r', 'r.id', 't.request_id')
        .selectAll('t')
        .where('t.status', 'in', ['pending', 'retried'])
        .where('t.updated_at', '<', before)
        .where('t.attempts', '<', maxAttempts)
        .where('r.state', '=', 'awaiting_systems')
        .orderBy('t.updated_at')
        .limit(limit)
        .execute();
    },
    /** The task whose webhook delivery this is, locked, while it still waits for the system. */
    lockOpenTaskOfDelivery(tx: Executor, deliveryId: string): Promise<TaskRow | undefined> {
      return tx
        .selectFrom('request_system_tasks')
        .selectAll()
        .where('delivery_id', '=', deliveryId)
        .where('status', 'in', ['pending', 'retried'])
        .forUpdate()
        .executeTakeFirst();
    },
    async updateTask(
      tx: Executor,
      id: string,
      changes: Updateable<RequestTables['request_system_tasks']>,
    ): Promise<void> {
      await tx.updateTable('request_system_tasks').set(changes).where('id', '=', id).execute();
    },
    tasksOf(tx: Executor, requestId: string): Promise<TaskRow[]> {
      return tx.selectFrom('request_system_tasks').selectAll().where('request_id', '=', requestId).execute();
    },
    async countOpenTasks(tx: Executor, requestId: string): Promise<number> {
      const row = await tx
        .selectFrom('request_system_tasks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('request_id', '=', requestId)
        .where('status', 'in', openTaskStatuses)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    /**
     * Requests closed late in [from, to) with the systems whose tasks finished after the request's deadline:
     * per right and system, how many such requests, and the latest such finish.
     */
    async lateBySystem(tx: Executor, from: Date, to: Date) {
      const result = await sql<{ type: string; system_id: string; requests: number; last_done_at: Date }>`
        select r.type, t.system_id, count(distinct r.id)::int as requests, max(t.done_at) as last_done_at
        from data_subject_requests r
        join request_system_tasks t on t.request_id = r.id
        where r.closed_at >= ${from} and r.closed_at < ${to} and r.closed_at > r.due_at
          and t.done_at > r.due_at
        group by r.type, t.system_id
        order by requests desc, r.type, t.system_id
      `.execute(tx);
      return result.rows.map((row) => ({ ...row, last_done_at: new Date(row.last_done_at) }));
    },

    async insertRestriction(
      tx: Executor,
      row: Insertable<RequestTables['subject_restrictions']>,
    ): Promise<void> {
      await tx.insertInto('subject_restrictions').values(row).execute();
    },
    /** The subject's restrictions in force, locked. */
    lockActiveRestrictions(tx: Executor, subjectId: string): Promise<RestrictionRow[]> {
      return tx
        .selectFrom('subject_restrictions')
        .selectAll()
        .where('subject_id', '=', subjectId)
        .where('lifted_at', 'is', null)
        .orderBy('placed_at')
        .forUpdate()
        .execute();
    },
    async liftRestrictions(
      tx: Executor,
      ids: string[],
      lift: Pick<RestrictionRow, 'lifted_at' | 'lift_reason' | 'lifted_by_type' | 'lifted_by_id'>,
    ): Promise<void> {
      if (ids.length > 0)
        await tx.updateTable('subject_restrictions').set(lift).where('id', 'in', ids).execute();
    },
  };
}

export type FulfilmentStore = ReturnType<typeof fulfilmentStore>;
