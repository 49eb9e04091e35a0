import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { EventPublisher } from '../notifications/event-types.js';
import type { ConsentStates } from './consent-states.js';
import type { ConsentStore, NewConsentEvent } from './consent-store.js';
import { domainEventOf } from './consent-writer.js';

type Deps = {
  db: Kysely<DB>;
  store: ConsentStore;
  states: ConsentStates;
  audit: AuditWriter;
  events: EventPublisher;
  clock: Clock;
};

/**
 * Records the expiry of every grant past its `expiresAt`, in batches of their own transactions (rows
 * another worker holds are skipped): an `expire` event each, the state marked expired, `consent.expired`
 * for subscribers and one audit entry per batch. Checks treat an expired grant as expired already; this
 * puts the expiry in the history. Returns how many expired.
 */
export function consentExpiry({ db, store, states, audit, events, clock }: Deps) {
  async function expireBatch(context: AuditContext, batchSize: number): Promise<NewConsentEvent[]> {
    return db.transaction().execute(async (tx) => {
      const now = clock.now();
      const due = await store.dueExpiries(tx, now, batchSize);
      if (due.length === 0) return [];
      const rows: NewConsentEvent[] = due.map((state) => ({
        id: randomUUID(),
        subject_id: state.subject_id,
        purpose_key: state.purpose_key,
        version: state.version as number,
        action: 'expire',
        method: null,
        source: null,
        given_at: state.expires_at as Date,
        recorded_at: now,
        expires_at: null,
        form_id: null,
        ip_hash: null,
        user_agent_hash: null,
        actor_type: context.actor.type,
        actor_id: context.actor.id,
        request_id: context.requestId,
      }));
      const seqs = new Map((await store.recordExpiries(tx, rows)).map((row) => [row.id, row.seq]));
      await events.publish(
        tx,
        rows.map((row) => domainEventOf({ ...row, seq: seqs.get(row.id) as number })),
      );
      await audit.append(tx, context, {
        action: 'consent.expiry.recorded',
        outcome: 'success',
        details: { expired: rows.length, purposes: [...new Set(rows.map((row) => row.purpose_key))].sort() },
      });
      return rows;
    });
  }

  return async function expireDue(context: AuditContext, batchSize = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const expired = await expireBatch(context, batchSize);
      if (expired.length > 0) await states.announce([...new Set(expired.map((row) => row.subject_id))]);
      total += expired.length;
      if (expired.length < batchSize) return total;
    }
  };
}
