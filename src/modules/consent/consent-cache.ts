import type { Clock } from '../../lib/clock.js';

export type ConsentCacheSettings = {
  /** Most entries held; the least recently used goes first. 0 turns the cache off. */
  maxEntries: number;
  /** How long an entry is served without asking the database (a backstop for missed notifications). */
  ttlMs: number;
};

/**
 * A bounded LRU of what was loaded from the database per key, safe against the classic race: a load that
 * started before an invalidation and finishes after it must not put stale data back. Every load takes a
 * ticket first (`ticket()`); `set` keeps the value only when the key was not invalidated since.
 */
export function consentCache<T>({ maxEntries, ttlMs }: ConsentCacheSettings, clock: Clock) {
  const entries = new Map<string, { value: T; expiresAt: number }>();
  /** Key → the generation of its last invalidation, for loads still in flight (bounded). */
  const invalidated = new Map<string, number>();
  const maxTracked = Math.max(1000, Math.min(maxEntries, 100_000));
  let generation = 0;
  /** Tickets older than this are refused: their key's invalidation may have been forgotten. */
  let refuseBefore = 0;

  function forget(key: string) {
    generation += 1;
    entries.delete(key);
    invalidated.delete(key);
    invalidated.set(key, generation);
    while (invalidated.size > maxTracked) {
      const [oldest, at] = invalidated.entries().next().value as [string, number];
      invalidated.delete(oldest);
      refuseBefore = Math.max(refuseBefore, at);
    }
  }

  return {
    /** Take before loading; hand it to `set`. */
    ticket(): number {
      return generation;
    },

    get(key: string): T | undefined {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expiresAt <= clock.now().getTime()) return undefined;
      // Re-inserting moves the entry to the end of the Map's order: the most recently used.
      entries.set(key, entry);
      return entry.value;
    },

    /** Keeps a loaded value, unless the key (or everything) was invalidated after the ticket was taken. */
    set(key: string, value: T, ticket: number): void {
      if (maxEntries === 0 || ticket < refuseBefore) return;
      if ((invalidated.get(key) ?? 0) > ticket) return;
      entries.delete(key);
      entries.set(key, { value, expiresAt: clock.now().getTime() + ttlMs });
      while (entries.size > maxEntries) {
        entries.delete(entries.keys().next().value as string);
      }
    },

    invalidate(keys: readonly string[]): void {
      for (const key of keys) forget(key);
    },

    clear(): void {
      generation += 1;
      refuseBefore = generation;
      entries.clear();
      invalidated.clear();
    },

    get size(): number {
      return entries.size;
    },
  };
}

export type ConsentCache<T> = ReturnType<typeof consentCache<T>>;
