/**
 * The dashboard's metrics as providers: each names its key, group, definition and source, and computes its
 * value for a reporting period. Modules contribute providers in the wiring; a metric of the seed's
 * dashboard whose module is not installed keeps its placeholder, which answers "not tracked", never a zero.
 */

export const metricGroups = ['privacy', 'security', 'compliance', 'audit_readiness'] as const;
export type MetricGroup = (typeof metricGroups)[number];

export const metricUnits = ['count', 'percent', 'hours', 'days'] as const;
export type MetricUnit = (typeof metricUnits)[number];

/** A reporting period: from inclusive, to exclusive. */
export type Period = { from: Date; to: Date };

/** A number; null when there is nothing to measure (no request completed); or not tracked at all. */
export type MetricValue = number | null | 'not_tracked';

export type MetricProvider = {
  key: string;
  group: MetricGroup;
  label: string;
  unit: MetricUnit;
  /** Which way is good, so the dashboard colours a change. */
  better: 'higher' | 'lower';
  /** What the number means exactly: shown on hover and in docs/REPORTS.md. */
  definition: string;
  /** Where it comes from. */
  source: string;
  compute(period: Period): Promise<MetricValue>;
};

export type MetricDescription = Omit<MetricProvider, 'compute'>;

/** The seed's ComplianceDashboard, in its order; each is tracked once a module provides it. */
export const seedMetrics: MetricDescription[] = [
  {
    key: 'dsrs_pending',
    group: 'privacy',
    label: 'DSRs pending',
    unit: 'count',
    better: 'lower',
    definition:
      'Data-subject requests received by the end of the period and not closed (completed, rejected or withdrawn) by then.',
    source: 'requests',
  },
  {
    key: 'average_response_hours',
    group: 'privacy',
    label: 'Average response time',
    unit: 'hours',
    better: 'lower',
    definition:
      'Mean hours from receipt to completion of the requests completed in the period; empty when none was.',
    source: 'requests',
  },
  {
    key: 'consent_withdrawal_rate',
    group: 'privacy',
    label: 'Consent withdrawal rate',
    unit: 'percent',
    better: 'lower',
    definition:
      'Withdrawals ÷ (grants + withdrawals) of consent recorded in the period, in %; empty when none was recorded.',
    source: 'consent',
  },
  {
    key: 'breaches_in_period',
    group: 'privacy',
    label: 'Breaches this period',
    unit: 'count',
    better: 'lower',
    definition:
      'Breaches the organization became aware of in the period (suspected, confirmed, contained or closed; dismissed ones excluded).',
    source: 'breaches',
  },
  {
    key: 'encryption_coverage',
    group: 'security',
    label: 'Encryption coverage',
    unit: 'percent',
    better: 'higher',
    definition:
      'Personal-data fields stored sealed plus registered systems holding personal data that require encryption, ÷ all personal-data fields plus all such systems, in %. A field is personal data when its category is a user.* category. Measured now.',
    source: 'vault collections and the inventory data map',
  },
  {
    key: 'access_control_violations',
    group: 'security',
    label: 'Access-control violations',
    unit: 'count',
    better: 'lower',
    definition:
      'Refused access attempts in the period, from the audit trail (`access.denied`): calls without the permission a route needs, and attempts to grant or revoke beyond one’s own permissions.',
    source: 'audit',
  },
  {
    key: 'retention_compliance_rate',
    group: 'compliance',
    label: 'Retention compliance rate',
    unit: 'percent',
    better: 'higher',
    definition:
      '1 − (records past their retention still stored and not under legal hold ÷ records under a retention rule), in %. Measured now.',
    source: 'retention',
  },
  {
    key: 'cross_border_transfer_approvals',
    group: 'compliance',
    label: 'Cross-border transfer approvals',
    unit: 'count',
    better: 'higher',
    definition:
      'Flows of the transfer register to third countries covered by an adequacy decision or a mechanism in place (SCCs, BCRs, a code, a certification or a derogation). Measured now.',
    source: 'transfers',
  },
  {
    key: 'days_since_external_audit',
    group: 'audit_readiness',
    label: 'Last external audit',
    unit: 'days',
    better: 'lower',
    definition:
      'Days from the end (or, while it runs, the start) of the latest external audit to the end of the period; empty when none is recorded.',
    source: 'accountability (external audits)',
  },
  {
    key: 'open_audit_findings',
    group: 'audit_readiness',
    label: 'Open audit findings',
    unit: 'count',
    better: 'lower',
    definition:
      'Findings of external audits raised by the end of the period and not resolved or accepted by then.',
    source: 'accountability (external audits)',
  },
  {
    key: 'training_completion_rate',
    group: 'audit_readiness',
    label: 'Training completion rate',
    unit: 'percent',
    better: 'higher',
    definition:
      '(Active operator, course required of one of their roles) pairs with a completion unexpired at the end of the period ÷ all such pairs, in %; empty when no course is required.',
    source: 'accountability (training)',
  },
  {
    key: 'policy_updates_pending',
    group: 'audit_readiness',
    label: 'Policy updates pending',
    unit: 'count',
    better: 'lower',
    definition: 'Policies in force past their next review date. Measured now.',
    source: 'accountability (policies)',
  },
];

/**
 * The dashboard's providers: the seed's metrics in their order, each replaced by the provider of the same
 * key when one is given, a placeholder answering "not tracked" otherwise; then any further providers.
 */
export function metricCatalogue(providers: readonly MetricProvider[]): MetricProvider[] {
  const byKey = new Map(providers.map((provider) => [provider.key, provider]));
  const seeded = seedMetrics.map(
    (metric) =>
      byKey.get(metric.key) ?? {
        ...metric,
        compute: async (): Promise<MetricValue> => 'not_tracked' as const,
      },
  );
  const seedKeys = new Set(seedMetrics.map((metric) => metric.key));
  return [...seeded, ...providers.filter((provider) => !seedKeys.has(provider.key))];
}

/** A seed metric's description with its compute function: what a module writes to provide one. */
export function provide(key: string, compute: MetricProvider['compute']): MetricProvider {
  const metric = seedMetrics.find((entry) => entry.key === key);
  if (!metric) throw new Error(`No seed metric ${key}`);
  return { ...metric, compute };
}

export const round1 = (value: number) => Math.round(value * 10) / 10;
