import type { Executor } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import type { WebhookStore } from './webhook-store.js';

/** The event types enabled endpoints take: every type (`all`), or those in the set. */
type Subscribed = { all: boolean; types: ReadonlySet<string> };

/**
 * Which event types any enabled endpoint subscribes to, kept in memory so that publishing an event nobody
 * subscribes to (the usual case on the consent hot path) costs no query at all. A change made through
 * this process invalidates it at once; changes made by other processes are seen after `ttlMs` at most.
 * It only decides whether to write a message: which endpoints get it is decided by the database.
 */
export function subscriptionCache({
  store,
  clock,
  ttlMs,
}: {
  store: Pick<WebhookStore, 'subscriptions'>;
  clock: Clock;
  ttlMs: number;
}) {
  let current: Subscribed | undefined;
  let loadedAt = 0;
  // Bumped by every invalidation, so a load that started before one does not install stale rows.
  let generation = 0;

  async function subscribed(tx: Executor): Promise<Subscribed> {
    const now = clock.now().getTime();
    if (current && now - loadedAt < ttlMs) return current;
    const startedIn = generation;
    const rows = await store.subscriptions(tx);
    const loaded: Subscribed = {
      all: rows.some((row) => row.event_types === null),
      types: new Set(rows.flatMap((row) => row.event_types ?? [])),
    };
    if (startedIn === generation) {
      current = loaded;
      loadedAt = now;
    }
    return loaded;
  }

  return {
    /** The subset of `types` some enabled endpoint may want, read in the caller's transaction when stale. */
    async wanted(tx: Executor, types: readonly string[]): Promise<Set<string>> {
      const { all, types: subscribedTypes } = await subscribed(tx);
      return new Set(all ? types : types.filter((type) => subscribedTypes.has(type)));
    },
    /** Forget what is cached; call after a change to endpoints has committed. */
    invalidate() {
      generation += 1;
      current = undefined;
    },
  };
}

export type SubscriptionCache = ReturnType<typeof subscriptionCache>;
