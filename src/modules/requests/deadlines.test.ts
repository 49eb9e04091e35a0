import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  calendarDate,
  daysLeft,
  dueWithinBound,
  endOfDay,
  extendedDeadline,
  initialDeadline,
  isOverdue,
} from './deadlines.js';

const at = (iso: string) => new Date(iso);
const day = (text: string) => calendarDate(text);

describe('calendar arithmetic', () => {
  it('keeps the day of the month, or falls back to the last day of a shorter month', () => {
    expect(addMonths(day('2025-01-15'), 1)).toBe('2025-02-15');
    expect(addMonths(day('2025-01-31'), 1)).toBe('2025-02-28');
    expect(addMonths(day('2024-01-31'), 1)).toBe('2024-02-29');
    expect(addMonths(day('2025-03-31'), 1)).toBe('2025-04-30');
    expect(addMonths(day('2025-02-28'), 1)).toBe('2025-03-28');
    expect(addMonths(day('2025-12-15'), 1)).toBe('2026-01-15');
    expect(addMonths(day('2025-11-30'), 3)).toBe('2026-02-28');
    expect(addMonths(day('2027-11-30'), 3)).toBe('2028-02-29');
  });

  it('counts days across month ends, leap days and year ends', () => {
    expect(addDays(day('2024-02-28'), 1)).toBe('2024-02-29');
    expect(addDays(day('2025-02-28'), 1)).toBe('2025-03-01');
    expect(addDays(day('2025-12-31'), 1)).toBe('2026-01-01');
    expect(addDays(day('2025-11-20'), 45)).toBe('2026-01-04');
  });

  it('refuses dates that do not exist', () => {
    expect(() => calendarDate('2025-02-29')).toThrow(RangeError);
    expect(() => calendarDate('2025-13-01')).toThrow(RangeError);
    expect(() => calendarDate('25-01-01')).toThrow(RangeError);
    expect(calendarDate('2024-02-29')).toBe('2024-02-29');
  });

  it('ends a day with its last millisecond, in UTC', () => {
    expect(endOfDay(day('2025-02-28')).toISOString()).toBe('2025-02-28T23:59:59.999Z');
  });
});

describe('GDPR deadlines (Art. 12(3))', () => {
  it('gives one calendar month from the day of receipt', () => {
    const deadline = initialDeadline('gdpr', at('2025-05-14T09:30:00Z'));
    expect(deadline.dueDate).toBe('2025-06-14');
    expect(deadline.dueAt.toISOString()).toBe('2025-06-14T23:59:59.999Z');
  });

  it('ends on the last day of February for a request received on 31 January', () => {
    expect(initialDeadline('gdpr', at('2025-01-31T23:00:00Z')).dueDate).toBe('2025-02-28');
    expect(initialDeadline('gdpr', at('2024-01-31T08:00:00Z')).dueDate).toBe('2024-02-29');
    expect(initialDeadline('gdpr', at('2024-01-30T08:00:00Z')).dueDate).toBe('2024-02-29');
  });

  it('crosses the year end', () => {
    expect(initialDeadline('gdpr', at('2025-12-31T12:00:00Z')).dueDate).toBe('2026-01-31');
    expect(initialDeadline('gdpr', at('2025-12-01T00:00:00Z')).dueDate).toBe('2026-01-01');
  });

  it('extends to three months from receipt, not two months from a shortened first deadline', () => {
    // 31 Jan → 28 Feb; two months after 28 Feb would be 28 Apr, but three months from 31 Jan is 30 Apr.
    expect(extendedDeadline('gdpr', at('2025-01-31T10:00:00Z')).dueDate).toBe('2025-04-30');
    expect(extendedDeadline('gdpr', at('2023-11-30T10:00:00Z')).dueDate).toBe('2024-02-29');
    expect(extendedDeadline('gdpr', at('2025-11-15T10:00:00Z')).dueDate).toBe('2026-02-15');
  });
});

describe('CCPA deadlines (§7021)', () => {
  it('gives 45 calendar days, extendable once by 45 more', () => {
    expect(initialDeadline('ccpa', at('2025-01-01T15:00:00Z')).dueDate).toBe('2025-02-15');
    expect(extendedDeadline('ccpa', at('2025-01-01T15:00:00Z')).dueDate).toBe('2025-04-01');
  });

  it('counts the leap day in a leap year, and crosses the year end', () => {
    expect(initialDeadline('ccpa', at('2024-02-01T00:00:00Z')).dueDate).toBe('2024-03-17');
    expect(initialDeadline('ccpa', at('2025-02-01T00:00:00Z')).dueDate).toBe('2025-03-18');
    expect(initialDeadline('ccpa', at('2025-12-20T00:00:00Z')).dueDate).toBe('2026-02-03');
  });
});

describe('overdue and due-soon', () => {
  const deadline = initialDeadline('gdpr', at('2025-01-31T10:00:00Z'));

  it('is not overdue during the whole due day, and overdue from the next', () => {
    expect(isOverdue(deadline.dueAt, at('2025-02-28T23:59:59.999Z'))).toBe(false);
    expect(isOverdue(deadline.dueAt, at('2025-03-01T00:00:00Z'))).toBe(true);
  });

  it('counts days left in calendar days: zero on the due day, negative after it', () => {
    expect(daysLeft(deadline.dueDate, at('2025-02-21T18:00:00Z'))).toBe(7);
    expect(daysLeft(deadline.dueDate, at('2025-02-28T01:00:00Z'))).toBe(0);
    expect(daysLeft(deadline.dueDate, at('2025-03-02T01:00:00Z'))).toBe(-2);
  });

  it('bounds "due within N days" by the end of the N-th day from today', () => {
    expect(dueWithinBound(at('2025-02-21T18:00:00Z'), 7).toISOString()).toBe('2025-02-28T23:59:59.999Z');
    expect(dueWithinBound(at('2025-02-21T18:00:00Z'), 0).toISOString()).toBe('2025-02-21T23:59:59.999Z');
  });
});
