import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { formatConsentChange, parseConsentChange } from './consent-changes.js';

faker.seed(31);

describe('parseConsentChange', () => {
  it('reads subject ids, purposes and "everything", and anything unexpected as everything', () => {
    const ids = [faker.string.uuid(), faker.string.uuid()];
    expect(parseConsentChange(ids.join(','))).toEqual({ kind: 'subjects', ids });
    expect(parseConsentChange('purposes')).toEqual({ kind: 'purposes' });
    expect(parseConsentChange('*')).toEqual({ kind: 'everything' });
    expect(parseConsentChange(`${ids[0]},not-an-id`)).toEqual({ kind: 'everything' });
    expect(parseConsentChange('')).toEqual({ kind: 'everything' });
  });
});

describe('formatConsentChange', () => {
  it('lists up to 100 subjects and says "*" beyond, and round-trips through parsing', () => {
    const ids = Array.from({ length: 100 }, () => faker.string.uuid());
    expect(parseConsentChange(formatConsentChange({ kind: 'subjects', ids }))).toEqual({
      kind: 'subjects',
      ids,
    });
    expect(formatConsentChange({ kind: 'subjects', ids: [...ids, faker.string.uuid()] })).toBe('*');
    expect(formatConsentChange({ kind: 'purposes' })).toBe('purposes');
    expect(formatConsentChange({ kind: 'everything' })).toBe('*');
  });
});
