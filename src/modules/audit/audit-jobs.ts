import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import type { AuditPruner } from './audit-prune.js';
import type { AuditService } from './audit-service.js';

export const auditCheckpointJobName = 'audit.checkpoint';

/**
 * Every minute: sign a checkpoint over every chain's head when entries were added and the checkpoint
 * interval has passed since the last one. Appends also make one due every N entries of a chain, so this
 * job is what bounds quiet periods. Several workers may run it at once: signers take turns on the heads'
 * locks, and one that finds nothing new signs nothing. With CUSTOS_AUDIT_WITNESS_DIR it then copies the
 * checkpoints the directory does not have yet into it.
 */
export function auditCheckpointJob(
  audit: Pick<AuditService, 'checkpointIfDue' | 'writeWitnessCopies'>,
  logger: Logger,
  witnessDir?: string,
): JobDefinition {
  return {
    name: auditCheckpointJobName,
    schedule: '* * * * *',
    retryLimit: 0,
    expireInSeconds: 60,
    handler: async () => {
      for (const checkpoint of await audit.checkpointIfDue()) {
        logger.info(
          { seq: checkpoint.seq, checkpoint: checkpoint.checkpointSeq, keyId: checkpoint.keyId },
          'audit checkpoint signed',
        );
      }
      // Copies for a witness, including those appends made due since the last run.
      if (witnessDir) {
        const written = await audit.writeWitnessCopies(witnessDir);
        if (written > 0) logger.info({ written }, 'audit checkpoints copied to the witness directory');
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

export const auditPruneJobName = 'audit.prune';

/**
 * On its schedule (daily by default, CUSTOS_AUDIT_PRUNE_SCHEDULE): archive the audit entries past their
 * class's retention to a signed segment and delete them, cut after cut while a run's per-chain limit left
 * more. A log that fails verification is not pruned (the verify job raises the alert).
 */
export function auditPruneJob(
  pruner: Pick<AuditPruner, 'prune'>,
  logger: Logger,
  schedule: string | undefined,
): JobDefinition {
  return {
    name: auditPruneJobName,
    ...(schedule ? { schedule } : {}),
    retryLimit: 1,
    retryDelaySeconds: 600,
    expireInSeconds: 4 * 3600,
    handler: async (_data, job) => {
      const context = {
        actor: { type: 'system' as const, id: auditPruneJobName },
        requestId: job.id,
        ip: null,
      };
      for (;;) {
        const result = await pruner.prune({ context });
        if (result.status === 'refused') {
          logger.error(
            { problem: result.problem, seq: result.seq },
            'audit log not pruned: it failed verification',
          );
          return;
        }
        if (result.status !== 'pruned') return;
        logger.info(
          { cut: result.cut.cutSeq, entries: result.plan.entries },
          'audit log pruned into an archive segment',
        );
        if (!result.plan.more) return;
      }
    },
  };
}
