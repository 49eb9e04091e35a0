import type { DeriveKey, Platform } from '../../wiring/platform.js';
import type { AuditService } from '../audit/audit-service.js';
import type { NotificationService } from '../notifications/notification-service.js';
import { checkService } from './check-service.js';
import { consentChangeFeed } from './consent-changes.js';
import { consentExpiryJob } from './consent-jobs.js';
import { consentService } from './consent-service.js';
import { consentStates } from './consent-states.js';
import { consentStore } from './consent-store.js';
import { purposeService } from './purpose-service.js';
import { purposeStore } from './purpose-store.js';
import { tcfService } from './tcf-service.js';

/**
 * Consent: purposes, consent events and state, checks, TCF. Every process caches consent state and hears
 * of changes from all others (LISTEN/NOTIFY).
 */
export function consentModule(
  { config, database, db, clock, logger }: Platform,
  {
    deriveKey,
    audit,
    notifications,
  }: { deriveKey: DeriveKey; audit: AuditService; notifications: NotificationService },
) {
  const consentChanges = consentChangeFeed({
    listen: database.listen,
    notify: async (channel, payload) => {
      await database.executeSql('select pg_notify($1, $2)', [channel, payload]);
    },
    logger,
  });
  const consentRows = consentStore();
  const purposes = purposeService({
    db,
    store: purposeStore(),
    audit,
    changes: consentChanges,
    clock,
    settings: { cacheTtlMs: config.consentCacheTtl },
  });
  const standingConsent = consentStates({
    db,
    store: consentRows,
    changes: consentChanges,
    clock,
    settings: { maxEntries: config.consentCacheSize, ttlMs: config.consentCacheTtl },
  });
  const consent = consentService({
    db,
    store: consentRows,
    purposes,
    states: standingConsent,
    audit,
    events: notifications,
    clock,
    settings: {
      // Proof hashes (subject IP, user agent) get a key of their own, derived for this use alone.
      proofKey: deriveKey('custos.consent-proof.v1'),
      // One transaction records consent at a time, and everything waiting meanwhile goes into the next:
      // measured on PostgreSQL, more writers only made each batch smaller and the total slower.
      writers: 1,
    },
  });
  const consentChecks = checkService({
    db,
    store: consentRows,
    purposes,
    states: standingConsent,
    audit,
    clock,
    // Filter batches queried at once: PGlite has one connection, PostgreSQL a pool.
    settings: { filterConcurrency: database.kind === 'postgres' ? 3 : 1 },
  });
  const tcf = tcfService({ db, store: consentRows, states: standingConsent, audit, clock });
  return {
    consentChanges,
    purposes,
    consent,
    consentChecks,
    tcf,
    background: { jobs: [consentExpiryJob(consent, logger)], prune: [] },
  };
}
