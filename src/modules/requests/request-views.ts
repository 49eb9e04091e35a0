import { maskEmail } from '../vault/masking.js';
import { calendarDateOf, daysLeft, isOverdue } from './deadlines.js';
import { isClosed, transitions } from './request-lifecycle.js';
import type { EventRow, RequestRow } from './request-store.js';
import type {
  Channel,
  Filer,
  Regime,
  RejectionReason,
  RequestState,
  RequestType,
  TimelineKind,
  VerificationMethod,
} from './request-types.js';
import type { RequestWorkflow } from './request-workflow.js';

/**
 * What the API shows of a request: a whitelist of its columns, the deadline as a day and as counts, and
 * the contact address masked (enough to recognise, not to contact).
 */
export type RequestView = {
  id: string;
  type: RequestType;
  regime: Regime;
  state: RequestState;
  channel: Channel;
  filedBy: Filer;
  filer: { type: string; id: string | null };
  subjectId: string | null;
  contactEmail: string | null;
  assigneeId: string | null;
  receivedAt: string;
  dueDate: string;
  dueAt: string;
  daysLeft: number | null;
  overdue: boolean;
  extension: { extendedAt: string; initialDueDate: string } | null;
  verification: { method: VerificationMethod; verifiedAt: string } | null;
  rejectionReason: RejectionReason | null;
  closedAt: string | null;
  allowedTransitions: RequestState[];
  createdAt: string;
  updatedAt: string;
};

export type TimelineEntry = {
  seq: number;
  at: string;
  kind: TimelineKind;
  from: RequestState | null;
  to: RequestState | null;
  actor: { type: string; id: string | null };
  details: Record<string, unknown>;
  note: string | null;
};

type Decrypting = Pick<RequestWorkflow, 'decryptContact' | 'decryptNote'>;

export function viewOf(row: RequestRow, now: Date, workflow: Decrypting): RequestView {
  const contact = workflow.decryptContact(row);
  const open = !isClosed(row.state);
  const dueDate = calendarDateOf(row.due_at);
  return {
    id: row.id,
    type: row.type,
    regime: row.regime,
    state: row.state,
    channel: row.channel,
    filedBy: row.filed_by,
    filer: { type: row.filer_type, id: row.filer_id },
    subjectId: row.subject_id,
    contactEmail: contact ? maskEmail(contact) : null,
    assigneeId: row.assignee_id,
    receivedAt: row.received_at.toISOString(),
    dueDate,
    dueAt: row.due_at.toISOString(),
    daysLeft: open ? daysLeft(dueDate, now) : null,
    overdue: open && isOverdue(row.due_at, now),
    extension: row.extended_at
      ? { extendedAt: row.extended_at.toISOString(), initialDueDate: calendarDateOf(row.initial_due_at) }
      : null,
    verification:
      row.verification_method && row.verified_at
        ? { method: row.verification_method, verifiedAt: row.verified_at.toISOString() }
        : null,
    rejectionReason: row.rejection_reason,
    closedAt: row.closed_at?.toISOString() ?? null,
    allowedTransitions: [...transitions[row.state]],
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function presentTimeline(
  requestId: string,
  events: EventRow[],
  workflow: Decrypting,
): TimelineEntry[] {
  return events.map((event) => ({
    seq: event.seq,
    at: event.at.toISOString(),
    kind: event.kind,
    from: event.from_state,
    to: event.to_state,
    actor: { type: event.actor_type, id: event.actor_id },
    details: event.details,
    note: workflow.decryptNote(requestId, event.note_sealed),
  }));
}
