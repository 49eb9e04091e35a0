/**
 * The Art. 33(1) clock: the supervisory authority is to be notified without undue delay and, where
 * feasible, not later than 72 hours after the controller became aware of the breach. Hours are counted on
 * the instant, not on the calendar: across a change to or from summer time the deadline is still 72 real
 * hours later, so its local wall-clock time moves by the hour the clocks moved.
 */
export const notificationWindowMs = 72 * 3_600_000;

/** The clock alerts, in the order they fall due: 24 h left, 6 h left, overdue. */
export const clockStages = [
  { stage: 1, leftMs: 24 * 3_600_000, name: 'hours_24' },
  { stage: 2, leftMs: 6 * 3_600_000, name: 'hours_6' },
  { stage: 3, leftMs: 0, name: 'overdue' },
] as const;

export type ClockStage = 0 | 1 | 2 | 3;

/** The deadline for notifying the supervisory authority of a breach the organization became aware of at `awareAt`. */
export function notificationDeadline(awareAt: Date): Date {
  return new Date(awareAt.getTime() + notificationWindowMs);
}

/** The latest clock alert due at `now`: 0 while more than 24 h are left, 3 once the deadline passed. */
export function clockStageAt(deadlineAt: Date, now: Date): ClockStage {
  const leftMs = deadlineAt.getTime() - now.getTime();
  let due: ClockStage = 0;
  for (const { stage, leftMs: threshold } of clockStages) if (leftMs <= threshold) due = stage;
  return due;
}

export type ClockView = { deadlineAt: Date; msLeft: number; overdue: boolean; stopped: boolean };

/**
 * The clock as shown: time left until the deadline (negative once overdue). It stops once the authority
 * was notified (the first submission) or the breach needs no notification.
 */
export function clockView(deadlineAt: Date, now: Date, stoppedAt: Date | null): ClockView {
  const at = stoppedAt ?? now;
  const msLeft = deadlineAt.getTime() - at.getTime();
  return { deadlineAt, msLeft, overdue: msLeft < 0, stopped: stoppedAt !== null };
}

/** True when a notification submitted at `submittedAt` came after the deadline and so needs reasons (Art. 33(1)). */
export function isLate(deadlineAt: Date, submittedAt: Date): boolean {
  return submittedAt.getTime() > deadlineAt.getTime();
}
