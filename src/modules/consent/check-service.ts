import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { type CheckReason, evaluateConsent, type LegalBasis } from './consent-rules.js';
import type { ConsentStates, StandingChoice } from './consent-states.js';
import type { ConsentStore } from './consent-store.js';
import type { IdBatch } from './filter-input.js';
import { type PurposeService, rulesOf } from './purpose-service.js';
import type { PurposeRow } from './purpose-store.js';

/** The answer for one purpose: may it be pursued for this subject now, on which basis, and why. */
export type CheckResult = {
  purpose: string;
  allowed: boolean;
  reason: CheckReason;
  legalBasis: LegalBasis;
  /** The version the subject's standing choice was made for, if any. */
  version: number | null;
  currentVersion: number;
  expiresAt: Date | null;
};

/** A purpose with the subject's standing choice and the verdict on it. */
export type StandingView = CheckResult & { choice: StandingChoice | undefined };

type Deps = {
  db: Kysely<DB>;
  store: ConsentStore;
  purposes: PurposeService;
  states: ConsentStates;
  audit: AuditWriter;
  clock: Clock;
  settings: { filterConcurrency: number };
};

function resultFor(
  purpose: PurposeRow,
  subjectStatus: Parameters<typeof evaluateConsent>[1],
  choice: StandingChoice | undefined,
  now: Date,
): CheckResult {
  const verdict = evaluateConsent(rulesOf(purpose), subjectStatus, choice, now);
  return {
    purpose: purpose.key,
    ...verdict,
    legalBasis: purpose.legal_basis,
    version: choice?.version ?? null,
    currentVersion: purpose.version,
    expiresAt: choice?.status === 'granted' ? choice.expiresAt : null,
  };
}

/**
 * Answers "may we?": per subject and purposes (`check`, from memory once a subject was read), and for
 * many subjects and one purpose at once (`filter`, set-based SQL in batches). Checks read no personal
 * data and are not audited one by one; a filter run is audited once with its counts.
 */
export function checkService({ db, store, purposes, states, audit, clock, settings }: Deps) {
  async function check(subjectId: string, purposeKeys: readonly string[]): Promise<CheckResult[]> {
    let [catalog, consent] = await Promise.all([purposes.catalog(), states.of(subjectId)]);
    if (!consent) throw new AppError('not_found', 'Subject not found.');
    if (purposeKeys.some((key) => !catalog.has(key))) catalog = await purposes.catalog({ refresh: true });
    const now = clock.now();
    return purposeKeys.map((key) => {
      const purpose = catalog.get(key);
      if (!purpose) throw new AppError('not_found', `There is no purpose ${key}.`);
      return resultFor(purpose, consent.status, consent.choices.get(key), now);
    });
  }

  /** Every purpose with the subject's standing choice and the verdict, for the subject's consent page. */
  async function standing(subjectId: string): Promise<StandingView[]> {
    const [catalog, consent] = await Promise.all([purposes.catalog(), states.of(subjectId)]);
    if (!consent) throw new AppError('not_found', 'Subject not found.');
    const now = clock.now();
    return [...catalog.values()].map((purpose) => {
      const choice = consent.choices.get(purpose.key);
      return { ...resultFor(purpose, consent.status, choice, now), choice };
    });
  }

  async function* allowedChunks(
    context: AuditContext,
    purpose: PurposeRow,
    batches: AsyncIterable<IdBatch>,
  ): AsyncGenerator<string> {
    const rules = rulesOf(purpose);
    const now = clock.now();
    const inFlight: Promise<string[]>[] = [];
    const counts = { submitted: 0, allowed: 0, invalid: 0 };
    let complete = false;
    const drainOne = async () => {
      const ids = (await inFlight.shift()) as string[];
      counts.allowed += ids.length;
      let chunk = '';
      for (const id of ids) chunk += `{"subjectId":"${id}"}\n`;
      return chunk;
    };
    try {
      for await (const batch of batches) {
        counts.submitted += batch.ids.length;
        counts.invalid += batch.invalid;
        const query = store.allowedAmong(db, batch.ids, purpose.key, rules, now);
        // Awaited in order below; until then a failure must not count as unhandled.
        query.catch(() => {});
        inFlight.push(query);
        if (inFlight.length >= settings.filterConcurrency) {
          const chunk = await drainOne();
          if (chunk) yield chunk;
        }
      }
      while (inFlight.length > 0) {
        const chunk = await drainOne();
        if (chunk) yield chunk;
      }
      complete = true;
    } finally {
      await audit.record(context, {
        action: 'consent.filter.run',
        outcome: complete ? 'success' : 'failure',
        target: { type: 'purpose', id: purpose.key },
        details: { ...counts, complete },
      });
    }
  }

  /**
   * Of a stream of subject ids, the ones that may be processed for the purpose now, as NDJSON lines in
   * the order given. Batches are queried while the next ones are read (up to `filterConcurrency` at
   * once). Lines without a subject id, and unknown or erased subjects, are simply not allowed.
   */
  async function filter(
    context: AuditContext,
    purposeKey: string,
    batches: AsyncIterable<IdBatch>,
  ): Promise<AsyncGenerator<string>> {
    return allowedChunks(context, await purposes.require(purposeKey), batches);
  }

  return { check, standing, filter };
}

export type CheckService = ReturnType<typeof checkService>;
