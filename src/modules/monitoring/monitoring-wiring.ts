import type { Executor, Tx } from '../../db/database.js';
import type { Platform } from '../../wiring/platform.js';
import type { AlertRaiser } from '../alerts/alert-service.js';
import type { ActivityBatch, ChainPositions } from '../audit/audit-activity.js';
import type { AuditService } from '../audit/audit-service.js';
import { monitoringJob } from './monitoring-jobs.js';
import { monitoringReader } from './monitoring-reader.js';
import { monitoringService } from './monitoring-service.js';
import { monitoringStore, type PrincipalKey } from './monitoring-store.js';

type Deps = {
  audit: AuditService;
  activity: (tx: Executor, positions: ChainPositions, limit: number) => Promise<ActivityBatch>;
  alerts: AlertRaiser;
  /** An operator's roles (the first is its peer group); throws when there is no such operator. */
  operatorRoles: (operatorId: string) => Promise<readonly string[]>;
  /** Ends an operator's sessions, audited by the access module (the automatic response). */
  endSessions: (operatorId: string) => Promise<unknown>;
  /** The notifications module's publisher (`alert.raised`). */
  publish: (
    tx: Tx,
    events: readonly { type: 'alert.raised'; data: Record<string, unknown> }[],
  ) => Promise<void>;
  subjectsWithOpenRequests: (tx: Executor, subjectIds: readonly string[]) => Promise<Set<string>>;
};

const scoresKeptMs = 30 * 86_400_000;

/** Monitoring: baselines and scores folded from the audit log, its minute job and its reads. */
export function monitoringModule({ config, db, clock, logger }: Platform, deps: Deps) {
  const store = monitoringStore();
  async function roleOf(principal: PrincipalKey): Promise<string> {
    if (principal.type === 'api_key') return 'api_key';
    try {
      return (await deps.operatorRoles(principal.id))[0] ?? 'none';
    } catch {
      return 'unknown';
    }
  }
  const monitoring = monitoringService({
    db,
    store,
    activity: deps.activity,
    alerts: deps.alerts,
    audit: deps.audit,
    clock,
    roleOf,
    subjectsWithOpenRequests: deps.subjectsWithOpenRequests,
    publish: deps.publish,
    contain: async (principal, alertId) => {
      // API keys cannot be suspended reversibly yet: their alert stands, and an admin revokes the key.
      if (principal.type !== 'operator') return;
      try {
        await deps.endSessions(principal.id);
      } catch (error) {
        logger.error({ err: error, alert: alertId }, 'monitoring could not end the sessions of a principal');
      }
    },
    settings: { batchSize: 100_000, massRevealThreshold: config.revealAlertThreshold },
  });
  const reader = monitoringReader({ db, store, clock, settings: monitoring.settings });
  return {
    monitoring,
    monitoringReader: reader,
    background: {
      jobs: [monitoringJob(monitoring, logger)],
      prune: [
        {
          name: 'monitoring_scores',
          prune: () => store.pruneScores(db, new Date(clock.now().getTime() - scoresKeptMs)),
        },
      ],
    },
  };
}
