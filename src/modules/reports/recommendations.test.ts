import { describe, expect, it } from 'vitest';
import { metricCatalogue, provide, seedMetrics } from './metrics.js';
import { type RuleInput, recommendationsFor } from './recommendations.js';

const quiet: RuleInput = {
  period: { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' },
  requests: { byRight: [], lateBySystem: [], overdueOpenAtEnd: 0 },
  breaches: { total: 0, notifiedLate: 0, pending: 0 },
  consent: { grants: 10, withdrawals: 1, withdrawalRate: 9.1 },
  processingActivities: { count: 3, processorsWithoutValidDpa: [] },
  training: { overall: { required: 10, current: 10, completionRate: 100 } },
  audits: {
    audits: [{ startedAt: '2026-01-10T00:00:00Z', endedAt: '2026-01-12T00:00:00Z' }],
    openFindings: [],
  },
  policies: { overdue: [] },
  accessReviews: { lastCompletedAt: '2026-03-15T00:00:00Z' },
  metrics: [
    { key: 'encryption_coverage', value: 100 },
    { key: 'retention_compliance_rate', value: 100 },
  ],
};

describe('recommendations', () => {
  it('recommends nothing when every rule is satisfied', () => {
    expect(recommendationsFor(quiet)).toEqual([]);
  });

  it('names the late share of a right and the downstream system late requests waited for, with the numbers', () => {
    const [late] = recommendationsFor({
      ...quiet,
      requests: {
        byRight: [{ right: 'erasure', closed: 75, late: 9, lateRate: 12 }],
        lateBySystem: [{ right: 'erasure', system: 'Billing', requests: 9 }],
        overdueOpenAtEnd: 0,
      },
    });
    expect(late?.text).toBe(
      '12% of erasure requests closed in the period starting March were late (9 of 75): 9 waited for downstream system Billing. Follow up with its owners on the time their tasks take.',
    );
    expect(late?.figures).toEqual({
      right: 'erasure',
      late: 9,
      closed: 75,
      lateRate: 12,
      system: 'Billing',
      waited: 9,
      systems: 'Billing (9)',
    });
  });

  it('names every system of the right, most requests first, and counts those beyond three', () => {
    const [late] = recommendationsFor({
      ...quiet,
      requests: {
        byRight: [
          { right: 'erasure', closed: 40, late: 10, lateRate: 25 },
          { right: 'access', closed: 40, late: 0, lateRate: 0 },
        ],
        lateBySystem: [
          { right: 'erasure', system: 'CRM', requests: 3 },
          { right: 'access', system: 'Warehouse', requests: 5 },
          { right: 'erasure', system: 'Billing', requests: 7 },
          { right: 'erasure', system: 'Analytics', requests: 3 },
          { right: 'erasure', system: 'Helpdesk', requests: 1 },
        ],
        overdueOpenAtEnd: 0,
      },
    });
    expect(late?.text).toBe(
      '25% of erasure requests closed in the period starting March were late (10 of 40): 7 waited for downstream system Billing, 3 for Analytics, 3 for CRM and 1 other system. Follow up with their owners on the time their tasks take.',
    );
    expect(late?.figures).toMatchObject({
      system: 'Billing',
      waited: 7,
      systems: 'Billing (7), Analytics (3), CRM (3), Helpdesk (1)',
    });
  });

  it('names no system when no downstream task finished after the deadline', () => {
    const [late] = recommendationsFor({
      ...quiet,
      requests: {
        byRight: [{ right: 'erasure', closed: 10, late: 3, lateRate: 30 }],
        lateBySystem: [],
        overdueOpenAtEnd: 0,
      },
    });
    expect(late?.text).toBe(
      '30% of erasure requests closed in the period starting March were late (3 of 10). Review the deadline reminders and the steps requests wait for.',
    );
    expect(late?.figures).toEqual({ right: 'erasure', late: 3, closed: 10, lateRate: 30 });
  });

  it('lists processors without a valid DPA and policies past review, most severe first', () => {
    const rules = recommendationsFor({
      ...quiet,
      processingActivities: { count: 1, processorsWithoutValidDpa: ['Acme Mail', 'CloudCo', 'Tracker'] },
      policies: { overdue: [{ title: 'P', daysPastReview: 40 }] },
      training: { overall: { required: 4, current: 2, completionRate: 50 } },
    });
    expect(rules.map((rule) => rule.text)).toEqual([
      '3 processors have no valid DPA: Acme Mail, CloudCo, Tracker.',
      'Policy "P" is 40 days past review.',
      'Training completion is 50% (2 of 4 required completions current), below 90%.',
    ]);
  });
});

describe('the metric catalogue', () => {
  it('keeps the seed metrics in order, "not tracked" unless a module provides one', async () => {
    const catalogue = metricCatalogue([provide('policy_updates_pending', async () => 3)]);
    expect(catalogue.map((metric) => metric.key)).toEqual(seedMetrics.map((metric) => metric.key));
    const period = { from: new Date(0), to: new Date() };
    const byKey = new Map(catalogue.map((metric) => [metric.key, metric]));
    expect(await byKey.get('policy_updates_pending')?.compute(period)).toBe(3);
    expect(await byKey.get('cross_border_transfer_approvals')?.compute(period)).toBe('not_tracked');
  });
});
