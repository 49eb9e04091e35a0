import { describe, expect, it } from 'vitest';
import { clockStageAt, clockView, isLate, notificationDeadline } from './breach-clock.js';

const hour = 3_600_000;

/** The wall-clock time in a zone, as `YYYY-MM-DD HH:mm`. */
function wallClock(at: Date, timeZone: string): string {
  return at.toLocaleString('sv-SE', { timeZone, hour12: false }).slice(0, 16);
}

describe('the 72-hour clock', () => {
  it('runs 72 real hours from awareness at 23:30 UTC, not to the end of a calendar day', () => {
    const awareAt = new Date('2026-05-04T23:30:00Z');
    expect(notificationDeadline(awareAt).toISOString()).toBe('2026-05-07T23:30:00.000Z');
  });

  it('keeps 72 real hours across the spring change to summer time: the wall clock moves on an hour', () => {
    // Brussels: 2026-03-29 02:00 CET becomes 03:00 CEST.
    const awareAt = new Date('2026-03-27T10:00:00+01:00');
    const deadline = notificationDeadline(awareAt);
    expect(deadline.getTime() - awareAt.getTime()).toBe(72 * hour);
    expect(wallClock(awareAt, 'Europe/Brussels')).toBe('2026-03-27 10:00');
    expect(wallClock(deadline, 'Europe/Brussels')).toBe('2026-03-30 11:00');
  });

  it('keeps 72 real hours across the autumn change back to winter time', () => {
    // Brussels: 2026-10-25 03:00 CEST becomes 02:00 CET.
    const awareAt = new Date('2026-10-23T10:00:00+02:00');
    const deadline = notificationDeadline(awareAt);
    expect(deadline.getTime() - awareAt.getTime()).toBe(72 * hour);
    expect(wallClock(deadline, 'Europe/Brussels')).toBe('2026-10-26 09:00');
  });

  it('raises its alerts at 24 hours left, at 6 hours left and once overdue', () => {
    const deadline = new Date('2026-05-07T23:30:00Z');
    const at = (hoursLeft: number) => new Date(deadline.getTime() - hoursLeft * hour);
    expect(clockStageAt(deadline, at(25))).toBe(0);
    expect(clockStageAt(deadline, at(24))).toBe(1);
    expect(clockStageAt(deadline, at(7))).toBe(1);
    expect(clockStageAt(deadline, at(6))).toBe(2);
    expect(clockStageAt(deadline, at(0.01))).toBe(2);
    expect(clockStageAt(deadline, at(0))).toBe(3);
    expect(clockStageAt(deadline, at(-30))).toBe(3);
  });

  it('shows time left, negative once overdue, and stops at the notification', () => {
    const deadline = new Date('2026-05-07T23:30:00Z');
    expect(clockView(deadline, new Date('2026-05-07T20:30:00Z'), null)).toMatchObject({
      msLeft: 3 * hour,
      overdue: false,
      stopped: false,
    });
    expect(clockView(deadline, new Date('2026-05-08T01:30:00Z'), null)).toMatchObject({
      msLeft: -2 * hour,
      overdue: true,
    });
    const notifiedAt = new Date('2026-05-07T12:00:00Z');
    expect(clockView(deadline, new Date('2026-05-09T00:00:00Z'), notifiedAt)).toMatchObject({
      msLeft: 11.5 * hour,
      overdue: false,
      stopped: true,
    });
  });

  it('calls a submission after the deadline late, and one at the deadline in time', () => {
    const deadline = new Date('2026-05-07T23:30:00Z');
    expect(isLate(deadline, deadline)).toBe(false);
    expect(isLate(deadline, new Date(deadline.getTime() + 1))).toBe(true);
  });
});
