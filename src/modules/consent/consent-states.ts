import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { type ConsentCacheSettings, consentCache } from './consent-cache.js';
import type { ConsentChangeFeed } from './consent-changes.js';
import type { ConsentMethod, ConsentSource, StateFacts, SubjectStatus } from './consent-rules.js';
import type { ConsentStore } from './consent-store.js';

/** A subject's standing choice for one purpose. */
export type StandingChoice = StateFacts & {
  purposeKey: string;
  method: ConsentMethod | null;
  source: ConsentSource | null;
  eventId: string;
  updatedAt: Date;
};

/** What checks need to know of a subject: their status in the vault and every standing choice. */
export type SubjectConsent = {
  subjectId: string;
  status: SubjectStatus;
  choices: ReadonlyMap<string, StandingChoice>;
};

type Deps = {
  db: Kysely<DB>;
  store: ConsentStore;
  changes: ConsentChangeFeed;
  clock: Clock;
  settings: ConsentCacheSettings;
};

/**
 * Subjects' consent state, read through a bounded in-process cache. Entries are dropped when a change
 * is notified (from any process, see consent-changes.ts); while notifications cannot be heard nothing is
 * cached, so a cached entry is never staler than the notification delay.
 */
export function consentStates({ db, store, changes, clock, settings }: Deps) {
  const cache = consentCache<SubjectConsent>(settings, clock);
  /** Loads in flight: concurrent checks of a subject not cached share one query. */
  const loading = new Map<string, Promise<SubjectConsent | undefined>>();
  changes.subscribe({
    subjects: (ids) => {
      cache.invalidate(ids);
      // Later callers must not join a load that may have read the state before this change.
      for (const id of ids) loading.delete(id);
    },
    purposes: () => {},
    everything: () => {
      cache.clear();
      loading.clear();
    },
  });

  /** The subject's status and standing choices; undefined when there is no such subject. */
  function of(subjectId: string): Promise<SubjectConsent | undefined> {
    const hit = cache.get(subjectId);
    if (hit) return Promise.resolve(hit);
    const inFlight = loading.get(subjectId);
    if (inFlight) return inFlight;
    const load = read(subjectId).finally(() => {
      if (loading.get(subjectId) === load) loading.delete(subjectId);
    });
    loading.set(subjectId, load);
    return load;
  }

  async function read(subjectId: string): Promise<SubjectConsent | undefined> {
    const ticket = cache.ticket();
    const listening = changes.ensureListening();
    const loaded = await store.subjectState(db, subjectId);
    if (!loaded) return undefined;
    const consent: SubjectConsent = {
      subjectId,
      status: loaded.status,
      choices: new Map(
        loaded.rows.map((row) => [
          row.purpose_key,
          {
            purposeKey: row.purpose_key,
            status: row.status,
            version: row.version,
            expiresAt: row.expires_at,
            objectedAt: row.objected_at,
            method: row.method,
            source: row.source,
            eventId: row.event_id,
            updatedAt: row.updated_at,
          },
        ]),
      ),
    };
    if (listening) cache.set(subjectId, consent, ticket);
    return consent;
  }

  return {
    of,
    /** After a commit that changed these subjects' consent: every process forgets them. */
    announce: (subjectIds: string[]) => changes.announce({ kind: 'subjects', ids: subjectIds }),
    get cached(): number {
      return cache.size;
    },
  };
}

export type ConsentStates = ReturnType<typeof consentStates>;
