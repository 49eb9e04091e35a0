/**
 * Counts, per principal (an operator or API key), the distinct subjects whose records it read in clear
 * within a sliding window, in this process's memory. Cheap by design: no query per read, and at most
 * `threshold + 1` subjects kept per principal. It is per process: with several `custos serve` processes
 * behind a load balancer each counts the reads it serves, so a principal spreading reads over n processes
 * is seen at roughly n times the threshold.
 */
export type RevealWindowSettings = {
  /** Distinct subjects a principal may reveal within the window; one more raises the alert. */
  threshold: number;
  windowMs: number;
};

/** What one observation found: `crossed` only on the read that took the principal over the threshold. */
export type RevealObservation = { crossed: boolean; distinctSubjects: number };

type PrincipalWindow = {
  /** Subject id → when it was last revealed (ms), oldest first (re-inserted on every reveal). */
  seen: Map<string, number>;
  /** Over the threshold already: no new crossing until the window empties below it again. */
  over: boolean;
};

export function revealWindow({ threshold, windowMs }: RevealWindowSettings) {
  const principals = new Map<string, PrincipalWindow>();
  let observations = 0;

  function expire(window: PrincipalWindow, nowMs: number): void {
    for (const [subject, at] of window.seen) {
      if (nowMs - at < windowMs) break;
      window.seen.delete(subject);
    }
    if (window.seen.size <= threshold) window.over = false;
  }

  /** Drops principals with nothing left in their window, now and then, so idle ones do not pile up. */
  function sweep(nowMs: number): void {
    for (const [principal, window] of principals) {
      expire(window, nowMs);
      if (window.seen.size === 0) principals.delete(principal);
    }
  }

  /** Records that `principal` read `subjectIds` in clear at `nowMs`. */
  function observe(principal: string, subjectIds: readonly string[], nowMs: number): RevealObservation {
    observations += 1;
    if (observations % 1000 === 0) sweep(nowMs);
    let window = principals.get(principal);
    if (!window) {
      window = { seen: new Map(), over: false };
      principals.set(principal, window);
    }
    expire(window, nowMs);
    for (const subject of subjectIds) {
      window.seen.delete(subject);
      window.seen.set(subject, nowMs);
    }
    const distinctSubjects = window.seen.size;
    // Only whether the count is over the threshold matters: keep at most one more than it.
    while (window.seen.size > threshold + 1) {
      const oldest = window.seen.keys().next().value as string;
      window.seen.delete(oldest);
    }
    const crossed = distinctSubjects > threshold && !window.over;
    if (distinctSubjects > threshold) window.over = true;
    return { crossed, distinctSubjects: Math.min(distinctSubjects, threshold + 1) };
  }

  return { observe, settings: { threshold, windowMs } };
}

export type RevealWindow = ReturnType<typeof revealWindow>;
