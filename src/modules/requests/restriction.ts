import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { InventorySystems } from '../inventory/inventory-systems.js';
import type { MailService } from '../mail/mail-service.js';
import type { DirectMessages } from '../notifications/webhook-direct.js';
import { restrictionLiftedNotice, restrictionNotice } from './fulfilment-notices.js';
import type { FulfilmentSteps } from './fulfilment-steps.js';
import type { FulfilmentStore } from './fulfilment-store.js';
import type { LiftReason, RestrictionGround } from './request-types.js';
import type { RequestView } from './request-views.js';
import type { RequestWorkflow } from './request-workflow.js';

type Deps = {
  db: Kysely<DB>;
  workflow: RequestWorkflow;
  steps: FulfilmentSteps;
  store: FulfilmentStore;
  mail: Pick<MailService, 'enqueue'>;
  systems: Pick<InventorySystems, 'relevantWithin'>;
  direct: Pick<DirectMessages, 'send'>;
  /** The vault: the subject's status, and the data categories they hold (no values read). */
  vault: {
    setRestricted(tx: Tx, subjectId: string, restricted: boolean): Promise<unknown>;
    holdings(
      executor: Executor,
      subjectId: string,
    ): Promise<{ collection: { fields: readonly { category: string }[] } }[]>;
  };
  /** Whether erasure keeps the subject under retention (then the restriction stays until shredding). */
  retention: { keptWithin(executor: Executor, subjectId: string): Promise<boolean> };
  /** Forgets this process's cached consent state of subjects (other processes hear the status trigger). */
  forgetConsent: (subjectIds: string[]) => void;
};

async function categoriesHeld(vault: Deps['vault'], tx: Executor, subjectId: string): Promise<string[]> {
  const holdings = await vault.holdings(tx, subjectId);
  return [
    ...new Set(holdings.flatMap((holding) => holding.collection.fields.map((field) => field.category))),
  ].sort();
}

/**
 * Restriction of processing (GDPR Art. 18). The subject is marked restricted in the vault: their records
 * are then read only for the `restricted_processing` purpose, and consent checks allow no purpose (the
 * data is only stored). Systems holding copies are told. Lifting is an action of its own, with a reason,
 * audited, told to the subject and to the systems.
 */
export function restriction({
  db,
  workflow,
  steps,
  store,
  mail,
  systems,
  direct,
  vault,
  retention,
  forgetConsent,
}: Deps) {
  async function restrict(
    context: AuditContext,
    requestId: string,
    input: { ground: RestrictionGround; note?: string | undefined },
  ): Promise<RequestView> {
    const subjectId = steps.assertFulfillable(await workflow.found(db, requestId), 'restriction');
    const request = await workflow.inTransaction(context, async (work) => {
      const row = await workflow.locked(work.tx, requestId);
      steps.assertFulfillable(row, 'restriction');
      await vault.setRestricted(work.tx, subjectId, true);
      await store.insertRestriction(work.tx, {
        id: randomUUID(),
        subject_id: subjectId,
        request_id: row.id,
        ground: input.ground,
        placed_at: work.now,
      });
      const details = { ground: input.ground };
      await workflow.addEvent(work, context, row, { kind: 'restricted', details });
      work.audit.push({
        action: 'request.restriction.applied',
        outcome: 'success',
        target: { type: 'request', id: row.id },
        details: { ...details, subject: subjectId },
      });
      return steps.finish(work, context, row, {
        task: {
          action: 'restriction',
          affected: { categories: await categoriesHeld(vault, work.tx, subjectId) },
        },
        notice: (to, sent) => restrictionNotice(row, to, { systems: sent }),
        note: input.note,
      });
    });
    forgetConsent([subjectId]);
    return steps.view(request);
  }

  /**
   * Lifts a subject's restriction (GDPR Art. 18(3)): the subject is told, on the request that asked for
   * it, and so are the systems holding copies. A subject kept under retention after erasure stays
   * restricted until the retention sweep shreds them.
   */
  async function lift(
    context: AuditContext,
    subjectId: string,
    input: { reason: LiftReason; note?: string | undefined },
  ): Promise<{ subjectId: string; lifted: number; systems: number }> {
    const outcome = await workflow.inTransaction(context, async (work) => {
      const active = await store.lockActiveRestrictions(work.tx, subjectId);
      if (active.length === 0) {
        throw new AppError('conflict', 'This subject has no restriction in force to lift.');
      }
      if (await retention.keptWithin(work.tx, subjectId)) {
        throw new AppError(
          'conflict',
          'This subject was erased but for data kept under retention; it stays restricted until it is shredded.',
        );
      }
      await vault.setRestricted(work.tx, subjectId, false);
      await store.liftRestrictions(
        work.tx,
        active.map((row) => row.id),
        {
          lifted_at: work.now,
          lift_reason: input.reason,
          lifted_by_type: context.actor.type,
          lifted_by_id: context.actor.id,
        },
      );
      for (const requestId of new Set(active.flatMap((row) => (row.request_id ? [row.request_id] : [])))) {
        const request = await workflow.found(work.tx, requestId);
        await workflow.addEvent(work, context, request, {
          kind: 'restriction_lifted',
          details: { reason: input.reason },
          note: input.note,
        });
        const contact = workflow.decryptContact(request);
        if (contact) await mail.enqueue(work.tx, restrictionLiftedNotice(request, contact, input.reason));
      }
      const categories = await categoriesHeld(vault, work.tx, subjectId);
      const relevant = await systems.relevantWithin(work.tx, categories);
      for (const system of relevant) {
        await direct.send(work.tx, system.endpointId, 'downstream.restriction_lifted', {
          data: {
            subjectId,
            systemId: system.id,
            reason: input.reason,
            dataCategories: system.dataCategories,
          },
        });
      }
      work.audit.push({
        action: 'request.restriction.lifted',
        outcome: 'success',
        target: { type: 'subject', id: subjectId },
        details: {
          reason: input.reason,
          restrictions: active.length,
          systems: relevant.map((system) => system.id),
        },
      });
      return { subjectId, lifted: active.length, systems: relevant.length };
    });
    forgetConsent([subjectId]);
    return outcome;
  }

  return { restrict, lift };
}

export type Restriction = ReturnType<typeof restriction>;
