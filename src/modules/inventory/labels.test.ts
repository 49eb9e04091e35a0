import { describe, expect, it } from 'vitest';
import { categoryLabel, categoryName, legalBasisLabel, periodText, subjectName } from './labels.js';

describe('labels', () => {
  it('names taxonomy keys, and shows an organization’s own key as it is', () => {
    expect(categoryLabel('user.name')).toBe('Name (user.name)');
    expect(categoryName('user.contact.email')).toBe('User Contact Email');
    expect(categoryLabel('user.custom.loyalty_tier')).toBe('user.custom.loyalty_tier');
    expect(subjectName('customer')).toBe('Customer');
  });

  it('names legal bases with their article', () => {
    expect(legalBasisLabel('legitimate_interests')).toBe('Legitimate interests, Art. 6(1)(f)');
    expect(legalBasisLabel('other')).toBe('other');
  });

  it('writes ISO 8601 periods in words and leaves anything else as it is', () => {
    expect(periodText('P2Y')).toBe('2 years');
    expect(periodText('P1Y6M')).toBe('1 year 6 months');
    expect(periodText('P30D')).toBe('30 days');
    expect(periodText('PT12H')).toBe('12 hours');
    expect(periodText('P')).toBe('P');
    expect(periodText('two years')).toBe('two years');
  });
});
