import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { SealedBox } from '../../lib/sealed-box.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { PersonalDataPlace } from '../vault/personal-data.js';
import type { LegalHoldRow, RetentionStore } from './retention-store.js';
import type { LegalHoldReason } from './retention-types.js';

type Deps = {
  db: Kysely<DB>;
  store: RetentionStore;
  audit: AuditWriter;
  clock: Clock;
  /** Seals operators' notes on holds (AES-256-GCM under the retention key). */
  box: SealedBox;
  /** Checks that a vault subject exists and is not erased. */
  subjects: { getSubject(id: string): Promise<unknown> };
};

/** A hold as the API shows it: its note opened, and whether it is in force now. */
export type LegalHoldView = LegalHoldRow & { note: string | null; active: boolean };

const noteAad = (holdId: string) => `custos.legal-hold.note.v1:${holdId}`;

export function isActiveHold(row: Pick<LegalHoldRow, 'lifted_at' | 'until'>, at: Date): boolean {
  return row.lifted_at === null && (row.until === null || row.until.getTime() > at.getTime());
}

/**
 * Legal holds: a subject whose data must be kept (litigation, an investigation, an audit) is not erased
 * while a hold is in force; an erasure request is refused with the hold's reason. Holds end when lifted
 * or at their `until`. Placing and lifting are audited with the reason code, never the note.
 */
export function legalHolds({ db, store, audit, clock, box, subjects }: Deps) {
  const target = (id: string) => ({ type: 'legal_hold', id });

  function viewOf(row: LegalHoldRow, at: Date): LegalHoldView {
    return {
      ...row,
      note: row.note_sealed ? box.open(row.note_sealed, noteAad(row.id)).toString('utf8') : null,
      active: isActiveHold(row, at),
    };
  }

  async function place(
    context: AuditContext,
    subjectId: string,
    input: { reason: LegalHoldReason; note?: string | undefined; until?: Date | undefined },
  ): Promise<LegalHoldView> {
    await subjects.getSubject(subjectId);
    const now = clock.now();
    if (input.until && input.until.getTime() <= now.getTime()) {
      throw new AppError('validation_failed', 'A hold must end in the future.', {
        errors: [{ in: 'body', path: 'until', message: 'must be in the future' }],
      });
    }
    const id = randomUUID();
    const row: LegalHoldRow = {
      id,
      subject_id: subjectId,
      reason: input.reason,
      note_sealed: input.note ? box.seal(Buffer.from(input.note, 'utf8'), noteAad(id)) : null,
      until: input.until ?? null,
      placed_at: now,
      placed_by_type: context.actor.type,
      placed_by_id: context.actor.id,
      lifted_at: null,
      lifted_by_type: null,
      lifted_by_id: null,
    };
    await db.transaction().execute(async (tx) => {
      await store.insertHold(tx, row);
      await audit.append(tx, context, {
        action: 'retention.legal_hold.placed',
        outcome: 'success',
        target: target(id),
        details: { subject: subjectId, reason: input.reason, until: input.until?.toISOString() ?? null },
      });
    });
    return viewOf(row, now);
  }

  /** Lifts a hold in force; the subject's erasure may proceed again (the retention sweep included). */
  async function lift(context: AuditContext, holdId: string): Promise<LegalHoldView> {
    return db.transaction().execute(async (tx) => {
      const row = await store.lockHold(tx, holdId);
      if (!row) throw new AppError('not_found', 'No legal hold with this id.');
      const now = clock.now();
      if (!isActiveHold(row, now)) {
        throw new AppError('conflict', 'This legal hold is no longer in force.', {
          extensions: {
            liftedAt: row.lifted_at?.toISOString() ?? null,
            until: row.until?.toISOString() ?? null,
          },
        });
      }
      const lifted = { lifted_at: now, lifted_by_type: context.actor.type, lifted_by_id: context.actor.id };
      await store.liftHold(tx, holdId, lifted);
      await audit.append(tx, context, {
        action: 'retention.legal_hold.lifted',
        outcome: 'success',
        target: target(holdId),
        details: { subject: row.subject_id, reason: row.reason },
      });
      return viewOf({ ...row, ...lifted }, now);
    });
  }

  return {
    place,
    lift,
    /** The holds in force on a subject at `at`, read in the caller's transaction. */
    activeWithin: (executor: Executor, subjectId: string, at: Date) =>
      store.activeHolds(executor, subjectId, at),
    /** Where holds keep personal data: their notes, removed once a hold no longer stops erasure. */
    personalData: {
      name: 'legal_hold_notes',
      onErasure: 'notes of holds no longer in force removed (the hold, its reason and dates stay)',
      erase: (tx: Tx, subjectId: string) => store.clearEndedHoldNotes(tx, subjectId, clock.now()),
    } satisfies PersonalDataPlace,
    /** Every hold a subject had, newest first, notes opened. */
    of: async (subjectId: string): Promise<LegalHoldView[]> => {
      const now = clock.now();
      return (await store.holdsOf(db, subjectId)).map((row) => viewOf(row, now));
    },
  };
}

export type LegalHolds = ReturnType<typeof legalHolds>;
