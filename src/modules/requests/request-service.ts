import { randomUUID } from 'node:crypto';
import type { Executor } from '../../db/database.js';
import { type GroupCommitSettings, groupCommit } from '../../db/group-commit.js';
import { AppError, isAppError } from '../../lib/app-error.js';
import { pageOf, timeIdCursor } from '../../lib/paging.js';
import { isRole, permissionsOfRoles } from '../access/permissions.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { MailService } from '../mail/mail-service.js';
import { calendarDateOf, dueWithinBound, extendedDeadline, initialDeadline, isOverdue } from './deadlines.js';
import { isClosed } from './request-lifecycle.js';
import { extensionNotice, rejectionNotice } from './request-notices.js';
import type { RequestFilters, RequestRow } from './request-store.js';
import {
  type Channel,
  type Filer,
  type Regime,
  type RejectionReason,
  type RequestType,
  regimeAllows,
} from './request-types.js';
import { presentTimeline, type RequestView, type TimelineEntry, viewOf } from './request-views.js';
import {
  eventData,
  type RequestedCorrection,
  type RequestWorkflow,
  type Work,
  type WorkflowDeps,
} from './request-workflow.js';

export type FileRequestInput = {
  type: RequestType;
  regime: Regime;
  channel: Channel;
  filedBy: Filer;
  subjectId?: string | undefined;
  contactEmail?: string | undefined;
  /** When the request reached the organization (an e-mail taken in later); defaults to now. */
  receivedAt?: Date | undefined;
  /** The caller vouches that the subject authenticated with it; needs `requests.verify` (the route checks). */
  authenticatedSubject?: boolean | undefined;
  /**
   * For a rectification (or CCPA correct) request: what the subject asks to have corrected, already
   * validated against the records' collections. Stored sealed; the timeline and audit name the fields only.
   */
  corrections?: RequestedCorrection[] | undefined;
};

/** States an operator moves a request to through the transitions route (verification has its own). */
export type WorkTransition =
  | { to: 'in_progress' | 'awaiting_systems' | 'completed'; note?: string | undefined }
  | { to: 'rejected'; reason: RejectionReason; note?: string | undefined }
  | { to: 'withdrawn'; note?: string | undefined };

type Deps = Pick<WorkflowDeps, 'db' | 'store' | 'clock'> & {
  workflow: RequestWorkflow;
  mail: Pick<MailService, 'enqueue'>;
  /** Checks that a vault subject exists and is not erased (the vault's record service). */
  subjects: { getSubject(id: string): Promise<unknown> };
  /** Looks up operators to assign (the access module's operator service). */
  operators: { get(id: string): Promise<{ id: string; status: string; roles: string[] }> };
  /** Downstream tasks of a request still waiting for their system (completing waits for them). */
  openTasks?: ((executor: Executor, requestId: string) => Promise<number>) | undefined;
  /** Group commit of plain filings; without it each filing commits on its own. */
  groupCommit?: GroupCommitSettings | undefined;
};

const maxBackdatingMs = 366 * 86_400_000;
const correctionTypes: readonly RequestType[] = ['rectification', 'correct'];

/** Which fields of which records a request asks to correct: names only, for the timeline and audit log. */
export function correctedFieldsOf(
  corrections: readonly RequestedCorrection[],
): { recordId: string; collection: string; fields: string[] }[] {
  return corrections.map((correction) => ({
    recordId: correction.recordId,
    collection: correction.collection,
    fields: Object.keys(correction.fields),
  }));
}

/** `undefined` for a lookup that found nothing; any other failure is rethrown. */
export function unlessNotFound(error: unknown): undefined {
  if (isAppError(error) && error.code === 'not_found') return undefined;
  throw error;
}

/** Data-subject requests: filing, the work queue, state changes, assignment and deadline extensions. */
export function requestService({
  db,
  store,
  clock,
  workflow,
  mail,
  subjects,
  operators,
  openTasks,
  groupCommit: groupCommitSettings,
}: Deps) {
  const { inTransaction, locked, found, addEvent, moveTo } = workflow;
  const target = (id: string) => ({ type: 'request', id });

  function assertReceivedAt(receivedAt: Date, now: Date) {
    if (receivedAt.getTime() > now.getTime() || now.getTime() - receivedAt.getTime() > maxBackdatingMs) {
      throw new AppError('validation_failed', 'receivedAt must lie in the past year.', {
        errors: [{ in: 'body', path: 'receivedAt', message: 'must not be in the future or over a year ago' }],
      });
    }
  }

  function assertFileable(input: FileRequestInput) {
    if (!regimeAllows(input.regime, input.type)) {
      throw new AppError('validation_failed', `A ${input.type} request is not a ${input.regime} right.`, {
        errors: [{ in: 'body', path: 'type', message: `is not a right under ${input.regime}` }],
      });
    }
    if (input.corrections?.length && !correctionTypes.includes(input.type)) {
      throw new AppError('validation_failed', 'Only a rectification request carries corrections.', {
        errors: [{ in: 'body', path: 'corrections', message: `not for a ${input.type} request` }],
      });
    }
    if (!input.subjectId && !input.contactEmail) {
      throw new AppError('validation_failed', 'Name the subject, or give a contact e-mail address.', {
        errors: [{ in: 'body', path: '(root)', message: 'one of subjectId, contactEmail is required' }],
      });
    }
  }

  /** A new request's row: received, due by its regime's first deadline, contact sealed. */
  function newRow(context: AuditContext, input: FileRequestInput, receivedAt: Date, now: Date): RequestRow {
    const id = randomUUID();
    const deadline = initialDeadline(input.regime, receivedAt);
    return {
      id,
      type: input.type,
      regime: input.regime,
      state: 'received',
      channel: input.channel,
      filed_by: input.filedBy,
      filer_type: context.actor.type,
      filer_id: context.actor.id,
      subject_id: input.subjectId ?? null,
      contact_sealed: input.contactEmail ? workflow.sealContact(id, input.contactEmail) : null,
      corrections_sealed: input.corrections?.length ? workflow.sealCorrections(id, input.corrections) : null,
      assignee_id: null,
      received_at: receivedAt,
      due_at: deadline.dueAt,
      initial_due_at: deadline.dueAt,
      extended_at: null,
      verified_at: null,
      verification_method: null,
      rejection_reason: null,
      closed_at: null,
      created_at: now,
      updated_at: now,
    };
  }

  /**
   * Files a request: received now (or when given), due by its regime's deadline, audited and on its
   * timeline. `within` adds the caller's own writes to the same transaction (the DRP link of a request).
   */
  async function file(
    context: AuditContext,
    input: FileRequestInput,
    within?: (work: Work, row: RequestRow) => Promise<RequestRow>,
  ): Promise<RequestView> {
    assertFileable(input);
    if (input.subjectId) await subjects.getSubject(input.subjectId);
    // A plain filing (nothing else in its transaction, not verified at once) is committed together with
    // the filings that arrive meanwhile; the rest in a transaction of its own.
    if (!within && !input.authenticatedSubject) {
      const filed = await filings.submit(undefined, async () => {
        const now = clock.now();
        const receivedAt = input.receivedAt ?? now;
        assertReceivedAt(receivedAt, now);
        return { context, ...received(context, input, newRow(context, input, receivedAt, now)) };
      });
      return viewOf(filed as RequestRow, clock.now(), workflow);
    }
    const row = await inTransaction(context, async (work) => {
      const receivedAt = input.receivedAt ?? work.now;
      assertReceivedAt(receivedAt, work.now);
      const filing = received(context, input, newRow(context, input, receivedAt, work.now));
      const inserted = filing.row;
      await store.insert(work.tx, inserted);
      await addEvent(work, context, inserted, filing.event);
      work.audit.push(...filing.work.audit);
      work.events.push(...filing.work.events);
      const filed = input.authenticatedSubject
        ? await moveTo(work, context, inserted, 'verified', {
            changes: { verified_at: work.now, verification_method: 'authenticated_subject' },
            details: { method: 'authenticated_subject' },
          })
        : inserted;
      return within ? within(work, filed) : filed;
    });
    return viewOf(row, clock.now(), workflow);
  }

  /** What filing a request writes besides its row: its timeline event, webhook event and audit entry. */
  function received(context: AuditContext, input: FileRequestInput, row: RequestRow) {
    const dueDate = calendarDateOf(row.due_at);
    const facts = {
      type: input.type,
      regime: input.regime,
      channel: input.channel,
      filedBy: input.filedBy,
      dueDate,
      ...(input.corrections?.length ? { corrections: correctedFieldsOf(input.corrections) } : {}),
    };
    const event = { kind: 'received' as const, to: 'received' as const, details: facts };
    const work = {
      audit: [
        {
          action: 'request.received',
          outcome: 'success' as const,
          target: target(row.id),
          details: { ...facts, ...(input.subjectId ? { subject: input.subjectId } : {}) },
        },
      ],
      events: [
        {
          type: 'request.received' as const,
          data: eventData(row, { channel: input.channel, dueDate }),
        },
      ],
      changed: new Set([row.id]),
    };
    return { row, event, work, actor: context.actor };
  }

  type Filing = ReturnType<typeof received> & { context: AuditContext };

  /**
   * Plain filings with group commit (see group-commit.ts): the filings that arrive while a batch is being
   * written go together: one statement for their rows, one for their timeline events, the observers,
   * webhook events and audit entries together, one commit.
   */
  const filings = groupCommit<Filing, RequestRow>({
    settings: groupCommitSettings ?? { writers: Number.POSITIVE_INFINITY, maxBatch: 1 },
    write: (items) =>
      db.transaction().execute(async (tx) => {
        const at = clock.now();
        await store.insertMany(
          tx,
          items.map((item) => item.row),
        );
        await store.insertEvents(
          tx,
          items.map(({ row, event, actor }) => ({
            request_id: row.id,
            kind: event.kind,
            from_state: null,
            to_state: event.to,
            actor_type: actor.type,
            actor_id: actor.id,
            details: event.details,
            note_sealed: null,
            at,
          })),
        );
        await workflow.finish(tx, items);
        return items.map((item) => item.row);
      }),
    // Every filing of a batch is written, or the batch fails.
    refusals: async (items) => items.map(() => new Error('request filing not written')),
  });

  /** One request with its whole timeline. */
  async function get(id: string): Promise<RequestView & { timeline: TimelineEntry[] }> {
    const row = await found(db, id);
    const events = await store.timeline(db, id);
    return { ...viewOf(row, clock.now(), workflow), timeline: presentTimeline(row.id, events, workflow) };
  }

  /** The work queue, most urgent first. */
  async function list(
    filters: Omit<RequestFilters, 'overdueAt' | 'due'> & { overdue?: boolean; dueWithinDays?: number },
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: RequestView[]; nextCursor: string | null }> {
    const now = clock.now();
    const { overdue, dueWithinDays, ...plain } = filters;
    const query: RequestFilters = {
      ...plain,
      ...(overdue ? { overdueAt: now } : {}),
      ...(dueWithinDays !== undefined ? { due: { from: now, to: dueWithinBound(now, dueWithinDays) } } : {}),
    };
    const after = cursor ? timeIdCursor.decode(cursor) : undefined;
    const rows = await store.page(db, query, after && { dueAt: after.at, id: after.id }, limit + 1);
    return pageOf(
      rows,
      limit,
      (row) => viewOf(row, now, workflow),
      (row) => timeIdCursor.encode(row.due_at, row.id),
    );
  }

  /** Moves a request along the table; a rejection states its reason and tells the subject. */
  async function transition(context: AuditContext, id: string, change: WorkTransition): Promise<RequestView> {
    const row = await inTransaction(context, async (work) => {
      const current = await locked(work.tx, id);
      const unconfirmed = change.to === 'completed' && openTasks ? await openTasks(work.tx, id) : 0;
      if (unconfirmed > 0) {
        throw new AppError(
          'conflict',
          `${unconfirmed} downstream system(s) have not confirmed yet; close the request with a reason instead.`,
          { extensions: { state: current.state, unconfirmedTasks: unconfirmed } },
        );
      }
      if (change.to !== 'rejected') return moveTo(work, context, current, change.to, { note: change.note });
      const contact = workflow.decryptContact(current);
      const moved = await moveTo(work, context, current, 'rejected', {
        changes: { rejection_reason: change.reason },
        details: { reason: change.reason, subjectNotified: contact !== null },
        note: change.note,
      });
      if (contact) await mail.enqueue(work.tx, rejectionNotice(current, contact, change.reason));
      return moved;
    });
    return viewOf(row, clock.now(), workflow);
  }

  /** The subject (through the application that filed for them) takes the request back. */
  async function withdraw(context: AuditContext, id: string, note?: string): Promise<RequestView> {
    return transition(context, id, { to: 'withdrawn', note });
  }

  async function assertAssignable(operatorId: string) {
    const operator = await operators.get(operatorId).catch(unlessNotFound);
    const permissions = operator ? permissionsOfRoles(operator.roles.filter(isRole)) : new Set();
    if (operator?.status !== 'active' || !permissions.has('requests.manage')) {
      throw new AppError(
        'unprocessable',
        'Requests can only be assigned to active operators who work them.',
        {
          errors: [
            { in: 'body', path: 'operatorId', message: 'is not an active operator with requests.manage' },
          ],
        },
      );
    }
  }

  /** Gives the request to an operator (or to nobody, with null). */
  async function assign(context: AuditContext, id: string, operatorId: string | null): Promise<RequestView> {
    if (operatorId) await assertAssignable(operatorId);
    const row = await inTransaction(context, async (work) => {
      const current = await locked(work.tx, id);
      if (current.assignee_id === operatorId) return current;
      await store.update(work.tx, id, { assignee_id: operatorId, updated_at: work.now });
      const details = { assignee: operatorId, previous: current.assignee_id };
      await addEvent(work, context, current, { kind: 'assigned', details });
      work.audit.push({ action: 'request.assigned', outcome: 'success', target: target(id), details });
      return { ...current, assignee_id: operatorId, updated_at: work.now };
    });
    return viewOf(row, clock.now(), workflow);
  }

  /**
   * Extends the deadline once (GDPR: to three months from receipt; CCPA: by 45 days). The subject must be
   * told within the first period, with the reason, so an extension after the first deadline is refused.
   */
  async function extend(context: AuditContext, id: string, reason: string): Promise<RequestView> {
    const row = await inTransaction(context, async (work) => {
      const current = await locked(work.tx, id);
      if (isClosed(current.state)) {
        throw new AppError('conflict', `A request that is ${current.state} has no deadline to extend.`, {
          extensions: { state: current.state },
        });
      }
      if (current.extended_at)
        throw new AppError('conflict', 'The deadline of this request was extended already.');
      if (isOverdue(current.initial_due_at, work.now)) {
        throw new AppError(
          'conflict',
          'The deadline has passed: an extension must be notified to the subject within the first period.',
        );
      }
      const previousDueDate = calendarDateOf(current.due_at);
      const deadline = extendedDeadline(current.regime, current.received_at);
      await store.update(work.tx, id, {
        due_at: deadline.dueAt,
        extended_at: work.now,
        updated_at: work.now,
      });
      const contact = workflow.decryptContact(current);
      const details = { previousDueDate, dueDate: deadline.dueDate, subjectNotified: contact !== null };
      await addEvent(work, context, current, { kind: 'extended', details, note: reason });
      if (contact) {
        await mail.enqueue(
          work.tx,
          extensionNotice(current, contact, { previousDueDate, dueDate: deadline.dueDate, reason }),
        );
      }
      work.audit.push({ action: 'request.extended', outcome: 'success', target: target(id), details });
      const extended = { ...current, due_at: deadline.dueAt, extended_at: work.now, updated_at: work.now };
      work.events.push({
        type: 'request.extended',
        data: eventData(extended, { dueDate: deadline.dueDate }),
      });
      return extended;
    });
    return viewOf(row, clock.now(), workflow);
  }

  return { file, get, list, transition, withdraw, assign, extend };
}

export type RequestService = ReturnType<typeof requestService>;
