/** How often and how patiently a delivery is retried. */
export type RetrySettings = {
  /** Attempts per round (the first one and its retries) before the delivery is dead-lettered. */
  maxAttempts: number;
  /** Wait before the first retry; each further retry waits twice as long as the one before. */
  retryDelayMs: number;
  /** No wait is longer than this. */
  retryMaxDelayMs: number;
};

/**
 * The wait before the next attempt after `failedAttempts` failed attempts in this round, or undefined when
 * the round is used up and the delivery is dead-lettered: retryDelay × 2^(failedAttempts − 1), capped.
 */
export function retryDelayAfter(failedAttempts: number, settings: RetrySettings): number | undefined {
  if (failedAttempts < 1 || failedAttempts >= settings.maxAttempts) return undefined;
  return Math.min(settings.retryDelayMs * 2 ** (failedAttempts - 1), settings.retryMaxDelayMs);
}

/** The waits of a whole round, for documentation and the API: one entry per retry. */
export function retrySchedule(settings: RetrySettings): number[] {
  return Array.from(
    { length: settings.maxAttempts - 1 },
    (_, index) => retryDelayAfter(index + 1, settings) as number,
  );
}
