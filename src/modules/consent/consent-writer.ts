import type { Kysely } from 'kysely';
import type { Tx } from '../../db/database.js';
import { groupCommit } from '../../db/group-commit.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { DomainEvent, EventPublisher, EventType } from '../notifications/event-types.js';
import type { ConsentAction } from './consent-rules.js';
import type { ConsentStore, NewConsentEvent } from './consent-store.js';

/** An event as written: with the number the history gave it. */
export type WrittenEvent = NewConsentEvent & { seq: number };

const eventTypeOf: Record<ConsentAction, EventType> = {
  grant: 'consent.granted',
  withdraw: 'consent.withdrawn',
  deny: 'consent.denied',
  object: 'consent.objected',
  expire: 'consent.expired',
};

/** The webhook event for a consent event: identifiers only, never personal data. */
export function domainEventOf(event: WrittenEvent): DomainEvent {
  return {
    type: eventTypeOf[event.action],
    data: {
      eventId: event.id,
      sequence: event.seq,
      subjectId: event.subject_id,
      purpose: event.purpose_key,
      version: event.version,
      method: event.method,
      source: event.source,
      at: event.given_at.toISOString(),
      expiresAt: event.expires_at?.toISOString() ?? null,
    },
  };
}

/** One call's events for one subject, with the context its audit entry names. */
export type ConsentCall = { context: AuditContext; subjectId: string; events: NewConsentEvent[] };

function refusalFor(status: string | undefined): AppError {
  return status
    ? new AppError('subject_erased', 'This subject was erased; no consent can be recorded for them.')
    : new AppError('not_found', 'Subject not found.');
}

type Deps = {
  db: Kysely<DB>;
  store: ConsentStore;
  audit: AuditWriter;
  events: EventPublisher;
  /** Tells every process to forget these subjects' cached state (after the commit). */
  announce: (subjectIds: string[]) => Promise<void>;
  settings: {
    /** Transactions writing at once (1 on PGlite, which has one connection). */
    writers: number;
    /** Most calls one transaction carries. */
    maxBatch: number;
  };
};

/**
 * Writes consent events with group commit. A call made while the writers are busy waits, and the calls
 * that waited go together: one transaction, one statement for all their events and states, each call's
 * own audit entry, one commit. Under load many grants share a commit instead of queueing for one commit
 * each; alone, a call is written at once. A subject's calls are written one after another in the order
 * they were made (never two at once), so its standing state always follows its last call.
 */
export function consentWriter({ db, store, audit, events, announce, settings }: Deps) {
  const writes = groupCommit<ConsentCall, WrittenEvent[]>({
    settings,
    async write(calls) {
      const done = await db.transaction().execute((tx) => appendCalls(tx, calls));
      return calls.map((call) => done.get(call));
    },
    committed: (calls) => announce(calls.map((call) => call.subjectId)),
    // Calls whose subject does not exist or was erased: nothing of theirs was written.
    async refusals(calls) {
      const statuses = await store.subjectStatuses(
        db,
        calls.map((call) => call.subjectId),
      );
      return calls.map((call) => refusalFor(statuses.get(call.subjectId)));
    },
  });

  /**
   * Appends the calls' events with their state, their webhook events and one audit entry per call, in
   * `tx`. Calls whose subject does not exist or was erased are not written and not in the answer.
   */
  async function appendCalls<C extends ConsentCall>(tx: Tx, calls: C[]): Promise<Map<C, WrittenEvent[]>> {
    const appended = await store.appendEvents(
      tx,
      calls.flatMap((call) => call.events),
    );
    const seqs = new Map(appended.map((row) => [row.id, row.seq]));
    const done = new Map<C, WrittenEvent[]>();
    for (const call of calls) {
      if (!call.events.every((event) => seqs.has(event.id))) continue;
      done.set(
        call,
        call.events.map((event) => ({ ...event, seq: seqs.get(event.id) as number })),
      );
    }
    await events.publish(tx, [...done.values()].flat().map(domainEventOf));
    // The audit entries come last (they hold an audit chain's lock until commit): one per call, all
    // written together.
    await audit.appendMany(
      tx,
      [...done].map(([call, callEvents]) => ({
        context: call.context,
        entry: {
          action: 'consent.event.recorded',
          outcome: 'success' as const,
          target: { type: 'subject', id: call.subjectId },
          details: {
            events: callEvents.map((event) => ({
              purpose: event.purpose_key,
              version: event.version,
              action: event.action,
              method: event.method,
              source: event.source,
            })),
          },
        },
      })),
    );
    return done;
  }

  return {
    /**
     * Writes a subject's events (at most one per purpose) with their state, webhook events and an audit
     * entry, committed with whatever else is waiting; resolves once committed and announced. The call
     * takes its place at once and `prepare` (checks, building the events) runs meanwhile, so a subject's
     * calls are written in the order they were made. A failing `prepare` fails the call alone.
     */
    write(
      context: AuditContext,
      subjectId: string,
      prepare: () => Promise<NewConsentEvent[]>,
    ): Promise<WrittenEvent[]> {
      return writes
        .submit(subjectId, async () => {
          const events = await prepare();
          return events.length > 0 ? { context, subjectId, events } : undefined;
        })
        .then((written) => written ?? []);
    },

    /**
     * Writes calls in the caller's transaction, outside the group commit, so they commit or roll back with
     * the caller's own change. Throws (and so rolls the caller back) when a subject does not exist or was
     * erased. The caller announces the change after its commit.
     */
    async writeWithin(tx: Tx, calls: ConsentCall[]): Promise<WrittenEvent[]> {
      const given = calls.filter((call) => call.events.length > 0);
      const written = await appendCalls(tx, given);
      const refused = given.find((call) => !written.has(call));
      if (refused) {
        const statuses = await store.subjectStatuses(tx, [refused.subjectId]);
        throw refusalFor(statuses.get(refused.subjectId));
      }
      return [...written.values()].flat();
    },
  };
}

export type ConsentWriter = ReturnType<typeof consentWriter>;
