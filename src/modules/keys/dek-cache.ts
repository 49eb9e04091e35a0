import type { Clock } from '../../lib/clock.js';

export type DekCacheSettings = {
  /** Most data keys held at once; the least recently used goes first. 0 turns the cache off. */
  maxEntries: number;
  /** How long an unwrapped data key may be served from memory without looking at the database. */
  ttlMs: number;
};

/**
 * Unwrapped data keys in memory, bounded in count and age, so reading a subject's fields does not cost
 * a database round trip and an unwrap each time.
 *
 * Shredding: `drop` removes the key at once on this instance and leaves a tombstone for one TTL, so a
 * read that fetched the key just before the shred committed cannot put it back. Other instances learn
 * of a shred only when their entry expires, so the TTL bounds how long a shredded key can still be used
 * there (see docs/SECURITY.md).
 */
export function dekCache({ maxEntries, ttlMs }: DekCacheSettings, clock: Clock) {
  const entries = new Map<string, { key: Buffer; expiresAt: number }>();
  const tombstones = new Map<string, number>();

  function tombstoned(subjectId: string, now: number): boolean {
    const until = tombstones.get(subjectId);
    if (until === undefined) return false;
    if (until > now) return true;
    tombstones.delete(subjectId);
    return false;
  }

  return {
    get(subjectId: string): Buffer | undefined {
      const entry = entries.get(subjectId);
      if (!entry) return undefined;
      entries.delete(subjectId);
      if (entry.expiresAt <= clock.now().getTime()) return undefined;
      // Re-inserting moves the entry to the end of the Map's order: the most recently used.
      entries.set(subjectId, entry);
      return entry.key;
    },

    set(subjectId: string, key: Buffer): void {
      if (maxEntries === 0) return;
      const now = clock.now().getTime();
      if (tombstoned(subjectId, now)) return;
      entries.delete(subjectId);
      entries.set(subjectId, { key, expiresAt: now + ttlMs });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
      }
    },

    /** Forgets a subject's key (it was shredded) and keeps it out for one TTL. */
    drop(subjectId: string): void {
      entries.delete(subjectId);
      if (maxEntries === 0) return;
      tombstones.delete(subjectId);
      tombstones.set(subjectId, clock.now().getTime() + ttlMs);
      while (tombstones.size > maxEntries) {
        const oldest = tombstones.keys().next().value as string;
        tombstones.delete(oldest);
      }
    },

    clear(): void {
      entries.clear();
      tombstones.clear();
    },

    get size(): number {
      return entries.size;
    },
  };
}

export type DekCache = ReturnType<typeof dekCache>;
