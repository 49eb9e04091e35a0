import { describe, expect, it } from 'vitest';
import { countryCodes, EEA, isCountryCode, isRegionCode } from '../../lib/countries.js';
import { highestClassification } from './derived-systems.js';
import { dpaStatus } from './inventory-processors.js';
import { entriesOnCycles, problemList } from './inventory-validation.js';

describe('what the inventory checks', () => {
  it('knows the 249 ISO 3166-1 alpha-2 codes and the EEA', () => {
    expect(countryCodes).toHaveLength(249);
    expect(isCountryCode('DE')).toBe(true);
    expect(isCountryCode('UK')).toBe(false);
    expect(isCountryCode('de')).toBe(false);
    expect(EEA).toHaveLength(30);
    expect(EEA.every(isCountryCode)).toBe(true);
    expect(isRegionCode('EEA')).toBe(true);
  });

  it('collects every problem with its path before refusing', () => {
    const problems = problemList();
    problems.dataCategories('dataCategories', ['user.contact', 'footwear']);
    problems.dataSubjects('dataSubjects', ['customer', 'martian']);
    problems.places('geographicRestrictions', ['EEA', 'FR', 'MARS']);
    problems.references('systemIds', ['a', 'b'], new Set(['a']), 'system');
    expect(() => problems.throwIfAny('bad')).toThrow(
      expect.objectContaining({
        errors: [
          { in: 'body', path: 'dataCategories.1', message: 'is not a data category of the taxonomy' },
          { in: 'body', path: 'dataSubjects.1', message: 'is not a data subject of the taxonomy' },
          {
            in: 'body',
            path: 'geographicRestrictions.2',
            message: 'is neither an ISO 3166-1 alpha-2 country code nor a region (EEA)',
          },
          { in: 'body', path: 'systemIds.1', message: 'names no system' },
        ],
      }),
    );
  });

  it('finds the entries of a sub-processor chain that loops, and only those', () => {
    const parents = new Map<string, string | null>([
      ['a', null],
      ['b', 'a'],
      ['c', 'd'],
      ['d', 'e'],
      ['e', 'c'],
      ['f', 'c'],
    ]);
    expect([...entriesOnCycles(parents)].sort()).toEqual(['c', 'd', 'e']);
  });

  it('reads a DPA as valid until its review date, expired after it, missing without one', () => {
    const dpa = { signedAt: '2025-01-01', version: '1', reviewAt: '2026-01-01', reference: 'x' };
    expect(dpaStatus(dpa, '2026-01-01')).toBe('valid');
    expect(dpaStatus(dpa, '2026-01-02')).toBe('expired');
    expect(dpaStatus({ ...dpa, reviewAt: null }, '2030-01-01')).toBe('valid');
    expect(dpaStatus(null, '2026-01-01')).toBe('missing');
  });

  it('classifies an asset by its most sensitive field', () => {
    expect(highestClassification(['internal', 'restricted', 'public'])).toBe('restricted');
    expect(highestClassification([])).toBe('public');
  });
});
