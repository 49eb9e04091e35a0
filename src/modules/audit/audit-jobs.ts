import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import type { AuditService } from './audit-service.js';

export const auditCheckpointJobName = 'audit.checkpoint';

/**
 * Every minute: sign a checkpoint for the head of every chain that moved since its last checkpoint, once
 * the checkpoint interval has passed. Appends also sign every N entries of a chain, so this job is what
 * bounds quiet periods. Several workers may run it at once; a checkpoint for the same entry is stored once.
 */
export function auditCheckpointJob(
  audit: Pick<AuditService, 'checkpointIfDue'>,
  logger: Logger,
): JobDefinition {
  return {
    name: auditCheckpointJobName,
    schedule: '* * * * *',
    retryLimit: 0,
    expireInSeconds: 60,
    handler: async () => {
      for (const checkpoint of await audit.checkpointIfDue()) {
        logger.info({ seq: checkpoint.seq, keyId: checkpoint.keyId }, 'audit checkpoint signed');
      }
    },
  };
}

export const auditVerifyJobName = 'audit.verify';

/**
 * On its schedule (daily by default, CUSTOS_AUDIT_VERIFY_SCHEDULE): verify the whole log in the database,
 * as `GET /v1/audit/verify` does, recording the verification. A failure raises a critical alert (the
 * audit service tells its listeners) and is logged with the problem and the entry's number.
 */
export function auditVerifyJob(
  audit: Pick<AuditService, 'verify'>,
  logger: Logger,
  schedule: string | undefined,
): JobDefinition {
  return {
    name: auditVerifyJobName,
    ...(schedule ? { schedule } : {}),
    retryLimit: 1,
    retryDelaySeconds: 600,
    // Reading a long log page by page takes a while: hours, not minutes, before pg-boss gives up on a run.
    expireInSeconds: 4 * 3600,
    handler: async (_data, job) => {
      const report = await audit.verify({
        context: { actor: { type: 'system', id: auditVerifyJobName }, requestId: job.id, ip: null },
      });
      if (report.ok) {
        logger.info({ entries: report.entries, lastSeq: report.lastSeq }, 'audit log verified');
      } else {
        logger.error({ problem: report.problem, seq: report.seq }, 'audit log FAILED verification');
      }
    },
  };
}
