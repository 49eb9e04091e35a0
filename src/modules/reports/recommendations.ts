import type { Recommendation } from './compliance-report.js';

/** The sections' figures the rules read (see docs/REPORTS.md for each rule). */
export type RuleInput = {
  period: { from: string; to: string };
  requests: {
    byRight: { right: string; closed: number; late: number; lateRate: number | null }[];
    lateBySystem: { right: string; system: string; requests: number }[];
    overdueOpenAtEnd: number;
  };
  breaches: { total: number; notifiedLate: number; pending: number };
  consent: { grants: number; withdrawals: number; withdrawalRate: number | null };
  processingActivities: { count: number; processorsWithoutValidDpa: string[] };
  training: { overall: { required: number; current: number; completionRate: number | null } };
  audits: {
    audits: { startedAt: string | Date; endedAt: string | Date | null }[];
    openFindings: { title: string; severity: string; dueAt: string | Date | null }[];
  };
  policies: { overdue: { title: string; daysPastReview: number }[] };
  accessReviews: { lastCompletedAt: string | null };
  metrics: { key: string; value: number | string | null }[];
};

const dayMs = 86_400_000;
const time = (at: string | Date) => new Date(at).getTime();
const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** Thresholds the rules use, in one place (documented in docs/REPORTS.md). */
export const thresholds = {
  lateRatePercent: 5,
  trainingPercent: 90,
  withdrawalRatePercent: 20,
  encryptionPercent: 100,
  retentionPercent: 100,
  auditMaxDays: 365,
  accessReviewMaxDays: 92,
};

/** How many downstream systems a late-requests recommendation names; the rest are counted. */
const maxSystemsNamed = 3;

/** Rule-based recommendations, each citing the numbers that triggered it; the most severe first. */
export function recommendationsFor(input: RuleInput): Recommendation[] {
  const out: Recommendation[] = [];
  const end = time(input.period.to);
  const month = new Date(input.period.from).toLocaleString('en', { month: 'long', timeZone: 'UTC' });

  for (const right of input.requests.byRight) {
    if (right.late === 0 || (right.lateRate ?? 0) < thresholds.lateRatePercent) continue;
    const waits = input.requests.lateBySystem
      .filter((entry) => entry.right === right.right)
      .sort((a, b) => b.requests - a.requests || a.system.localeCompare(b.system));
    const worst = waits[0];
    const named = waits.slice(0, maxSystemsNamed);
    const others = waits.length - named.length;
    out.push({
      rule: 'late_requests',
      severity: 'high',
      text:
        `${right.lateRate}% of ${right.right} requests closed in the period starting ${month} were late (${right.late} of ${right.closed})` +
        (worst
          ? `: ${named
              .map((entry, index) =>
                index === 0
                  ? `${entry.requests} waited for downstream system ${entry.system}`
                  : `${entry.requests} for ${entry.system}`,
              )
              .join(
                ', ',
              )}${others > 0 ? ` and ${plural(others, 'other system')}` : ''}. Follow up with ${named.length === 1 ? 'its' : 'their'} owners on the time their tasks take.`
          : '. Review the deadline reminders and the steps requests wait for.'),
      figures: {
        right: right.right,
        late: right.late,
        closed: right.closed,
        lateRate: right.lateRate ?? 0,
        ...(worst
          ? {
              system: worst.system,
              waited: worst.requests,
              systems: waits.map((entry) => `${entry.system} (${entry.requests})`).join(', '),
            }
          : {}),
      },
    });
  }
  if (input.requests.overdueOpenAtEnd > 0)
    out.push({
      rule: 'overdue_open_requests',
      severity: 'high',
      text: `${plural(input.requests.overdueOpenAtEnd, 'request')} still open past the deadline at the end of the period: answer or extend them.`,
      figures: { overdue: input.requests.overdueOpenAtEnd },
    });
  if (input.breaches.notifiedLate > 0)
    out.push({
      rule: 'breach_notified_late',
      severity: 'high',
      text: `${input.breaches.notifiedLate} of ${plural(input.breaches.total, 'breach', 'breaches')} were notified to the authority after 72 hours: record the reasons for the delay (Art. 33(1)).`,
      figures: { late: input.breaches.notifiedLate, total: input.breaches.total },
    });
  const withoutDpa = input.processingActivities.processorsWithoutValidDpa;
  if (withoutDpa.length > 0)
    out.push({
      rule: 'processor_without_dpa',
      severity: 'high',
      text: `${plural(withoutDpa.length, 'processor')} ${withoutDpa.length === 1 ? 'has' : 'have'} no valid DPA: ${withoutDpa.join(', ')}.`,
      figures: { processors: withoutDpa.length },
    });
  for (const policy of input.policies.overdue)
    out.push({
      rule: 'policy_review_overdue',
      severity: policy.daysPastReview > 90 ? 'high' : 'medium',
      text: `Policy "${policy.title}" is ${plural(policy.daysPastReview, 'day')} past review.`,
      figures: { policy: policy.title, daysPastReview: policy.daysPastReview },
    });
  const training = input.training.overall;
  if (training.completionRate !== null && training.completionRate < thresholds.trainingPercent)
    out.push({
      rule: 'training_incomplete',
      severity: 'medium',
      text: `Training completion is ${training.completionRate}% (${training.current} of ${training.required} required completions current), below ${thresholds.trainingPercent}%.`,
      figures: { ...training, completionRate: training.completionRate },
    });
  const overdueFindings = input.audits.openFindings.filter(
    (finding) => finding.dueAt && time(finding.dueAt) < end,
  );
  if (overdueFindings.length > 0)
    out.push({
      rule: 'audit_findings_overdue',
      severity: overdueFindings.some((f) => f.severity === 'critical' || f.severity === 'high')
        ? 'high'
        : 'medium',
      text: `${plural(overdueFindings.length, 'audit finding')} past ${overdueFindings.length === 1 ? 'its' : 'their'} due date (of ${input.audits.openFindings.length} open).`,
      figures: { overdue: overdueFindings.length, open: input.audits.openFindings.length },
    });
  const lastAudit = input.audits.audits
    .map((audit) => time(audit.endedAt ?? audit.startedAt))
    .sort((a, b) => b - a)[0];
  const auditDays = lastAudit === undefined ? null : Math.floor((end - lastAudit) / dayMs);
  if (auditDays === null || auditDays > thresholds.auditMaxDays)
    out.push({
      rule: 'external_audit_due',
      severity: 'medium',
      text:
        auditDays === null
          ? 'No external audit is recorded: plan one.'
          : `The last external audit was ${auditDays} days ago: plan the next one.`,
      figures: { daysSinceAudit: auditDays ?? 'none' },
    });
  const lastReview = input.accessReviews.lastCompletedAt;
  const reviewDays = lastReview ? Math.floor((end - time(lastReview)) / dayMs) : null;
  if (reviewDays === null || reviewDays > thresholds.accessReviewMaxDays)
    out.push({
      rule: 'access_review_due',
      severity: 'medium',
      text:
        reviewDays === null
          ? 'No access review was completed: run the quarterly review of operators and API keys.'
          : `The last access review was completed ${reviewDays} days ago: the quarterly review is due.`,
      figures: { daysSinceReview: reviewDays ?? 'none' },
    });
  const metric = (key: string) => input.metrics.find((entry) => entry.key === key)?.value;
  const encryption = metric('encryption_coverage');
  if (typeof encryption === 'number' && encryption < thresholds.encryptionPercent)
    out.push({
      rule: 'encryption_gaps',
      severity: 'medium',
      text: `Encryption coverage is ${encryption}%: personal-data fields stored in clear or systems not requiring encryption remain.`,
      figures: { encryptionCoverage: encryption },
    });
  const retention = metric('retention_compliance_rate');
  if (typeof retention === 'number' && retention < thresholds.retentionPercent)
    out.push({
      rule: 'retention_overdue',
      severity: 'medium',
      text: `Retention compliance is ${retention}%: records past their retention are still stored; run the retention review.`,
      figures: { retentionComplianceRate: retention },
    });
  const withdrawal = input.consent.withdrawalRate;
  if (withdrawal !== null && withdrawal > thresholds.withdrawalRatePercent)
    out.push({
      rule: 'consent_withdrawals_high',
      severity: 'low',
      text: `${withdrawal}% of consent decisions in the period were withdrawals (${input.consent.withdrawals} of ${input.consent.grants + input.consent.withdrawals}): review how purposes are presented.`,
      figures: {
        withdrawals: input.consent.withdrawals,
        grants: input.consent.grants,
        withdrawalRate: withdrawal,
      },
    });
  const order = { high: 0, medium: 1, low: 2 };
  return out.sort((a, b) => order[a.severity] - order[b.severity]);
}
