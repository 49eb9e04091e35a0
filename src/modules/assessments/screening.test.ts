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
