import type { Kysely } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { SealedBox } from '../../lib/sealed-box.js';
import type { AuditContext, AuditEntryInput, AuditWriter } from '../audit/audit-types.js';
import type { DomainEvent, EventPublisher, EventType } from '../notifications/event-types.js';
import { assertTransition, isClosed } from './request-lifecycle.js';
import type { RequestChanges, RequestRow, RequestStore } from './request-store.js';
import type { RequestState, TimelineKind } from './request-types.js';

export type WorkflowDeps = {
  db: Kysely<DB>;
  store: RequestStore;
  audit: AuditWriter;
  clock: Clock;
  /** Seals contact addresses and operator notes (AES-256-GCM under the requests key). */
  box: SealedBox;
  /** Webhook events, published in the same transaction (the notifications module). */
  events: Pick<EventPublisher, 'publish'>;
  /** Told, in the transaction, which requests each unit of work changed (the DRP status callbacks). */
  observers?: readonly RequestObserver[];
};

/** Follows request changes inside their transaction; writes no audit entries of its own. */
export type RequestObserver = {
  requestsChanged(tx: Tx, context: AuditContext, requestIds: string[]): Promise<void>;
};

/** What one unit of work records: timeline events now, audit entries at the very end. */
export type Work = {
  tx: Tx;
  now: Date;
  /** Webhook events to publish once the change is written. */
  events: DomainEvent[];
  /** Audit entries to append last, once everything else in the transaction is done. */
  audit: AuditEntryInput[];
  /** Requests that got a timeline event in this unit of work, for the observers. */
  changed: Set<string>;
};

/** The webhook event a state change announces, if any. */
const stateEvents: Partial<Record<RequestState, EventType>> = {
  verified: 'request.verified',
  completed: 'request.completed',
  rejected: 'request.rejected',
  withdrawn: 'request.withdrawn',
};

/** What a request's webhook events carry: identifiers and facts, never the requester's data. */
export function eventData(row: RequestRow, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    requestId: row.id,
    type: row.type,
    regime: row.regime,
    state: row.state,
    subjectId: row.subject_id,
    ...extra,
  };
}

const contactAad = (requestId: string) => `custos.request.contact.v1:${requestId}`;
const noteAad = (requestId: string) => `custos.request.note.v1:${requestId}`;
const correctionsAad = (requestId: string) => `custos.request.corrections.v1:${requestId}`;

/** A correction a subject asked for: one record, the fields to set and their values (personal data). */
export type RequestedCorrection = { recordId: string; collection: string; fields: Record<string, unknown> };

/**
 * The pieces every request operation is built from: a transaction whose audit entries are appended last
 * (an append holds the audit chain's head until commit), state changes checked against the one table,
 * timeline events, and sealing of the personal data a request carries.
 */
export function requestWorkflow({ db, store, audit, clock, box, events, observers = [] }: WorkflowDeps) {
  /**
   * Runs `body` as one unit of work in a transaction another module opened (the webhook worker's, when a
   * downstream task fails): observers, events and audit entries follow, last, as in `inTransaction`.
   */
  async function within<T>(tx: Tx, context: AuditContext, body: (work: Work) => Promise<T>): Promise<T> {
    const work: Work = { tx, now: clock.now(), events: [], audit: [], changed: new Set() };
    const result = await body(work);
    await finish(tx, [{ context, work }]);
    return result;
  }

  /**
   * What ends units of work in `tx`, last: the observers hear which requests changed (once per actor),
   * the webhook events are published together and the audit entries appended together, each naming its
   * own unit's context. Several units share it when filings are committed together (group commit).
   */
  async function finish(
    tx: Tx,
    units: readonly { context: AuditContext; work: Pick<Work, 'events' | 'audit' | 'changed'> }[],
  ): Promise<void> {
    if (observers.length > 0) {
      const byActor = new Map<string, { context: AuditContext; changed: string[] }>();
      for (const { context, work } of units) {
        if (work.changed.size === 0) continue;
        const actor = `${context.actor.type}:${context.actor.id ?? ''}`;
        const group = byActor.get(actor) ?? { context, changed: [] };
        group.changed.push(...work.changed);
        byActor.set(actor, group);
      }
      for (const { context, changed } of byActor.values()) {
        for (const observer of observers) await observer.requestsChanged(tx, context, changed);
      }
    }
    await events.publish(
      tx,
      units.flatMap(({ work }) => work.events),
    );
    const entries = units.flatMap(({ context, work }) => work.audit.map((entry) => ({ context, entry })));
    if (entries.length === 1) {
      const [only] = entries as [(typeof entries)[number]];
      await audit.append(tx, only.context, only.entry);
    } else if (entries.length > 1) {
      await audit.appendMany(tx, entries);
    }
  }

  /** Runs `body` in a transaction, then publishes its events and appends its audit entries, last. */
  function inTransaction<T>(context: AuditContext, body: (work: Work) => Promise<T>): Promise<T> {
    return db.transaction().execute((tx) => within(tx, context, body));
  }

  async function locked(tx: Executor, id: string): Promise<RequestRow> {
    const row = await store.lock(tx, id);
    if (!row) throw new AppError('not_found', 'Request not found.');
    return row;
  }

  async function found(executor: Executor, id: string): Promise<RequestRow> {
    const row = await store.find(executor, id);
    if (!row) throw new AppError('not_found', 'Request not found.');
    return row;
  }

  function sealNote(requestId: string, note: string | undefined): Buffer | null {
    return note ? box.seal(Buffer.from(note, 'utf8'), noteAad(requestId)) : null;
  }

  async function addEvent(
    work: Work,
    context: AuditContext,
    row: Pick<RequestRow, 'id'>,
    event: {
      kind: TimelineKind;
      from?: RequestState | null;
      to?: RequestState | null;
      details?: Record<string, unknown>;
      note?: string | undefined;
    },
  ): Promise<void> {
    work.changed.add(row.id);
    await store.insertEvents(work.tx, [
      {
        request_id: row.id,
        kind: event.kind,
        from_state: event.from ?? null,
        to_state: event.to ?? null,
        actor_type: context.actor.type,
        actor_id: context.actor.id,
        details: event.details ?? {},
        note_sealed: sealNote(row.id, event.note),
        at: work.now,
      },
    ]);
  }

  /**
   * Moves a locked request to `to` if the table allows it (409 otherwise), with any other column changes,
   * a timeline event and an audit entry naming both states. Returns the row as it now is.
   */
  async function moveTo(
    work: Work,
    context: AuditContext,
    row: RequestRow,
    to: RequestState,
    extra: { changes?: RequestChanges; details?: Record<string, unknown>; note?: string | undefined } = {},
  ): Promise<RequestRow> {
    assertTransition(row.state, to);
    const changes: RequestChanges = {
      ...extra.changes,
      state: to,
      updated_at: work.now,
      // What the subject asked to have corrected is personal data: kept only while the request is open.
      ...(isClosed(to) ? { closed_at: work.now, corrections_sealed: null } : {}),
    };
    await store.update(work.tx, row.id, changes);
    const details = extra.details ?? {};
    await addEvent(work, context, row, {
      kind: 'state_changed',
      from: row.state,
      to,
      details,
      note: extra.note,
    });
    work.audit.push({
      action: 'request.state_changed',
      outcome: 'success',
      target: { type: 'request', id: row.id },
      details: { from: row.state, to, ...details, ...(row.subject_id ? { subject: row.subject_id } : {}) },
    });
    const moved = { ...row, ...(changes as Partial<RequestRow>) };
    const eventType = stateEvents[to];
    if (eventType) work.events.push({ type: eventType, data: eventData(moved, details) });
    return moved;
  }

  return {
    inTransaction,
    within,
    finish,
    locked,
    found,
    addEvent,
    moveTo,
    sealContact: (requestId: string, address: string): Buffer =>
      box.seal(Buffer.from(address, 'utf8'), contactAad(requestId)),
    /** The request's contact e-mail address in clear (for mail and masked display only). */
    decryptContact: (row: Pick<RequestRow, 'id' | 'contact_sealed'>): string | null =>
      row.contact_sealed ? box.open(row.contact_sealed, contactAad(row.id)).toString('utf8') : null,
    decryptNote: (requestId: string, sealed: Buffer | null): string | null =>
      sealed ? box.open(sealed, noteAad(requestId)).toString('utf8') : null,
    sealCorrections: (requestId: string, corrections: RequestedCorrection[]): Buffer =>
      box.seal(Buffer.from(JSON.stringify(corrections), 'utf8'), correctionsAad(requestId)),
    /** The corrections the subject asked for, in clear (for the team fulfilling the request). */
    decryptCorrections: (row: Pick<RequestRow, 'id' | 'corrections_sealed'>): RequestedCorrection[] | null =>
      row.corrections_sealed
        ? (JSON.parse(
            box.open(row.corrections_sealed, correctionsAad(row.id)).toString('utf8'),
          ) as RequestedCorrection[])
        : null,
  };
}

export type RequestWorkflow = ReturnType<typeof requestWorkflow>;
