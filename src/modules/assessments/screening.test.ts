import { describe, expect, it } from 'vitest';
import { activityEntry, cleanDataMap, purposeSummary } from '../../../test/helpers/data-map.js';
import { mapIndex, resolveActivity } from '../inventory/inventory-resolve.js';
import { activityFingerprint, type ScreeningAnswers, screen } from './screening.js';

const none: ScreeningAnswers = { criteria: {}, estimatedSubjects: null };
const context = { subjectCount: null, largeScaleThreshold: 10_000, isNew: false };

function resolved(overrides: Parameters<typeof activityEntry>[0]) {
  const map = cleanDataMap();
  map.purposes.push(
    purposeSummary({ key: 'scoring', automatedDecisions: true, dataUses: ['essential.fraud_detection'] }),
  );
  const activity = activityEntry(overrides);
  map.activities = [activity];
  return resolveActivity(mapIndex(map), activity);
}

describe('screening', () => {
  it('derives sensitive data and automated decisions, and two criteria require a DPIA', () => {
    const result = screen(
      resolved({ purposeKeys: ['scoring'], extraDataCategories: ['user.health_and_medical.condition'] }),
      none,
      context,
    );
    expect(result.outcome).toBe('required');
    expect(result.facts.specialCategories).toEqual(['user.health_and_medical.condition']);
    expect(result.triggers.find((trigger) => trigger.key === 'automated_decision_making')?.met).toBe(true);
  });

  it('reads large scale from subject counts, and lets an answer add what the map cannot show', () => {
    const activity = resolved({ purposeKeys: [], extraDataCategories: ['user.contact.email'] });
    const large = screen(activity, none, { ...context, subjectCount: 25_000 });
    expect(large.criteria.find((c) => c.key === 'large_scale')).toMatchObject({
      met: true,
      source: 'derived',
    });
    expect(large.outcome).toBe('incomplete');
    const answered = screen(
      activity,
      { criteria: { innovative_technology: { met: true, note: 'Voice analysis' } }, estimatedSubjects: null },
      { ...context, subjectCount: 25_000 },
    );
    expect(answered.outcome).toBe('required');
  });

  it('keeps a criterion the map shows met, whatever the answer says', () => {
    const result = screen(
      resolved({ purposeKeys: ['scoring'] }),
      { criteria: { automated_decisions: { met: false, note: 'no' } }, estimatedSubjects: null },
      context,
    );
    expect(result.criteria.find((c) => c.key === 'automated_decisions')).toMatchObject({
      met: true,
      source: 'derived',
    });
  });

  it('changes the fingerprint with the facts, not with timestamps', () => {
    const before = resolved({ purposeKeys: ['scoring'] });
    const touched = { ...before, activity: { ...before.activity, updatedAt: new Date(0) } };
    expect(activityFingerprint(touched, null)).toBe(activityFingerprint(before, null));
    const changed = { ...before, activity: { ...before.activity, description: 'Something else' } };
    expect(activityFingerprint(changed, null)).not.toBe(activityFingerprint(before, null));
  });
});

describe('the worked example of docs/ASSESSMENTS.md: subscription billing', () => {
  it('is incomplete from the map alone (large scale), and required once the DPO answers', () => {
    const map = cleanDataMap();
    map.purposes.push(
      purposeSummary({
        key: 'billing',
        name: 'Billing',
        legalBasis: 'contract',
        dataUses: ['essential.service.payment_processing'],
        dataCategories: ['user.financial'],
      }),
    );
    const activity = activityEntry({
      name: 'Subscription billing',
      description: 'Charging subscribers each month and issuing invoices',
      purposeKeys: ['billing'],
      systemIds: [],
      extraDataSubjects: ['customer'],
    });
    map.activities = [activity];
    const billing = resolveActivity(mapIndex(map), activity);
    const billingContext = { ...context, subjectCount: 120_000 };
    const fromMap = screen(billing, none, billingContext);
    expect(fromMap.outcome).toBe('incomplete');
    expect(fromMap.metCount).toBe(1);
    const no = { met: false, note: '' };
    const answered = screen(
      billing,
      {
        criteria: {
          evaluation_scoring: { met: true, note: 'the provider’s fraud scoring of each charge' },
          prevents_rights: { met: true, note: 'a refused charge suspends the service' },
          systematic_monitoring: no,
          matching_datasets: no,
          innovative_technology: no,
        },
        estimatedSubjects: null,
      },
      billingContext,
    );
    expect(answered).toMatchObject({ outcome: 'required', metCount: 3 });
    expect(answered.triggers.find((t) => t.key === 'high_risk_processing')?.reasons[0]).toBe(
      '3 of nine criteria met',
    );
  });
});
