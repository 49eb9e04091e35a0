import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { MailMessage, MailService } from '../mail/mail-service.js';
import type { RequestRow } from './request-store.js';
import { type FulfilmentAction, fulfilledTypes, type TaskAction } from './request-types.js';
import { type RequestView, viewOf } from './request-views.js';
import type { RequestWorkflow, Work } from './request-workflow.js';
import type { AffectedData, SystemTasks } from './system-tasks.js';

type Deps = {
  clock: Clock;
  workflow: RequestWorkflow;
  tasks: Pick<SystemTasks, 'dispatch'>;
  mail: Pick<MailService, 'enqueue'>;
};

/**
 * What every fulfilment shares: the request must be of a type the action answers, in progress, and name
 * its vault subject; afterwards downstream systems are told, the subject is answered, and the request
 * waits for the systems or is complete.
 */
export function fulfilmentSteps({ clock, workflow, tasks, mail }: Deps) {
  /** The request's subject, if the request may be fulfilled by `action` now (409 otherwise). */
  function assertFulfillable(row: RequestRow, action: FulfilmentAction): string {
    if (!(fulfilledTypes[action] as readonly string[]).includes(row.type)) {
      throw new AppError('conflict', `A ${row.type} request is not fulfilled by ${action}.`, {
        extensions: {
          type: row.type,
          fulfilledBy: Object.keys(fulfilledTypes).filter((key) =>
            (fulfilledTypes[key as FulfilmentAction] as readonly string[]).includes(row.type),
          ),
        },
      });
    }
    if (row.state !== 'in_progress') {
      throw new AppError(
        'conflict',
        `A request is fulfilled while it is in progress; this one is ${row.state}.`,
        {
          extensions: { state: row.state },
        },
      );
    }
    if (!row.subject_id) {
      throw new AppError(
        'conflict',
        'This request names no vault subject; name the subject before fulfilling it.',
      );
    }
    return row.subject_id;
  }

  /**
   * Tells the relevant downstream systems (for erasure, rectification and restriction), answers the
   * subject, and moves the request on: to `awaiting_systems` while systems are to confirm, else `completed`.
   */
  async function finish(
    work: Work,
    context: AuditContext,
    row: RequestRow,
    step: {
      task?: { action: TaskAction; affected: AffectedData } | undefined;
      notice: (to: string, systems: number) => MailMessage;
      details?: Record<string, unknown>;
      note?: string | undefined;
      /** The contact address read before the step erased it (an erasure); the row's own otherwise. */
      contact?: string | null | undefined;
    },
  ): Promise<RequestRow> {
    const sent = step.task
      ? await tasks.dispatch(work, context, row, step.task.action, step.task.affected)
      : [];
    const contact = step.contact === undefined ? workflow.decryptContact(row) : step.contact;
    if (contact) await mail.enqueue(work.tx, step.notice(contact, sent.length));
    return workflow.moveTo(work, context, row, sent.length > 0 ? 'awaiting_systems' : 'completed', {
      details: { ...step.details, systems: sent.length, subjectNotified: contact !== null },
      note: step.note,
    });
  }

  return {
    assertFulfillable,
    finish,
    /** The request as the API shows it. */
    view: (row: RequestRow): RequestView => viewOf(row, clock.now(), workflow),
  };
}

export type FulfilmentSteps = ReturnType<typeof fulfilmentSteps>;
