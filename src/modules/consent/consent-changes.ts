import type { ListenHandlers } from '../../db/database.js';
import { isCanonicalUuid } from '../../lib/ids.js';
import type { Logger } from '../../logger.js';

/** The channel consent changes are notified on (by consent writes and the triggers of migration 0007). */
export const consentChannel = 'custos_consent';

export type ConsentChange =
  | { kind: 'subjects'; ids: string[] }
  | { kind: 'everything' }
  | { kind: 'purposes' };

/** Most subject ids one payload lists (37 bytes each, well inside PostgreSQL's 8000-byte limit). */
const maxIdsPerPayload = 100;

/** The payload announcing a change; more subjects than fit become `*`. */
export function formatConsentChange(change: ConsentChange): string {
  if (change.kind === 'purposes') return 'purposes';
  if (change.kind === 'everything' || change.ids.length > maxIdsPerPayload) return '*';
  return change.ids.join(',');
}

/**
 * What a notification payload says changed: `purposes`, `*` (too many subjects to list), or a
 * comma-separated list of subject ids. Anything else is read as "everything", the safe side.
 */
export function parseConsentChange(payload: string): ConsentChange {
  if (payload === 'purposes') return { kind: 'purposes' };
  if (payload === '*' || payload === '') return { kind: 'everything' };
  const ids = payload.split(',');
  return ids.every(isCanonicalUuid) ? { kind: 'subjects', ids } : { kind: 'everything' };
}

export type ConsentChangeSubscriber = {
  /** These subjects' consent state or status changed (in this or another process). */
  subjects(ids: readonly string[]): void;
  purposes(): void;
  /** Anything may have changed: drop everything. */
  everything(): void;
};

type Listen = (channel: string, handlers: ListenHandlers) => Promise<void>;
/** Sends NOTIFY on a channel, in a statement of its own (never inside a writing transaction). */
type Notify = (channel: string, payload: string) => Promise<void>;

/**
 * Consent changes from every process, through PostgreSQL LISTEN/NOTIFY (PGlite delivers its own
 * notifications the same way). Caches subscribe, and may keep what they load only while `listening`:
 * without the subscription they would not hear of changes. Listening starts on first use.
 */
export function consentChangeFeed({
  listen,
  notify,
  logger,
}: {
  listen: Listen;
  notify: Notify;
  logger: Logger;
}) {
  const subscribers: ConsentChangeSubscriber[] = [];
  let started = false;
  let listening = false;

  function dispatch(change: ConsentChange) {
    for (const subscriber of subscribers) {
      if (change.kind === 'subjects') subscriber.subjects(change.ids);
      else if (change.kind === 'purposes') subscriber.purposes();
      else subscriber.everything();
    }
  }

  function start() {
    if (started) return;
    started = true;
    listen(consentChannel, {
      onMessage: (payload) => dispatch(parseConsentChange(payload)),
      onListening: (now) => {
        // Whatever was cached before (or while notifications could be missed) may be stale.
        dispatch({ kind: 'everything' });
        listening = now;
        if (!now) logger.warn('consent change notifications interrupted; consent caches bypassed until back');
      },
    }).catch((error: unknown) => {
      logger.warn({ err: error }, 'cannot listen for consent changes yet; consent caches stay bypassed');
    });
  }

  return {
    /** Tells this process's caches only (for changes whose triggers notify everyone, like purposes). */
    forgetHere: dispatch,
    subscribe(subscriber: ConsentChangeSubscriber) {
      subscribers.push(subscriber);
    },
    /** Starts listening (once); returns whether changes are being heard, so caching is safe. */
    ensureListening(): boolean {
      start();
      return listening;
    },
    /**
     * Announces a change that just committed: this process's caches forget at once, every other process
     * when the notification arrives. Called after the commit, because a NOTIFY inside the writing
     * transaction would serialize all consent commits (see migration 0007). Should the notification be
     * lost (the process dies right after the commit), other processes catch up within the cache TTL.
     */
    async announce(change: ConsentChange): Promise<void> {
      dispatch(change);
      // Long lists of subjects go in several notifications rather than one that drops every cache.
      const payloads =
        change.kind === 'subjects'
          ? Array.from({ length: Math.ceil(change.ids.length / maxIdsPerPayload) }, (_, index) =>
              formatConsentChange({
                kind: 'subjects',
                ids: change.ids.slice(index * maxIdsPerPayload, (index + 1) * maxIdsPerPayload),
              }),
            )
          : [formatConsentChange(change)];
      try {
        for (const payload of payloads) await notify(consentChannel, payload);
      } catch (error) {
        logger.warn(
          { err: error },
          'consent change committed but not announced; other caches catch up by TTL',
        );
      }
    },
  };
}

export type ConsentChangeFeed = ReturnType<typeof consentChangeFeed>;
