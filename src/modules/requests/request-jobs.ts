import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import type { DeadlineReminders } from './request-reminders.js';
import type { SystemTasks } from './system-tasks.js';

export const deadlineReminderJobName = 'requests.deadline_reminders';

/** Once a day (on the configured schedule, UTC): remind assignees of overdue and soon-due requests. */
export function deadlineReminderJob(
  reminders: Pick<DeadlineReminders, 'send'>,
  logger: Logger,
  schedule: string,
): JobDefinition {
  return {
    name: deadlineReminderJobName,
    schedule,
    retryLimit: 3,
    retryDelaySeconds: 300,
    handler: async (_data, job) => {
      const sent = await reminders.send({
        actor: { type: 'system', id: deadlineReminderJobName },
        requestId: job.id,
        ip: null,
      });
      logger.info({ job: deadlineReminderJobName, jobId: job.id, ...sent }, 'deadline reminders queued');
    },
  };
}

export const systemTaskResendJobName = 'requests.system_tasks.resend';

/**
 * Every five minutes: sends again the downstream tasks no system answered within
 * `CUSTOS_SYSTEM_TASK_RESEND_AFTER`, so a callback that could not reach Custos needs no operator.
 */
export function systemTaskResendJob(tasks: Pick<SystemTasks, 'resendSilent'>, logger: Logger): JobDefinition {
  return {
    name: systemTaskResendJobName,
    schedule: '*/5 * * * *',
    retryLimit: 1,
    handler: async (_data, job) => {
      const { resent } = await tasks.resendSilent({
        actor: { type: 'system', id: systemTaskResendJobName },
        requestId: job.id,
        ip: null,
      });
      if (resent > 0)
        logger.info({ job: systemTaskResendJobName, jobId: job.id, resent }, 'silent tasks sent again');
    },
  };
}
