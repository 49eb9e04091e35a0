import type { Regime } from './request-types.js';

/**
 * Deadlines of data-subject requests, as pure functions of the receipt time and `now` (callers pass their
 * injected clock's time). Calendar days are UTC days; a deadline ends with the last millisecond of its
 * due day.
 *
 * - GDPR Art. 12(3): one month from receipt, extendable by two further months. Periods in months follow
 *   Regulation 1182/71 Art. 3: the period ends on the same day-of-month as the day of receipt, or on the
 *   last day of the month when that month has no such day (received 31 January → due 28 or 29 February).
 *   The extended deadline is three months from receipt (not two months from the first due date, which
 *   would lose days after a short month).
 * - CCPA (Cal. Code Regs. tit. 11 §7021): 45 calendar days from receipt, extendable once by 45 more.
 */
export const deadlineRules: Record<Regime, { initial: Period; extension: Period }> = {
  gdpr: { initial: { months: 1 }, extension: { months: 2 } },
  ccpa: { initial: { days: 45 }, extension: { days: 45 } },
};

type Period = { months: number; days?: never } | { days: number; months?: never };

/** A day in the calendar, `YYYY-MM-DD` (UTC). */
export type CalendarDate = string & { readonly __calendarDate: unique symbol };

export type Deadline = {
  /** The last day to answer. */
  dueDate: CalendarDate;
  /** The last instant of that day (UTC). */
  dueAt: Date;
};

const dayMs = 86_400_000;
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

function partsOf(date: CalendarDate): [number, number, number] {
  const match = datePattern.exec(date);
  if (!match) throw new RangeError(`not a calendar date: ${date}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function dateFromUtc(year: number, monthIndex: number, day: number): CalendarDate {
  return new Date(Date.UTC(year, monthIndex, day)).toISOString().slice(0, 10) as CalendarDate;
}

/** Checks and brands a `YYYY-MM-DD` string. */
export function calendarDate(text: string): CalendarDate {
  const [year, month, day] = partsOf(text as CalendarDate);
  if (dateFromUtc(year, month - 1, day) !== text) throw new RangeError(`not a calendar date: ${text}`);
  return text as CalendarDate;
}

/** The UTC calendar day an instant falls on. */
export function calendarDateOf(instant: Date): CalendarDate {
  return instant.toISOString().slice(0, 10) as CalendarDate;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The same day-of-month `months` later, or the last day of that month when it is shorter. */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const [year, month, day] = partsOf(date);
  const target = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = daysInMonth(target.getUTCFullYear(), target.getUTCMonth() + 1);
  return dateFromUtc(target.getUTCFullYear(), target.getUTCMonth(), Math.min(day, lastDay));
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  const [year, month, day] = partsOf(date);
  return dateFromUtc(year, month - 1, day + days);
}

/** The last millisecond of a calendar day (UTC). */
export function endOfDay(date: CalendarDate): Date {
  const [year, month, day] = partsOf(date);
  return new Date(Date.UTC(year, month - 1, day + 1) - 1);
}

function addPeriod(date: CalendarDate, period: Period): CalendarDate {
  return period.months !== undefined ? addMonths(date, period.months) : addDays(date, period.days);
}

function deadlineOn(dueDate: CalendarDate): Deadline {
  return { dueDate, dueAt: endOfDay(dueDate) };
}

/** The deadline for a request received at `receivedAt`, before any extension. */
export function initialDeadline(regime: Regime, receivedAt: Date): Deadline {
  return deadlineOn(addPeriod(calendarDateOf(receivedAt), deadlineRules[regime].initial));
}

/** The deadline once extended: the whole initial period plus the extension, counted from receipt. */
export function extendedDeadline(regime: Regime, receivedAt: Date): Deadline {
  const rules = deadlineRules[regime];
  const received = calendarDateOf(receivedAt);
  if (rules.initial.months !== undefined && rules.extension.months !== undefined) {
    return deadlineOn(addMonths(received, rules.initial.months + rules.extension.months));
  }
  return deadlineOn(addPeriod(addPeriod(received, rules.initial), rules.extension));
}

/** Calendar days from today to the due day: 0 on the due day, negative once overdue. */
export function daysLeft(dueDate: CalendarDate, now: Date): number {
  const [y1, m1, d1] = partsOf(calendarDateOf(now));
  const [y2, m2, d2] = partsOf(dueDate);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / dayMs);
}

export function isOverdue(dueAt: Date, now: Date): boolean {
  return now.getTime() > dueAt.getTime();
}

/** The end of the window "due within `days` days": the last instant of the day `days` after today. */
export function dueWithinBound(now: Date, days: number): Date {
  return endOfDay(addDays(calendarDateOf(now), days));
}
