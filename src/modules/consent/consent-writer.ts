import type { Kysely } from 'kysely';
import type { Tx } from '../../db/database.js';
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

type Job = {
  context: AuditContext;
  subjectId: string;
  /** Undefined while the call is still preparing them; the call holds its place meanwhile. */
  events: NewConsentEvent[] | undefined;
  resolve: (written: WrittenEvent[]) => void;
  reject: (error: unknown) => void;
};
type ReadyJob = Job & { events: NewConsentEvent[] };

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
  const queue: Job[] = [];
  const subjectsInFlight = new Set<string>();
  let active = 0;

  /**
   * The next batch: prepared calls in order, one per subject, skipping subjects being written and
   * subjects with an earlier call still preparing (it keeps its place).
   */
  function take(): ReadyJob[] {
    const batch: ReadyJob[] = [];
    const waiting = new Set<string>();
    for (let index = 0; index < queue.length && batch.length < settings.maxBatch; ) {
      const job = queue[index] as Job;
      if (!job.events || subjectsInFlight.has(job.subjectId) || waiting.has(job.subjectId)) {
        waiting.add(job.subjectId);
        index += 1;
        continue;
      }
      subjectsInFlight.add(job.subjectId);
      batch.push(job as ReadyJob);
      queue.splice(index, 1);
    }
    return batch;
  }

  function pump() {
    while (active < settings.writers && queue.length > 0) {
      const batch = take();
      if (batch.length === 0) return;
      active += 1;
      let released = false;
      // The writer is free for the next batch as soon as this one committed (or failed for good); the
      // announcement and the answers follow meanwhile.
      const release = () => {
        if (released) return;
        released = true;
        for (const job of batch) subjectsInFlight.delete(job.subjectId);
        active -= 1;
        pump();
      };
      void run(batch, release).finally(release);
    }
  }

  /**
   * Writes a batch; if its transaction fails (nothing was committed), each call is tried alone so one bad
   * call fails alone. What follows a commit never throws, so nothing committed is written twice.
   */
  async function run(batch: ReadyJob[], release: () => void): Promise<void> {
    try {
      await writeTogether(batch, release);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const job of batch) {
        await writeTogether([job], () => {}).catch((alone: unknown) => job.reject(alone));
      }
    }
  }

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

  async function writeTogether(batch: ReadyJob[], committed: () => void): Promise<void> {
    const { written, refused } = await db.transaction().execute(async (tx) => {
      const done = await appendCalls(tx, batch);
      return { written: done, refused: batch.filter((job) => !done.has(job)) };
    });
    committed();
    if (written.size > 0) await announce([...written.keys()].map((job) => job.subjectId));
    for (const [job, jobEvents] of written) job.resolve(jobEvents);
    if (refused.length > 0) await refuse(refused);
  }

  /** Calls whose subject does not exist or was erased: nothing of theirs was written. Never throws. */
  async function refuse(jobs: ReadyJob[]): Promise<void> {
    let statuses: Map<string, string>;
    try {
      statuses = await store.subjectStatuses(
        db,
        jobs.map((job) => job.subjectId),
      );
    } catch (error) {
      for (const job of jobs) job.reject(error);
      return;
    }
    for (const job of jobs) job.reject(refusalFor(statuses.get(job.subjectId)));
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
      return new Promise((resolve, reject) => {
        const job: Job = { context, subjectId, events: undefined, resolve, reject };
        queue.push(job);
        prepare().then(
          (events) => {
            if (events.length > 0) {
              job.events = events;
            } else {
              queue.splice(queue.indexOf(job), 1);
              resolve([]);
            }
            pump();
          },
          (error: unknown) => {
            queue.splice(queue.indexOf(job), 1);
            reject(error);
            pump();
          },
        );
      });
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
