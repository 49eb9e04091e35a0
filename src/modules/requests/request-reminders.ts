import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../logger.js';
import type { SecurityAlerts } from '../alerts/security-alerts.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { MailMessage, MailService } from '../mail/mail-service.js';
import { calendarDateOf, daysLeft, dueWithinBound } from './deadlines.js';
import { type ReminderLine, reminderNotice } from './request-notices.js';
import { unlessNotFound } from './request-service.js';
import type { RequestRow, RequestStore } from './request-store.js';

type Deps = {
  db: Kysely<DB>;
  store: RequestStore;
  mail: Pick<MailService, 'enqueue'>;
  audit: AuditWriter;
  clock: Clock;
  operators: { get(id: string): Promise<{ id: string; email: string; status: string }> };
  logger: Logger;
  settings: { withinDays: number; publicUrl: string };
  /** Raises an alert for every open request past its deadline, on every run (repeats fold into one). */
  alerts?: Pick<SecurityAlerts, 'requestOverdue'> | undefined;
};

/**
 * The daily deadline reminder: every assignee of open requests that are overdue or due within N days
 * gets one e-mail listing them, and every overdue request (assigned or not) an alert. All messages and
 * alerts are written in one transaction, so a retried run never sends some operators a second reminder.
 */
export function deadlineReminders({
  db,
  store,
  mail,
  audit,
  clock,
  operators,
  logger,
  settings,
  alerts,
}: Deps) {
  const consoleUrl = `${settings.publicUrl.replace(/\/$/, '')}/console`;

  function groupByAssignee(rows: RequestRow[]): Map<string, RequestRow[]> {
    const groups = new Map<string, RequestRow[]>();
    for (const row of rows) {
      if (!row.assignee_id) continue;
      groups.set(row.assignee_id, [...(groups.get(row.assignee_id) ?? []), row]);
    }
    return groups;
  }

  /**
   * Sends today's reminders and raises an alert for each overdue request; returns how many operators and
   * requests the reminders covered, and how many requests are overdue.
   */
  async function send(
    context: AuditContext,
  ): Promise<{ operators: number; requests: number; overdue: number }> {
    const now = clock.now();
    const rows = await store.assignedOpenDueBy(db, dueWithinBound(now, settings.withinDays));
    const messages: MailMessage[] = [];
    let covered = 0;
    for (const [operatorId, requests] of groupByAssignee(rows)) {
      const operator = await operators.get(operatorId).catch(unlessNotFound);
      if (operator?.status !== 'active') {
        logger.warn({ operatorId, requests: requests.length }, 'requests assigned to an inactive operator');
        continue;
      }
      const lines: ReminderLine[] = requests.map((row) => {
        const dueDate = calendarDateOf(row.due_at);
        return { id: row.id, type: row.type, regime: row.regime, dueDate, daysLeft: daysLeft(dueDate, now) };
      });
      messages.push(reminderNotice(operator.email, lines, settings.withinDays, consoleUrl));
      covered += requests.length;
    }
    const overdue = alerts ? await store.openOverdue(db, now) : [];
    if (messages.length === 0 && overdue.length === 0) return { operators: 0, requests: 0, overdue: 0 };
    await db.transaction().execute(async (tx) => {
      for (const message of messages) await mail.enqueue(tx, message);
      for (const row of overdue) {
        await alerts?.requestOverdue(tx, {
          id: row.id,
          type: row.type,
          regime: row.regime,
          dueAt: row.due_at,
        });
      }
      if (messages.length === 0) return;
      await audit.append(tx, context, {
        action: 'request.reminders.sent',
        outcome: 'success',
        details: { operators: messages.length, requests: covered, withinDays: settings.withinDays },
      });
    });
    return { operators: messages.length, requests: covered, overdue: overdue.length };
  }

  return { send };
}

export type DeadlineReminders = ReturnType<typeof deadlineReminders>;
