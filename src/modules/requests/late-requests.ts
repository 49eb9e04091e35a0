import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { fulfilmentStore } from './fulfilment-store.js';

/** A right's late requests that waited for one downstream system. */
export type LateBySystem = {
  /** The request type (the right exercised). */
  right: string;
  systemId: string;
  /** Requests closed late whose task at this system finished after the deadline. */
  requests: number;
  /** When the latest of those tasks finished. */
  lastFinishedAt: Date;
};

type Deps = { db: Kysely<DB>; store: Pick<ReturnType<typeof fulfilmentStore>, 'lateBySystem'> };

/**
 * Why requests were late, as far as downstream systems explain it: for the requests closed after their
 * deadline in a period, the systems whose tasks finished after that deadline (most requests first). A task
 * still open or failed when the request was closed did not hold it up and is not counted.
 */
export function lateRequests({ db, store }: Deps) {
  return {
    async bySystem(period: { from: Date; to: Date }): Promise<LateBySystem[]> {
      const rows = await store.lateBySystem(db, period.from, period.to);
      return rows.map((row) => ({
        right: row.type,
        systemId: row.system_id,
        requests: row.requests,
        lastFinishedAt: row.last_done_at,
      }));
    },
  };
}

export type LateRequests = ReturnType<typeof lateRequests>;
