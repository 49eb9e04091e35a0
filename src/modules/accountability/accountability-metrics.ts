import { type MetricProvider, provide } from '../reports/metrics.js';
import type { ExternalAudits } from './external-audits.js';
import type { PolicyRegister } from './policy-register.js';
import { daysBetween } from './registers-common.js';
import type { TrainingRegister } from './training-register.js';

/** The dashboard's audit-readiness metrics, from the registers. */
export function accountabilityMetrics(deps: {
  policies: Pick<PolicyRegister, 'overdue'>;
  training: Pick<TrainingRegister, 'overall'>;
  externalAudits: Pick<ExternalAudits, 'summary'>;
}): MetricProvider[] {
  return [
    provide('days_since_external_audit', async (period) => {
      const { lastAuditAt } = await deps.externalAudits.summary(period.to);
      return lastAuditAt ? Math.max(0, daysBetween(lastAuditAt, period.to)) : null;
    }),
    provide(
      'open_audit_findings',
      async (period) => (await deps.externalAudits.summary(period.to)).openFindings,
    ),
    provide(
      'training_completion_rate',
      async (period) => (await deps.training.overall(period.to)).completionRate,
    ),
    provide('policy_updates_pending', async () => (await deps.policies.overdue()).length),
  ];
}
