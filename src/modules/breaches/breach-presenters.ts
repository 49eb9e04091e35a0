import type { z } from 'zod';
import { clockView } from './breach-clock.js';
import type { ZBreach, ZTask, ZTimelineEvent } from './breach-schemas.js';
import type { AffectedSubjectRow, BreachEventRow, BreachRow, BreachTaskRow } from './breach-store.js';

const iso = (at: Date | null) => (at ? at.toISOString() : null);

/** When the clock stopped: the first submission, a decision not to notify, or the breach's end. */
function clockStoppedAt(row: BreachRow): Date | null {
  if (row.authority_notified_at) return row.authority_notified_at;
  if (row.notify_authority === false || row.status === 'closed' || row.status === 'dismissed')
    return row.updated_at;
  return null;
}

export function presentBreach(row: BreachRow, now: Date): z.infer<typeof ZBreach> {
  const clock = clockView(row.deadline_at, now, clockStoppedAt(row));
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    statusReason: row.status_reason,
    awareAt: row.aware_at.toISOString(),
    deadlineAt: row.deadline_at.toISOString(),
    clock: { msLeft: clock.msLeft, overdue: clock.overdue, stopped: clock.stopped },
    occurredFrom: iso(row.occurred_from),
    occurredUntil: iso(row.occurred_until),
    discovery: row.discovery,
    alertId: row.alert_id,
    facts: row.facts,
    assessment: row.assessment,
    decision: row.decision,
    severity: row.severity,
    notifyAuthority: row.notify_authority,
    notifyIndividuals: row.notify_individuals,
    lateReasons: row.late_reasons,
    authorityNotifiedAt: iso(row.authority_notified_at),
    individualNotice: row.individual_notice
      ? { subject: row.individual_notice.subject, startedAt: row.individual_notice.startedAt }
      : null,
    publicCommunication: row.public_communication,
    lessonsLearned: row.lessons_learned,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function presentTask(row: BreachTaskRow): z.infer<typeof ZTask> {
  return {
    id: row.id,
    title: row.title,
    owner: row.owner,
    status: row.status,
    dueAt: iso(row.due_at),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function presentEvent(row: BreachEventRow): z.infer<typeof ZTimelineEvent> {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: { type: row.actor_type, id: row.actor_id },
    kind: row.kind,
    fields: row.fields,
    note: row.note,
    details: row.details,
  };
}

export function presentAffected(row: AffectedSubjectRow) {
  return {
    subjectId: row.subject_id,
    fields: row.fields,
    kinds: row.actions,
    entries: row.entries,
    firstAt: iso(row.first_at),
    lastAt: iso(row.last_at),
  };
}
