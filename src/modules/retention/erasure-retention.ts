import type { Kysely } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { isAppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import {
  type CollectionShape,
  coverageOf,
  type ErasurePlan,
  type PolicyRule,
  planErasure,
} from './erasure-plan.js';
import type { RetentionRow, RetentionStore } from './retention-store.js';

type CollectionRowLike = CollectionShape & { id: string };

/** What retention needs of the vault: holdings and record facts (no values), deletion and shredding. */
export type RetentionVault = {
  holdings(
    executor: Executor,
    subjectId: string,
  ): Promise<{ collection: CollectionRowLike; records: number }[]>;
  recordFacts(
    executor: Executor,
    subjectId: string,
    collections: readonly CollectionRowLike[],
  ): Promise<{ id: string; collection: string; createdAt: Date }[]>;
  deleteRecordsWithin(tx: Tx, subjectId: string, keptIds: readonly string[]): Promise<number>;
  shredWithin(tx: Tx, subjectId: string): Promise<{ records: number; indexes: number; tokens: number }>;
};

type Deps = {
  db: Kysely<DB>;
  store: RetentionStore;
  audit: AuditWriter;
  clock: Clock;
  vault: RetentionVault;
  holds: { activeWithin(executor: Executor, subjectId: string, at: Date): Promise<unknown[]> };
  /** The retention rules in force (the same the scheduled runs apply), read in the caller's transaction. */
  rules: (executor: Executor) => Promise<PolicyRule[]>;
};

export type SubjectHoldings = Awaited<ReturnType<RetentionVault['holdings']>>;

/** What one sweep did: subjects shredded, subjects whose expired records were deleted, subjects on hold. */
export type SweepResult = { shredded: number; trimmed: number; held: number };

const sweepBatch = 200;
const dayMs = 86_400_000;

/**
 * Retention after erasure: which of an erased subject's records an obligation keeps (planned in the
 * erasure's transaction), the record of until when, and the sweep that deletes records whose retention
 * ended and shreds the subject's data key once nothing is left to keep.
 */
export function erasureRetention({ db, store, audit, clock, vault, holds, rules }: Deps) {
  /** The subject's holdings and what erasure at `now` keeps of them, under the policies in force. */
  async function planFor(
    tx: Executor,
    subjectId: string,
    now: Date,
  ): Promise<{ holdings: SubjectHoldings; plan: ErasurePlan }> {
    const holdings = await vault.holdings(tx, subjectId);
    const policies = await rules(tx);
    const covered = holdings
      .map((holding) => holding.collection)
      .filter((collection) => coverageOf(collection, policies).length > 0);
    const records = covered.length > 0 ? await vault.recordFacts(tx, subjectId, covered) : [];
    return { holdings, plan: planErasure({ collections: covered, records, policies, now }) };
  }

  /** Records, in the erasure's transaction, until when a minimised subject is kept. */
  async function recordWithin(
    tx: Tx,
    input: { subjectId: string; requestId: string | null; plan: ErasurePlan; now: Date },
  ): Promise<void> {
    const { plan, now } = input;
    if (!plan.retainedUntil || !plan.nextExpiryAt) return;
    await store.upsertRetention(tx, {
      subject_id: input.subjectId,
      request_id: input.requestId,
      retained_until: plan.retainedUntil,
      next_expiry_at: plan.nextExpiryAt,
      summary: JSON.stringify(plan.kept),
      created_at: now,
      updated_at: now,
    });
  }

  /** One due subject: nothing (held, or looked at by another worker), trimmed, or shredded. */
  async function sweepOne(context: AuditContext, subjectId: string): Promise<keyof SweepResult | null> {
    return db.transaction().execute(async (tx) => {
      const now = clock.now();
      const row = await store.lockRetention(tx, subjectId);
      if (!row || row.shredded_at || row.next_expiry_at.getTime() > now.getTime()) return null;
      if ((await holds.activeWithin(tx, subjectId, now)).length > 0) {
        // Looked at again a day later (the sweep runs daily): the hold may have been lifted by then.
        await store.updateRetention(tx, subjectId, { next_expiry_at: new Date(now.getTime() + dayMs) });
        return 'held';
      }
      const { plan } = await planFor(tx, subjectId, now);
      const target = { type: 'subject', id: subjectId };
      if (plan.retained.length === 0) {
        const removed = await vault.shredWithin(tx, subjectId);
        await store.updateRetention(tx, subjectId, { shredded_at: now, updated_at: now });
        await audit.append(tx, context, {
          action: 'retention.subject.shredded',
          outcome: 'success',
          target,
          details: { ...removed, requestId: row.request_id },
        });
        return 'shredded';
      }
      const deleted = await vault.deleteRecordsWithin(
        tx,
        subjectId,
        plan.retained.map((record) => record.id),
      );
      await store.updateRetention(tx, subjectId, {
        retained_until: plan.retainedUntil as Date,
        next_expiry_at: plan.nextExpiryAt as Date,
        summary: JSON.stringify(plan.kept),
        updated_at: now,
      });
      await audit.append(tx, context, {
        action: 'retention.records.expired',
        outcome: 'success',
        target,
        details: {
          records: deleted,
          retained: plan.retained.length,
          retainedUntil: plan.retainedUntil?.toISOString(),
        },
      });
      return 'trimmed';
    });
  }

  /** A subject shredded by other means meanwhile has nothing left to sweep. */
  async function markGone(subjectId: string): Promise<void> {
    const now = clock.now();
    await store.updateRetention(db, subjectId, { shredded_at: now, updated_at: now });
  }

  /**
   * Looks at every subject whose first retention has ended: records no policy keeps any more are deleted,
   * and a subject with nothing left is shredded. Subjects under a legal hold wait for the next sweep.
   */
  async function sweep(context: AuditContext): Promise<SweepResult> {
    const result: SweepResult = { shredded: 0, trimmed: 0, held: 0 };
    const seen = new Set<string>();
    for (;;) {
      const due = (await store.dueRetentions(db, clock.now(), sweepBatch)).filter((id) => !seen.has(id));
      if (due.length === 0) return result;
      for (const subjectId of due) {
        seen.add(subjectId);
        const outcome = await sweepOne(context, subjectId).catch(async (error: unknown) => {
          if (!isAppError(error) || error.code !== 'subject_erased') throw error;
          await markGone(subjectId);
          return null;
        });
        if (outcome) result[outcome] += 1;
      }
    }
  }

  return {
    planFor,
    recordWithin,
    sweep,
    /** Whether the subject is kept under retention after erasure (not yet shredded). */
    keptWithin: async (executor: Executor, subjectId: string): Promise<boolean> => {
      const row = await store.retentionOf(executor, subjectId);
      return row !== undefined && row.shredded_at === null;
    },
    /** The retention a subject is kept under after erasure, if any. */
    of: (subjectId: string): Promise<RetentionRow | undefined> => store.retentionOf(db, subjectId),
  };
}

export type ErasureRetention = ReturnType<typeof erasureRetention>;
