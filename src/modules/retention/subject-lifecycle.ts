import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { RetentionRunStore } from './retention-run-store.js';

type Deps = {
  db: Kysely<DB>;
  store: RetentionRunStore;
  audit: AuditWriter;
  clock: Clock;
  /** Answers 404 for an unknown subject and 410 for an erased one. */
  subjects: { getSubject(id: string): Promise<unknown> };
};

/**
 * What the application tells Custos about a subject for retention triggers: activity (stored at most once
 * a day, so reporting it on every request costs one cheap statement) and the end of the relationship
 * (audited: it starts the periods of rules counting from it).
 */
export function subjectLifecycle({ db, store, audit, clock, subjects }: Deps) {
  async function activity(subjectId: string): Promise<void> {
    await subjects.getSubject(subjectId);
    await store.recordSubjectEvent(db, subjectId, 'activity', clock.now());
  }

  async function relationshipEnded(context: AuditContext, subjectId: string): Promise<Date> {
    await subjects.getSubject(subjectId);
    const now = clock.now();
    await db.transaction().execute(async (tx) => {
      await store.recordSubjectEvent(tx, subjectId, 'relationship_ended', now);
      await audit.append(tx, context, {
        action: 'retention.subject.relationship_ended',
        outcome: 'success',
        target: { type: 'subject', id: subjectId },
      });
    });
    return now;
  }

  return { activity, relationshipEnded };
}

export type SubjectLifecycle = ReturnType<typeof subjectLifecycle>;
