import type { Kysely } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { MailService } from '../mail/mail-service.js';
import type { ErasureRetention } from '../retention/erasure-retention.js';
import type { KeptGroup } from '../retention/retention-tables.js';
import { type LegalHoldReason, legalHoldReasonLabels } from '../retention/retention-types.js';
import type { Masking } from '../vault/masking.js';
import { erasureNotice } from './fulfilment-notices.js';
import type { FulfilmentSteps } from './fulfilment-steps.js';
import { rejectionNotice } from './request-notices.js';
import type { RequestRow } from './request-store.js';
import type { RejectionReason } from './request-types.js';
import type { RequestView } from './request-views.js';
import type { RequestWorkflow, Work } from './request-workflow.js';

type Removed = { records: number; indexes: number; tokens: number };

type Deps = {
  db: Kysely<DB>;
  workflow: RequestWorkflow;
  steps: FulfilmentSteps;
  mail: Pick<MailService, 'enqueue'>;
  retention: Pick<ErasureRetention, 'planFor' | 'recordWithin'>;
  holds: {
    activeWithin(
      executor: Executor,
      subjectId: string,
      at: Date,
    ): Promise<{ id: string; reason: LegalHoldReason; until: Date | null }[]>;
  };
  /** The vault: crypto-shredding, or erasure but for what retention keeps, in the caller's transaction. */
  vault: {
    shredWithin(tx: Tx, subjectId: string): Promise<Removed>;
    minimiseWithin(
      tx: Tx,
      subjectId: string,
      retained: readonly {
        id: string;
        keep: readonly string[];
        anonymize: Readonly<Record<string, Masking>>;
      }[],
    ): Promise<Removed & { retained: number }>;
  };
};

export type ErasureOutcome = {
  request: RequestView;
  /** `shredded`: nothing kept, the data key is gone; `minimised`: records kept under retention. */
  method: 'shredded' | 'minimised';
  removed: Removed;
  kept: KeptGroup[];
  retainedUntil: Date | null;
};

/** The reason a request refused under a legal hold gives the subject. */
const holdRejections: Record<LegalHoldReason, RejectionReason> = {
  litigation: 'legal_claims',
  internal_investigation: 'legal_claims',
  regulatory_investigation: 'legal_obligation',
  law_enforcement: 'legal_obligation',
  tax_audit: 'legal_obligation',
  other: 'legal_obligation',
};

/**
 * Erasure (GDPR Art. 17, CCPA right to delete) in the request's transaction. A subject under a legal hold
 * is refused: the request is rejected with the hold's reason and the subject told why. Otherwise, with no
 * retention policy keeping anything, the subject is crypto-shredded; when some records must be kept, the
 * data key must survive, so every other record, token and blind index is deleted, what is kept is
 * minimised, the subject is restricted, and the retention sweep shreds them once the last period ends.
 * The subject's answer says what was kept and why (Art. 17(3)); systems holding copies are told.
 */
export function erasure({ db, workflow, steps, mail, retention, holds, vault }: Deps) {
  async function refuse(
    work: Work,
    context: AuditContext,
    row: RequestRow,
    active: { id: string; reason: LegalHoldReason; until: Date | null }[],
  ): Promise<AppError> {
    const [first] = active as [(typeof active)[number]];
    const reason = holdRejections[first.reason];
    const legalHolds = active.map((hold) => ({
      id: hold.id,
      reason: hold.reason,
      until: hold.until?.toISOString() ?? null,
    }));
    const contact = workflow.decryptContact(row);
    await workflow.moveTo(work, context, row, 'rejected', {
      changes: { rejection_reason: reason },
      details: { reason, legalHolds: legalHolds.map((hold) => hold.id), subjectNotified: contact !== null },
    });
    if (contact) await mail.enqueue(work.tx, rejectionNotice(row, contact, reason));
    const until = first.until ? ` until ${first.until.toISOString().slice(0, 10)}` : '';
    return new AppError(
      'legal_hold',
      `The subject is under a legal hold (${legalHoldReasonLabels[first.reason]})${until}: their data cannot be erased. The request was rejected and the subject told why.`,
      { extensions: { state: 'rejected', rejectionReason: reason, legalHolds } },
    );
  }

  /** Erases the request's subject, keeping what retention policies require; see above. */
  async function erase(
    context: AuditContext,
    requestId: string,
    input: { note?: string | undefined } = {},
  ): Promise<ErasureOutcome> {
    steps.assertFulfillable(await workflow.found(db, requestId), 'erasure');
    const outcome = await workflow.inTransaction(context, async (work) => {
      const row = await workflow.locked(work.tx, requestId);
      const subjectId = steps.assertFulfillable(row, 'erasure');
      const active = await holds.activeWithin(work.tx, subjectId, work.now);
      if (active.length > 0) return refuse(work, context, row, active);
      const { holdings, plan } = await retention.planFor(work.tx, subjectId, work.now);
      const categories = [
        ...new Set(holdings.flatMap((holding) => holding.collection.fields.map((field) => field.category))),
      ].sort();
      const method: ErasureOutcome['method'] = plan.retained.length === 0 ? 'shredded' : 'minimised';
      // Erasure removes every request's contact address, this one's too: the answer is addressed first.
      const contact = workflow.decryptContact(row);
      const removed =
        method === 'shredded'
          ? await vault.shredWithin(work.tx, subjectId)
          : await vault.minimiseWithin(work.tx, subjectId, plan.retained);
      if (method === 'minimised') {
        await retention.recordWithin(work.tx, { subjectId, requestId, plan, now: work.now });
      }
      const details = {
        method,
        records: removed.records,
        indexes: removed.indexes,
        tokens: removed.tokens,
        retainedRecords: plan.retained.length,
        retainedUntil: plan.retainedUntil?.toISOString() ?? null,
        kept: plan.kept.map(({ collection, records, fields, anonymized, policies }) => ({
          collection,
          records,
          fields,
          anonymized,
          policies: policies.map((policy) => policy.id),
        })),
      };
      await workflow.addEvent(work, context, row, { kind: 'erased', details });
      work.audit.push({
        action: 'request.erasure.applied',
        outcome: 'success',
        target: { type: 'request', id: row.id },
        details: { ...details, subject: subjectId },
      });
      const request = await steps.finish(work, context, row, {
        task: { action: 'erasure', affected: { categories } },
        notice: (to, systems) => erasureNotice(row, to, { kept: plan.kept, systems }),
        details: { erasure: method },
        note: input.note,
        contact,
      });
      return { request, method, removed, kept: plan.kept, retainedUntil: plan.retainedUntil };
    });
    if (outcome instanceof AppError) throw outcome;
    return { ...outcome, request: steps.view(outcome.request) };
  }

  return { erase };
}

export type Erasure = ReturnType<typeof erasure>;
