/**
 * Retention periods as ISO 8601 durations of years, months and days (`P10Y`, `P6M`, `P90D`, `P1Y6M`).
 * A period runs from the day a record was stored and ends with the last millisecond of the day it reaches
 * (UTC); months end on the same day-of-month, or on the last day of a shorter month.
 */
export type RetentionPeriod = { years: number; months: number; days: number };

const pattern = /^P(?:(\d{1,3})Y)?(?:(\d{1,4})M)?(?:(\d{1,5})D)?$/;

/** Parses `P10Y`-style durations; undefined for anything else (weeks and times are not accepted). */
export function parseRetentionPeriod(text: string): RetentionPeriod | undefined {
  const match = pattern.exec(text);
  if (!match || text === 'P') return undefined;
  const [years, months, days] = [match[1], match[2], match[3]].map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
  ];
  if (years * 12 + months > 100 * 12 || days > 36_600) return undefined;
  return { years, months, days };
}

/** When data stored at `start` must be erased under a period: the end of the day the period reaches. */
export function retentionEnd(start: Date, period: RetentionPeriod): Date {
  const year = start.getUTCFullYear();
  const month = start.getUTCMonth() + period.years * 12 + period.months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(start.getUTCDate(), lastDay) + period.days;
  return new Date(Date.UTC(year, month, day + 1) - 1);
}

/** A period in words, for people: `10 years`, `1 year and 6 months`. */
export function describePeriod(period: RetentionPeriod): string {
  const parts = [
    [period.years, 'year'],
    [period.months, 'month'],
    [period.days, 'day'],
  ]
    .filter(([count]) => (count as number) > 0)
    .map(([count, unit]) => `${count} ${unit}${count === 1 ? '' : 's'}`);
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? '0 days');
}
