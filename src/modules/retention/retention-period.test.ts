import { describe, expect, it } from 'vitest';
import { describePeriod, parseRetentionPeriod, retentionEnd } from './retention-period.js';

describe('retention periods', () => {
  it('reads ISO 8601 durations of years, months and days', () => {
    expect(parseRetentionPeriod('P10Y')).toEqual({ years: 10, months: 0, days: 0 });
    expect(parseRetentionPeriod('P1Y6M')).toEqual({ years: 1, months: 6, days: 0 });
    expect(parseRetentionPeriod('P90D')).toEqual({ years: 0, months: 0, days: 90 });
  });

  it('refuses empty, week, time and over-long durations', () => {
    for (const text of ['P', 'P2W', 'PT12H', 'P101Y', '10Y', 'P1Y-2M', '']) {
      expect(parseRetentionPeriod(text), text).toBeUndefined();
    }
  });

  it('ends with the last millisecond of the day the period reaches', () => {
    const stored = new Date('2025-06-02T08:00:00Z');
    expect(retentionEnd(stored, { years: 10, months: 0, days: 0 }).toISOString()).toBe(
      '2035-06-02T23:59:59.999Z',
    );
    expect(retentionEnd(stored, { years: 0, months: 0, days: 30 }).toISOString()).toBe(
      '2025-07-02T23:59:59.999Z',
    );
  });

  it('ends on the last day of a shorter month, leap years included', () => {
    expect(
      retentionEnd(new Date('2024-01-31T10:00:00Z'), { years: 0, months: 1, days: 0 }).toISOString(),
    ).toBe('2024-02-29T23:59:59.999Z');
    expect(
      retentionEnd(new Date('2024-02-29T10:00:00Z'), { years: 1, months: 0, days: 0 }).toISOString(),
    ).toBe('2025-02-28T23:59:59.999Z');
    expect(
      retentionEnd(new Date('2025-08-31T10:00:00Z'), { years: 0, months: 6, days: 1 }).toISOString(),
    ).toBe('2026-03-01T23:59:59.999Z');
  });

  it('says the period in words', () => {
    expect(describePeriod({ years: 10, months: 0, days: 0 })).toBe('10 years');
    expect(describePeriod({ years: 1, months: 6, days: 1 })).toBe('1 year, 6 months and 1 day');
  });
});
