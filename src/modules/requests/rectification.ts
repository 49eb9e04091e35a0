import type { Kysely } from 'kysely';
import type { Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError, type FieldError, isAppError } from '../../lib/app-error.js';
import type { AuditContext } from '../audit/audit-types.js';
import { rectificationNotice } from './fulfilment-notices.js';
import type { FulfilmentSteps } from './fulfilment-steps.js';
import { fulfilmentPurpose } from './request-exports.js';
import type { RequestView } from './request-views.js';
import type { RequestedCorrection, RequestWorkflow } from './request-workflow.js';

/** One record to correct: the fields to set (null clears an optional one). */
export type Correction = { recordId: string; fields: Record<string, unknown> };

export type CorrectedRecord = { recordId: string; collection: string; fields: string[] };

type CollectionLike = { name: string; fields: readonly { name: string; category: string }[] };

type Deps = {
  db: Kysely<DB>;
  workflow: RequestWorkflow;
  steps: FulfilmentSteps;
  /** The vault: a record updated inside the caller's transaction, validated against its collection. */
  records: {
    updateRecordWithin(
      tx: Tx,
      recordId: string,
      input: Record<string, unknown>,
      subjectId?: string,
    ): Promise<{ record: { collection: string }; fields: string[] }>;
  };
  collections: { list(): Promise<CollectionLike[]> };
};

/** A correction's problems as field errors under `corrections.<index>`; other failures are rethrown. */
function problemsOf(error: unknown, index: number): FieldError[] {
  const at = `corrections.${index}`;
  if (isAppError(error) && error.code === 'validation_failed' && error.errors) {
    return error.errors.map((problem) => ({ ...problem, path: `${at}.${problem.path}` }));
  }
  if (isAppError(error) && error.code === 'not_found') {
    return [{ in: 'body', path: `${at}.recordId`, message: 'is not a record of the request’s subject' }];
  }
  throw error;
}

/** The data categories of the corrected fields, for telling the systems that hold copies. */
function categoriesOf(corrected: CorrectedRecord[], collections: CollectionLike[]): string[] {
  const byName = new Map(collections.map((collection) => [collection.name, collection]));
  const categories = corrected.flatMap((record) =>
    (byName.get(record.collection)?.fields ?? [])
      .filter((field) => record.fields.includes(field.name))
      .map((field) => field.category),
  );
  return [...new Set(categories)].sort();
}

/**
 * Rectification (GDPR Art. 16, CCPA right to correct): corrections validated against each record's
 * collection and applied through the vault in the request's transaction — all of them or none, with one
 * error per bad field across all corrections, never repeating a value. Audited with record ids and field
 * names; systems holding copies of the corrected categories are told (Art. 19).
 */
export function rectification({ db, workflow, steps, records, collections }: Deps) {
  async function rectify(
    context: AuditContext,
    requestId: string,
    input: { corrections: Correction[]; note?: string | undefined },
  ): Promise<{ request: RequestView; corrected: CorrectedRecord[] }> {
    steps.assertFulfillable(await workflow.found(db, requestId), 'rectification');
    // Read before the transaction: PGlite has one connection, and the transaction holds it.
    const definitions = await collections.list();
    const outcome = await workflow.inTransaction(context, async (work) => {
      const row = await workflow.locked(work.tx, requestId);
      const subjectId = steps.assertFulfillable(row, 'rectification');
      const errors: FieldError[] = [];
      const corrected: CorrectedRecord[] = [];
      for (const [index, correction] of input.corrections.entries()) {
        try {
          const applied = await records.updateRecordWithin(
            work.tx,
            correction.recordId,
            correction.fields,
            subjectId,
          );
          corrected.push({
            recordId: correction.recordId,
            collection: applied.record.collection,
            fields: applied.fields,
          });
        } catch (error) {
          errors.push(...problemsOf(error, index));
        }
      }
      if (errors.length > 0) {
        throw new AppError('validation_failed', `${errors.length} field(s) of the corrections do not fit.`, {
          errors,
        });
      }
      const details = { records: corrected };
      await workflow.addEvent(work, context, row, { kind: 'rectified', details });
      work.audit.push({
        action: 'request.rectification.applied',
        outcome: 'success',
        target: { type: 'request', id: row.id },
        details: { ...details, subject: subjectId },
      });
      const fieldNames = [
        ...new Set(
          corrected.flatMap((record) => record.fields.map((field) => `${record.collection}.${field}`)),
        ),
      ];
      const request = await steps.finish(work, context, row, {
        task: {
          action: 'rectification',
          affected: { categories: categoriesOf(corrected, definitions), records: corrected },
        },
        notice: (to, systems) => rectificationNotice(row, to, { fields: fieldNames, systems }),
        note: input.note,
      });
      return { request, corrected };
    });
    return { request: steps.view(outcome.request), corrected: outcome.corrected };
  }

  /**
   * What the subject asked to have corrected (the privacy center), in clear for the team working the
   * request; an empty list when they named nothing or the request has closed. The read is audited with the
   * field names only.
   */
  async function requested(context: AuditContext, requestId: string): Promise<RequestedCorrection[]> {
    const row = await workflow.found(db, requestId);
    const corrections = workflow.decryptCorrections(row) ?? [];
    if (corrections.length === 0) return [];
    await workflow.inTransaction(context, async (work) => {
      work.audit.push({
        action: 'request.corrections.read',
        outcome: 'success',
        target: { type: 'request', id: row.id },
        purpose: fulfilmentPurpose,
        details: {
          ...(row.subject_id ? { subject: row.subject_id } : {}),
          fields: corrections.flatMap((correction) =>
            Object.keys(correction.fields).map((field) => `${correction.collection}.${field}`),
          ),
        },
      });
    });
    return corrections;
  }

  return { rectify, requested };
}

export type Rectification = ReturnType<typeof rectification>;
