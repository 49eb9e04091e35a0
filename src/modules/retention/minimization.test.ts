import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../lib/clock.js';
import { categoryCovers, minimizationAudit } from './minimization.js';

const collections = [
  {
    name: 'customers',
    fields: [
      { name: 'email', category: 'user.contact.email' },
      { name: 'loyalty', category: 'user.behavior' },
    ],
  },
  { name: 'empty', fields: [{ name: 'note', category: 'user.content' }] },
];

function audit(declaredCategories?: () => Promise<Set<string>>) {
  return minimizationAudit({
    clock: fixedClock('2025-06-01T00:00:00.000Z'),
    collections: async () => collections,
    recordsPerCollection: async () => new Map([['customers', 3]]),
    fieldsReadSince: async () => new Set(['customers.email', 'customers.loyalty']),
    purposes: async () => [{ key: 'support', data_categories: ['user'] }],
    retentionPolicies: async () => [{ collection: null, data_category: 'user.contact', duration: 'P2Y' }],
    inactiveSubjects: async () => ({ count: 0, sample: [], oldest: null }),
    declaredCategories,
  });
}

describe('minimization audit', () => {
  it('covers a category by itself and by any key above it, never by a sibling or a key below', () => {
    expect(categoryCovers('user.contact', 'user.contact.email')).toBe(true);
    expect(categoryCovers('user.contact', 'user.contact')).toBe(true);
    expect(categoryCovers('user.contact', 'user.contacts')).toBe(false);
    expect(categoryCovers('user.contact.email', 'user.contact')).toBe(false);
  });

  it('names held categories no processing activity declares, only when the inventory is given', async () => {
    const without = await audit().report(90);
    expect(without.checked).not.toContain('undeclared_category');
    const withInventory = await audit(async () => new Set(['user.contact'])).report(90);
    expect(withInventory.checked).toContain('undeclared_category');
    const undeclared = withInventory.findings.filter((finding) => finding.kind === 'undeclared_category');
    // `empty` holds no records, so its category is not held.
    expect(undeclared.map((finding) => finding.category)).toEqual(['user.behavior']);
    expect(undeclared[0]?.suggestedAction.code).toBe('declare_processing_activity');
  });

  it('takes a category policy as covering every collection with a field of that category', async () => {
    const { findings } = await audit().report(90);
    expect(
      findings.filter((finding) => finding.kind === 'collection_without_retention').map((f) => f.collection),
    ).toEqual(['empty']);
  });
});
