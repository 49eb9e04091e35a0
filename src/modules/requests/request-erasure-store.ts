import type { Executor } from '../../db/database.js';

/** Counts the rows an UPDATE or DELETE touched. */
const touched = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }) =>
  Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0);

/**
 * SQL that removes what the requests module holds about one subject, across all their requests: the
 * statements the module's personal-data places run when the subject is erased.
 */
export function requestErasureStore() {
  const requestsOf = (tx: Executor, subjectId: string) =>
    tx.selectFrom('data_subject_requests').select('id').where('subject_id', '=', subjectId);

  return {
    /** Ids of the subject's requests (the mail they were sent is found by these). */
    async requestIdsOf(tx: Executor, subjectId: string): Promise<string[]> {
      return (await requestsOf(tx, subjectId).execute()).map((row) => row.id);
    },
    async clearContacts(tx: Executor, subjectId: string): Promise<number> {
      const result = await tx
        .updateTable('data_subject_requests')
        .set({ contact_sealed: null, corrections_sealed: null })
        .where('subject_id', '=', subjectId)
        .where((eb) =>
          eb.or([eb('contact_sealed', 'is not', null), eb('corrections_sealed', 'is not', null)]),
        )
        .executeTakeFirst();
      return touched(result);
    },
    /** The timeline's only permitted UPDATE (migration 0020_erasure_reach): erasing notes. */
    async clearNotes(tx: Executor, subjectId: string): Promise<number> {
      const result = await tx
        .updateTable('request_events')
        .set({ note_sealed: null })
        .where('request_id', 'in', requestsOf(tx, subjectId))
        .where('note_sealed', 'is not', null)
        .executeTakeFirst();
      return touched(result);
    },
    /** Removes the files; the rows stay until they expire, so their links answer 410. */
    async eraseExports(tx: Executor, subjectId: string, at: Date): Promise<number> {
      const result = await tx
        .updateTable('request_exports')
        .set({ sealed: null, erased_at: at })
        .where('request_id', 'in', requestsOf(tx, subjectId))
        .where('sealed', 'is not', null)
        .executeTakeFirst();
      return touched(result);
    },
    async deleteVerificationCodes(tx: Executor, subjectId: string): Promise<number> {
      const result = await tx
        .deleteFrom('request_verification_codes')
        .where('request_id', 'in', requestsOf(tx, subjectId))
        .executeTakeFirst();
      return touched(result);
    },
    async clearTaskAnswers(tx: Executor, subjectId: string): Promise<number> {
      const result = await tx
        .updateTable('request_system_tasks')
        .set({ detail_sealed: null })
        .where('request_id', 'in', requestsOf(tx, subjectId))
        .where('detail_sealed', 'is not', null)
        .executeTakeFirst();
      return touched(result);
    },
    async clearDrpClaims(tx: Executor, subjectId: string): Promise<number> {
      const result = await tx
        .updateTable('drp_requests')
        .set({ claims_sealed: null })
        .where('request_id', 'in', requestsOf(tx, subjectId))
        .where('claims_sealed', 'is not', null)
        .executeTakeFirst();
      return touched(result);
    },
  };
}

export type RequestErasureStore = ReturnType<typeof requestErasureStore>;
