/** One purpose's verdict as the cache keeps it. */
export type CachedVerdict = { purpose: string; allowed: boolean; reason: string; freshUntil: number };

export type ConsentCacheOptions = {
  /** Longest use of a verdict without asking Custos again (default 10 s). 0 turns caching off. */
  ttlMs?: number;
  /** Subjects kept; the oldest loaded is dropped first (default 10,000). */
  maxSubjects?: number;
};

/**
 * Verdicts per subject and purpose, for `consent.require` and the middleware. Fresh for `ttlMs` at most,
 * and never past a grant's expiry; forgotten on `invalidate` (consent webhooks). A load that began
 * before any invalidation is returned to its caller but not kept, so a stale answer never outlives one.
 */
export function consentCache(options: ConsentCacheOptions = {}) {
  const ttlMs = options.ttlMs ?? 10_000;
  const maxSubjects = options.maxSubjects ?? 10_000;
  const subjects = new Map<string, Map<string, CachedVerdict>>();
  const enabled = ttlMs > 0 && maxSubjects > 0;
  let generation = 0;

  return {
    enabled,
    /** The verdicts for every purpose, or undefined when any is missing or stale. */
    lookup(subjectId: string, purposes: readonly string[], now: number): CachedVerdict[] | undefined {
      const verdicts = subjects.get(subjectId);
      if (!verdicts) return undefined;
      const found: CachedVerdict[] = [];
      for (const purpose of purposes) {
        const verdict = verdicts.get(purpose);
        if (!verdict || verdict.freshUntil <= now) return undefined;
        found.push(verdict);
      }
      return found;
    },
    /** First purpose not allowed (`undefined` when all are), or `null` when the cache cannot tell. */
    firstDenied(
      subjectId: string,
      purposes: readonly string[],
      now: number,
    ): CachedVerdict | undefined | null {
      const verdicts = subjects.get(subjectId);
      if (!verdicts) return null;
      let denied: CachedVerdict | undefined;
      for (let index = 0; index < purposes.length; index++) {
        const verdict = verdicts.get(purposes[index] as string);
        if (!verdict || verdict.freshUntil <= now) return null;
        if (!verdict.allowed && !denied) denied = verdict;
      }
      return denied;
    },
    /** A ticket to take before asking Custos; `store` refuses answers older than an invalidation. */
    ticket(): number {
      return generation;
    },
    store(
      ticket: number,
      subjectId: string,
      results: readonly { purpose: string; allowed: boolean; reason: string; expiresAt: string | null }[],
      now: number,
    ): void {
      if (!enabled || ticket !== generation) return;
      let verdicts = subjects.get(subjectId);
      if (!verdicts) {
        if (subjects.size >= maxSubjects) {
          const oldest = subjects.keys().next();
          if (!oldest.done) subjects.delete(oldest.value);
        }
        verdicts = new Map();
        subjects.set(subjectId, verdicts);
      }
      for (const result of results) {
        const expiry = result.expiresAt ? Date.parse(result.expiresAt) : Number.POSITIVE_INFINITY;
        verdicts.set(result.purpose, {
          purpose: result.purpose,
          allowed: result.allowed,
          reason: result.reason,
          freshUntil: Math.min(now + ttlMs, expiry),
        });
      }
    },
    /** Forgets one subject (a consent webhook named it). */
    invalidate(subjectId: string): void {
      generation++;
      subjects.delete(subjectId);
    },
    /** Forgets everything (purposes changed, or webhooks may have been missed). */
    clear(): void {
      generation++;
      subjects.clear();
    },
    get size(): number {
      return subjects.size;
    },
  };
}

export type ConsentCache = ReturnType<typeof consentCache>;
