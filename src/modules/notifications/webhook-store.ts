import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DeliveryStatus, NotificationTables } from './notification-tables.js';

type Tables = NotificationTables;
export type EndpointRow = Selectable<Tables['webhook_endpoints']>;
export type MessageRow = Selectable<Tables['webhook_messages']>;
export type DeliveryRow = Selectable<Tables['webhook_deliveries']>;
export type AttemptRow = Selectable<Tables['webhook_delivery_attempts']>;

/** What one delivery attempt needs: the delivery's state, the message and the endpoint's URL and secrets. */
export type DeliveryTarget = Pick<DeliveryRow, 'id' | 'status' | 'attempts' | 'round' | 'round_attempts'> & {
  message_id: string;
  body: string;
  body_sealed: Buffer | null;
  endpoint_id: string;
  url: string;
  enabled: boolean;
  location: string | null;
  event_type: string;
  secret_sealed: Buffer;
  previous_secret_sealed: Buffer | null;
  previous_secret_expires_at: Date | null;
};

export type DeliveryFilters = {
  endpointId?: string | undefined;
  status?: DeliveryStatus | undefined;
  eventType?: string | undefined;
};

/** SQL for webhook endpoints, messages, deliveries and their attempts. */
export function webhookStore() {
  return {
    async insertEndpoint(tx: Executor, row: Insertable<Tables['webhook_endpoints']>): Promise<EndpointRow> {
      return tx.insertInto('webhook_endpoints').values(row).returningAll().executeTakeFirstOrThrow();
    },

    findEndpoint(tx: Executor, id: string): Promise<EndpointRow | undefined> {
      return tx.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    },

    lockEndpoint(tx: Executor, id: string): Promise<EndpointRow | undefined> {
      return tx
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
    },

    listEndpoints(tx: Executor): Promise<EndpointRow[]> {
      return tx.selectFrom('webhook_endpoints').selectAll().orderBy('created_at').orderBy('id').execute();
    },

    async updateEndpoint(
      tx: Executor,
      id: string,
      changes: Updateable<Tables['webhook_endpoints']>,
    ): Promise<EndpointRow> {
      return tx
        .updateTable('webhook_endpoints')
        .set(changes)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    async deleteEndpoint(tx: Executor, id: string): Promise<boolean> {
      const result = await tx.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    /** Enabled endpoints and the event types they take (null: all), for the subscription cache. */
    subscriptions(tx: Executor): Promise<Pick<EndpointRow, 'id' | 'event_types'>[]> {
      return tx
        .selectFrom('webhook_endpoints')
        .select(['id', 'event_types'])
        .where('enabled', '=', true)
        .execute();
    },

    async insertMessages(tx: Executor, rows: Insertable<Tables['webhook_messages']>[]): Promise<void> {
      if (rows.length > 0) await tx.insertInto('webhook_messages').values(rows).execute();
    },

    /**
     * One delivery per (message, enabled endpoint subscribed to its type), decided by the endpoints table
     * itself within the caller's transaction, so a cache that is a moment old can never address an endpoint
     * that was deleted or disabled meanwhile.
     */
    fanOut(
      tx: Executor,
      messageIds: readonly string[],
      at: Date,
    ): Promise<Pick<DeliveryRow, 'id' | 'message_id' | 'endpoint_id'>[]> {
      if (messageIds.length === 0) return Promise.resolve([]);
      return tx
        .insertInto('webhook_deliveries')
        .columns(['message_id', 'endpoint_id', 'event_type', 'next_attempt_at', 'created_at', 'updated_at'])
        .expression((eb) =>
          eb
            .selectFrom('webhook_messages as m')
            .innerJoin('webhook_endpoints as e', (join) =>
              join
                .on('e.enabled', '=', true)
                .on((on) =>
                  on.or([
                    on('e.event_types', 'is', null),
                    on('m.event_type', '=', on.fn.any('e.event_types')),
                  ]),
                ),
            )
            .select([
              'm.id as message_id',
              'e.id as endpoint_id',
              'm.event_type',
              sql<Date>`${at}::timestamptz`.as('next_attempt_at'),
              sql<Date>`${at}::timestamptz`.as('created_at'),
              sql<Date>`${at}::timestamptz`.as('updated_at'),
            ])
            .where('m.id', 'in', messageIds)
            .orderBy('m.id')
            .orderBy('e.id'),
        )
        .returning(['id', 'message_id', 'endpoint_id'])
        .execute();
    },

    insertDelivery(tx: Executor, row: Insertable<Tables['webhook_deliveries']>): Promise<DeliveryRow> {
      return tx.insertInto('webhook_deliveries').values(row).returningAll().executeTakeFirstOrThrow();
    },

    deliveryTarget(tx: Executor, id: string): Promise<DeliveryTarget | undefined> {
      return tx
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_messages as m', 'm.id', 'd.message_id')
        .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
        .select([
          'd.id',
          'd.status',
          'd.attempts',
          'd.round',
          'd.round_attempts',
          'm.id as message_id',
          'm.body',
          'm.body_sealed',
          'e.id as endpoint_id',
          'e.url',
          'e.enabled',
          'e.location',
          'm.event_type',
          'e.secret_sealed',
          'e.previous_secret_sealed',
          'e.previous_secret_expires_at',
        ])
        .where('d.id', '=', id)
        .executeTakeFirst();
    },

    /**
     * Records the outcome of attempt `attempts + 1` on the delivery (or, with `sent: false`, a decision
     * taken without sending), but only while it is still pending at `attempts`: a duplicate run of the same
     * attempt then changes nothing. True when it was recorded.
     */
    async recordOutcome(
      tx: Executor,
      id: string,
      expected: { attempts: number; sent: boolean },
      changes: Updateable<Tables['webhook_deliveries']>,
    ): Promise<boolean> {
      const step = expected.sent ? 1 : 0;
      const result = await tx
        .updateTable('webhook_deliveries')
        .set((eb) => ({
          ...changes,
          attempts: eb('attempts', '+', step),
          round_attempts: eb('round_attempts', '+', step),
        }))
        .where('id', '=', id)
        .where('attempts', '=', expected.attempts)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async insertAttempt(tx: Executor, row: Insertable<Tables['webhook_delivery_attempts']>): Promise<void> {
      await tx.insertInto('webhook_delivery_attempts').values(row).execute();
    },

    /** Newest first; `before` is the `seq` of the last delivery of the previous page. */
    listDeliveries(
      tx: Executor,
      filters: DeliveryFilters,
      page: { before?: number | undefined; limit: number },
    ): Promise<DeliveryRow[]> {
      let query = tx.selectFrom('webhook_deliveries').selectAll();
      if (filters.endpointId) query = query.where('endpoint_id', '=', filters.endpointId);
      if (filters.status) query = query.where('status', '=', filters.status);
      if (filters.eventType) query = query.where('event_type', '=', filters.eventType);
      if (page.before !== undefined) query = query.where('seq', '<', page.before);
      return query.orderBy('seq', 'desc').limit(page.limit).execute();
    },

    findDelivery(tx: Executor, id: string): Promise<(DeliveryRow & { body: string }) | undefined> {
      return tx
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_messages as m', 'm.id', 'd.message_id')
        .selectAll('d')
        .select('m.body')
        .where('d.id', '=', id)
        .executeTakeFirst();
    },

    lockDelivery(tx: Executor, id: string): Promise<DeliveryRow | undefined> {
      return tx
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
    },

    attemptsOf(tx: Executor, deliveryId: string): Promise<AttemptRow[]> {
      return tx
        .selectFrom('webhook_delivery_attempts')
        .selectAll()
        .where('delivery_id', '=', deliveryId)
        .orderBy('attempt')
        .execute();
    },

    /** Puts deliveries back to pending for a new round of attempts starting now. */
    async startNewRound(
      tx: Executor,
      where: { id: string } | { endpointId: string; status: DeliveryStatus; limit: number },
      at: Date,
    ): Promise<DeliveryRow[]> {
      const ids =
        'id' in where
          ? [where.id]
          : (
              await tx
                .selectFrom('webhook_deliveries')
                .select('id')
                .where('endpoint_id', '=', where.endpointId)
                .where('status', '=', where.status)
                .orderBy('seq')
                .limit(where.limit)
                .forUpdate()
                .skipLocked()
                .execute()
            ).map((row) => row.id);
      if (ids.length === 0) return [];
      return tx
        .updateTable('webhook_deliveries')
        .set((eb) => ({
          status: 'pending',
          round: eb('round', '+', 1),
          round_attempts: 0,
          next_attempt_at: at,
          dead_lettered_at: null,
          updated_at: at,
        }))
        .where('id', 'in', ids)
        .returningAll()
        .execute();
    },

    async countDeliveries(tx: Executor, filters: DeliveryFilters): Promise<number> {
      let query = tx.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<number>().as('count'));
      if (filters.endpointId) query = query.where('endpoint_id', '=', filters.endpointId);
      if (filters.status) query = query.where('status', '=', filters.status);
      const row = await query.executeTakeFirst();
      return Number(row?.count ?? 0);
    },

    /**
     * Deletes messages older than `before` whose deliveries are all finished (delivered or dead-lettered),
     * with their deliveries and attempts. Returns how many messages went.
     */
    async pruneMessages(tx: Executor, before: Date): Promise<number> {
      const result = await tx
        .deleteFrom('webhook_messages as m')
        .where('m.created_at', '<', before)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('webhook_deliveries as d')
                .select('d.id')
                .whereRef('d.message_id', '=', 'm.id')
                .where('d.status', '=', 'pending'),
            ),
          ),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type WebhookStore = ReturnType<typeof webhookStore>;
