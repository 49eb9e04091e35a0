import type { Executor } from '../../db/database.js';
import type { Platform } from '../../wiring/platform.js';
import { activityAfter, type ChainPositions } from './audit-activity.js';
import { auditExposures, networkRefsOf } from './audit-exposures.js';
import { auditCheckpointJob, auditPruneJob, auditVerifyJob } from './audit-jobs.js';
import { auditKeyFilesOf, lazyAuditKeys } from './audit-keys.js';
import { auditPrunerFor } from './audit-prune.js';
import { auditService } from './audit-service.js';
import { auditStore } from './audit-store.js';

/** The audit log: its keys (read on first use), the log itself, its pruning, and its checkpoint, verify and prune jobs. */
export function auditModule({ config, db, clock, logger }: Platform) {
  const auditKeys = lazyAuditKeys(auditKeyFilesOf(config));
  const audit = auditService({
    db,
    store: auditStore(),
    keys: auditKeys,
    clock,
    settings: {
      checkpointEvery: config.auditCheckpointEvery,
      checkpointIntervalMs: config.auditCheckpointInterval,
    },
    logger,
  });
  const auditPrune = auditPrunerFor({ db, config, audit, keys: auditKeys, clock });
  return {
    audit,
    auditKeys,
    auditPrune,
    /** The blast radius's query: whose data one principal or network was handed in a window. */
    exposures: auditExposures(db),
    /** Monitoring's incremental read: entries past a position per chain, summed per principal and hour. */
    activity: (executor: Executor, positions: ChainPositions, limit: number) =>
      activityAfter(executor, positions, limit),
    /** The keyed hashes of the client networks in an address range, as audit entries carry them. */
    networkRefs: (cidr: string) => networkRefsOf(cidr, auditKeys().ipKey),
    background: {
      jobs: [
        auditCheckpointJob(audit, logger, config.auditWitnessDir),
        auditVerifyJob(audit, logger, config.auditVerifySchedule ?? undefined),
        auditPruneJob(auditPrune, logger, config.auditPruneSchedule ?? undefined),
      ],
      prune: [],
    },
  };
}
