import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import type { AssessmentTables } from './assessment-tables.js';

export type SettingsRow = Selectable<AssessmentTables['assessment_settings']>;
export type ScreeningRow = Selectable<AssessmentTables['assessment_screenings']>;
export type AssessmentRow = Selectable<AssessmentTables['assessments']>;
export type SignOffRow = Selectable<AssessmentTables['assessment_signoffs']>;
export type VersionRow = Selectable<AssessmentTables['assessment_versions']>;

/** A second DPIA for one activity or screening: two creates raced (migration 0038's unique indexes). */
export function isDuplicateAssessment(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return (
    code === '23505' &&
    (constraint === 'assessments_activity_idx' || constraint === 'assessments_screening_idx')
  );
}

/** Two links of proposals to one activity raced: the screenings' unique activity (migration 0038). */
export function isDuplicateScreening(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === 'assessment_screenings_activity_id_key';
}

/** SQL for screenings, DPIAs, their sign-offs and frozen versions. */
export function assessmentStore() {
  return {
    settings(tx: Executor): Promise<SettingsRow | undefined> {
      return tx.selectFrom('assessment_settings').selectAll().where('id', '=', 'default').executeTakeFirst();
    },
    async saveSettings(
      tx: Executor,
      row: Insertable<AssessmentTables['assessment_settings']>,
    ): Promise<void> {
      await tx
        .insertInto('assessment_settings')
        .values(row)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            chain: row.chain,
            forbid_self_approval: row.forbid_self_approval,
            review_months: row.review_months,
            updated_at: row.updated_at,
          }),
        )
        .execute();
    },

    screenings(tx: Executor): Promise<ScreeningRow[]> {
      return tx.selectFrom('assessment_screenings').selectAll().orderBy('created_at').orderBy('id').execute();
    },
    screening(tx: Executor, id: string): Promise<ScreeningRow | undefined> {
      return tx.selectFrom('assessment_screenings').selectAll().where('id', '=', id).executeTakeFirst();
    },
    lockScreening(tx: Tx, id: string): Promise<ScreeningRow | undefined> {
      return tx
        .selectFrom('assessment_screenings')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
    },
    async deleteScreening(tx: Tx, id: string): Promise<void> {
      await tx.deleteFrom('assessment_screenings').where('id', '=', id).execute();
    },
    screeningOfActivity(tx: Executor, activityId: string): Promise<ScreeningRow | undefined> {
      return tx
        .selectFrom('assessment_screenings')
        .selectAll()
        .where('activity_id', '=', activityId)
        .executeTakeFirst();
    },
    async insertScreening(
      tx: Executor,
      row: Insertable<AssessmentTables['assessment_screenings']>,
    ): Promise<ScreeningRow> {
      return tx.insertInto('assessment_screenings').values(row).returningAll().executeTakeFirstOrThrow();
    },
    /** An activity's first screening; undefined when another process screened it first. */
    insertActivityScreening(
      tx: Executor,
      row: Insertable<AssessmentTables['assessment_screenings']>,
    ): Promise<ScreeningRow | undefined> {
      return tx
        .insertInto('assessment_screenings')
        .values(row)
        .onConflict((oc) => oc.column('activity_id').doNothing())
        .returningAll()
        .executeTakeFirst();
    },
    updateScreening(
      tx: Tx,
      id: string,
      changes: Updateable<AssessmentTables['assessment_screenings']>,
    ): Promise<ScreeningRow> {
      return tx
        .updateTable('assessment_screenings')
        .set(changes)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    async insert(tx: Executor, row: Insertable<AssessmentTables['assessments']>): Promise<AssessmentRow> {
      return tx.insertInto('assessments').values(row).returningAll().executeTakeFirstOrThrow();
    },
    ofScreening(tx: Executor, screeningId: string): Promise<AssessmentRow | undefined> {
      return tx
        .selectFrom('assessments')
        .selectAll()
        .where('screening_id', '=', screeningId)
        .executeTakeFirst();
    },
    find(tx: Executor, id: string): Promise<AssessmentRow | undefined> {
      return tx.selectFrom('assessments').selectAll().where('id', '=', id).executeTakeFirst();
    },
    lock(tx: Tx, id: string): Promise<AssessmentRow | undefined> {
      return tx.selectFrom('assessments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },
    update(tx: Tx, id: string, changes: Updateable<AssessmentTables['assessments']>): Promise<AssessmentRow> {
      return tx
        .updateTable('assessments')
        .set(changes)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    list(tx: Executor, activityId?: string): Promise<AssessmentRow[]> {
      let query = tx.selectFrom('assessments').selectAll();
      if (activityId) query = query.where('activity_id', '=', activityId);
      return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1000).execute();
    },
    /** Approved DPIAs whose review falls by `by` and was not reminded of yet. */
    reviewsDue(tx: Executor, by: string): Promise<AssessmentRow[]> {
      return tx
        .selectFrom('assessments')
        .selectAll()
        .where('status', '=', 'approved')
        .where('review_due', '<=', by)
        .where((eb) =>
          eb.or([
            eb('review_reminded_for', 'is', null),
            eb('review_reminded_for', '<>', eb.ref('review_due')),
          ]),
        )
        .limit(500)
        .execute();
    },

    async insertSignOff(tx: Tx, row: Insertable<AssessmentTables['assessment_signoffs']>): Promise<void> {
      await tx.insertInto('assessment_signoffs').values(row).execute();
    },
    signOffs(tx: Executor, assessmentId: string): Promise<SignOffRow[]> {
      return tx
        .selectFrom('assessment_signoffs')
        .selectAll()
        .where('assessment_id', '=', assessmentId)
        .orderBy('seq')
        .execute();
    },

    async insertVersion(tx: Tx, row: Insertable<AssessmentTables['assessment_versions']>): Promise<void> {
      await tx.insertInto('assessment_versions').values(row).execute();
    },
    versions(tx: Executor, assessmentId: string): Promise<VersionRow[]> {
      return tx
        .selectFrom('assessment_versions')
        .selectAll()
        .where('assessment_id', '=', assessmentId)
        .orderBy('version')
        .execute();
    },
  };
}

export type AssessmentStore = ReturnType<typeof assessmentStore>;
