import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { AccountabilityTables } from './accountability-tables.js';

type T = AccountabilityTables;
export type PolicyRow = Selectable<T['accountability_policies']>;
export type AcknowledgmentRow = Selectable<T['accountability_policy_acknowledgments']>;
export type CourseRow = Selectable<T['accountability_courses']>;
export type CompletionRow = Selectable<T['accountability_completions']>;
export type ExternalAuditRow = Selectable<T['accountability_audits']>;
export type FindingRow = Selectable<T['accountability_findings']>;
export type AccessReviewRow = Selectable<T['accountability_access_reviews']>;
export type ReviewItemRow = Selectable<T['accountability_access_review_items']>;

/** How many rows a register list answers at most; registers hold tens to hundreds of entries. */
export const registerLimit = 1000;

/** A page of a register list: after this sort key (exclusive), at most `limit` rows. */
export type TitlePage = { after?: { text: string; id: string } | undefined; limit: number };
export type TimePage = { after?: { at: Date; id: string } | undefined; limit: number };
const afterTitle = (page: TitlePage | undefined) =>
  page?.after ? sql<boolean>`(title, id) > (${page.after.text}, ${page.after.id})` : sql<boolean>`true`;
const beforeTime = (column: string, page: TimePage | undefined) =>
  page?.after
    ? sql<boolean>`(${sql.ref(column)}, id) < (${page.after.at}, ${page.after.id})`
    : sql<boolean>`true`;

/** SQL for the accountability registers. */
export function accountabilityStore() {
  return {
    /** Policies by title; a page of them when `page` is given. */
    listPolicies(tx: Executor, page?: TitlePage): Promise<PolicyRow[]> {
      return tx
        .selectFrom('accountability_policies')
        .selectAll()
        .where(afterTitle(page))
        .orderBy('title')
        .orderBy('id')
        .limit(page?.limit ?? registerLimit)
        .execute();
    },
    findPolicy(tx: Executor, id: string): Promise<PolicyRow | undefined> {
      return tx.selectFrom('accountability_policies').selectAll().where('id', '=', id).executeTakeFirst();
    },
    findPolicyByTitle(tx: Executor, title: string): Promise<PolicyRow | undefined> {
      return tx
        .selectFrom('accountability_policies')
        .selectAll()
        .where(sql`lower(title)`, '=', title.toLowerCase())
        .executeTakeFirst();
    },
    insertPolicy(tx: Executor, row: Insertable<T['accountability_policies']>): Promise<PolicyRow> {
      return tx.insertInto('accountability_policies').values(row).returningAll().executeTakeFirstOrThrow();
    },
    updatePolicy(
      tx: Executor,
      id: string,
      changes: Updateable<T['accountability_policies']>,
    ): Promise<PolicyRow | undefined> {
      return tx
        .updateTable('accountability_policies')
        .set(changes)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },
    async deletePolicy(tx: Executor, id: string): Promise<boolean> {
      const result = await tx.deleteFrom('accountability_policies').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    /** Inserts an acknowledgment; false when this operator already acknowledged this version. */
    async acknowledge(tx: Executor, row: Insertable<T['accountability_policy_acknowledgments']>) {
      const result = await tx
        .insertInto('accountability_policy_acknowledgments')
        .values(row)
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    acknowledgments(tx: Executor, policyIds: string[]): Promise<AcknowledgmentRow[]> {
      if (policyIds.length === 0) return Promise.resolve([]);
      return tx
        .selectFrom('accountability_policy_acknowledgments')
        .selectAll()
        .where('policy_id', 'in', policyIds)
        .execute();
    },

    /** Courses by title; a page of them when `page` is given. */
    listCourses(tx: Executor, page?: TitlePage): Promise<CourseRow[]> {
      return tx
        .selectFrom('accountability_courses')
        .selectAll()
        .where(afterTitle(page))
        .orderBy('title')
        .orderBy('id')
        .limit(page?.limit ?? registerLimit)
        .execute();
    },
    findCourse(tx: Executor, id: string): Promise<CourseRow | undefined> {
      return tx.selectFrom('accountability_courses').selectAll().where('id', '=', id).executeTakeFirst();
    },
    findCourseByTitle(tx: Executor, title: string): Promise<CourseRow | undefined> {
      return tx
        .selectFrom('accountability_courses')
        .selectAll()
        .where(sql`lower(title)`, '=', title.toLowerCase())
        .executeTakeFirst();
    },
    insertCourse(tx: Executor, row: Insertable<T['accountability_courses']>): Promise<CourseRow> {
      return tx.insertInto('accountability_courses').values(row).returningAll().executeTakeFirstOrThrow();
    },
    updateCourse(
      tx: Executor,
      id: string,
      changes: Updateable<T['accountability_courses']>,
    ): Promise<CourseRow | undefined> {
      return tx
        .updateTable('accountability_courses')
        .set(changes)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },
    async deleteCourse(tx: Executor, id: string): Promise<boolean> {
      const result = await tx.deleteFrom('accountability_courses').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    /** Inserts a completion; undefined when the same completion (course, operator, time) is recorded. */
    insertCompletion(
      tx: Executor,
      row: Insertable<T['accountability_completions']>,
    ): Promise<CompletionRow | undefined> {
      return tx
        .insertInto('accountability_completions')
        .values(row)
        .onConflict((oc) => oc.columns(['course_id', 'operator_id', 'completed_at']).doNothing())
        .returningAll()
        .executeTakeFirst();
    },
    /** Completions, newest first; a page of them when `page` is given. */
    completions(tx: Executor, courseId?: string, page?: TimePage): Promise<CompletionRow[]> {
      let query = tx.selectFrom('accountability_completions').selectAll();
      if (courseId) query = query.where('course_id', '=', courseId);
      return query
        .where(beforeTime('completed_at', page))
        .orderBy('completed_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page?.limit ?? 10 * registerLimit)
        .execute();
    },
    /** Completions expiring by `until` not reminded yet, oldest expiry first. */
    expiringUnreminded(tx: Executor, until: Date, limit: number): Promise<CompletionRow[]> {
      return tx
        .selectFrom('accountability_completions')
        .selectAll()
        .where('reminded_at', 'is', null)
        .where('expires_at', 'is not', null)
        .where('expires_at', '<=', until)
        .orderBy('expires_at')
        .limit(limit)
        .execute();
    },
    /** Marks a completion reminded; false when another worker did it first. */
    async markReminded(tx: Executor, id: string, at: Date): Promise<boolean> {
      const result = await tx
        .updateTable('accountability_completions')
        .set({ reminded_at: at })
        .where('id', '=', id)
        .where('reminded_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** Audits, latest start first; a page of them when `page` is given. */
    listAudits(tx: Executor, page?: TimePage): Promise<ExternalAuditRow[]> {
      return tx
        .selectFrom('accountability_audits')
        .selectAll()
        .where(beforeTime('started_at', page))
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page?.limit ?? registerLimit)
        .execute();
    },
    findAudit(tx: Executor, id: string): Promise<ExternalAuditRow | undefined> {
      return tx.selectFrom('accountability_audits').selectAll().where('id', '=', id).executeTakeFirst();
    },
    insertAudit(tx: Executor, row: Insertable<T['accountability_audits']>): Promise<ExternalAuditRow> {
      return tx.insertInto('accountability_audits').values(row).returningAll().executeTakeFirstOrThrow();
    },
    updateAudit(
      tx: Executor,
      id: string,
      changes: Updateable<T['accountability_audits']>,
    ): Promise<ExternalAuditRow | undefined> {
      return tx
        .updateTable('accountability_audits')
        .set(changes)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },
    findings(tx: Executor, auditId?: string): Promise<FindingRow[]> {
      let query = tx.selectFrom('accountability_findings').selectAll();
      if (auditId) query = query.where('audit_id', '=', auditId);
      return query
        .orderBy('created_at')
        .limit(10 * registerLimit)
        .execute();
    },
    /** Every finding of these audits, oldest first. */
    findingsOf(tx: Executor, auditIds: string[]): Promise<FindingRow[]> {
      if (auditIds.length === 0) return Promise.resolve([]);
      return tx
        .selectFrom('accountability_findings')
        .selectAll()
        .where('audit_id', 'in', auditIds)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },
    findFinding(tx: Executor, id: string): Promise<FindingRow | undefined> {
      return tx.selectFrom('accountability_findings').selectAll().where('id', '=', id).executeTakeFirst();
    },
    insertFinding(tx: Executor, row: Insertable<T['accountability_findings']>): Promise<FindingRow> {
      return tx.insertInto('accountability_findings').values(row).returningAll().executeTakeFirstOrThrow();
    },
    updateFinding(
      tx: Executor,
      id: string,
      changes: Updateable<T['accountability_findings']>,
    ): Promise<FindingRow | undefined> {
      return tx
        .updateTable('accountability_findings')
        .set(changes)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },

    /** Access reviews, newest first; a page of them when `page` is given. */
    listReviews(tx: Executor, page?: TimePage): Promise<AccessReviewRow[]> {
      return tx
        .selectFrom('accountability_access_reviews')
        .selectAll()
        .where(beforeTime('created_at', page))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page?.limit ?? registerLimit)
        .execute();
    },
    findReview(tx: Executor, id: string): Promise<AccessReviewRow | undefined> {
      return tx
        .selectFrom('accountability_access_reviews')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
    },
    lockReview(tx: Executor, id: string): Promise<AccessReviewRow | undefined> {
      return tx
        .selectFrom('accountability_access_reviews')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
    },
    insertReview(
      tx: Executor,
      row: Insertable<T['accountability_access_reviews']>,
    ): Promise<AccessReviewRow> {
      return tx
        .insertInto('accountability_access_reviews')
        .values(row)
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    async insertReviewItems(tx: Executor, rows: Insertable<T['accountability_access_review_items']>[]) {
      if (rows.length > 0) await tx.insertInto('accountability_access_review_items').values(rows).execute();
    },
    completeReview(tx: Executor, id: string, at: Date, by: string | null) {
      return tx
        .updateTable('accountability_access_reviews')
        .set({ status: 'completed', completed_at: at, completed_by: by })
        .where('id', '=', id)
        .where('status', '=', 'open')
        .returningAll()
        .executeTakeFirst();
    },
    reviewItems(tx: Executor, reviewId: string): Promise<ReviewItemRow[]> {
      return tx
        .selectFrom('accountability_access_review_items')
        .selectAll()
        .where('review_id', '=', reviewId)
        .orderBy('principal_type', 'desc')
        .orderBy('label')
        .execute();
    },
    findReviewItem(tx: Executor, reviewId: string, itemId: string): Promise<ReviewItemRow | undefined> {
      return tx
        .selectFrom('accountability_access_review_items')
        .selectAll()
        .where('review_id', '=', reviewId)
        .where('id', '=', itemId)
        .executeTakeFirst();
    },
    decideItem(
      tx: Executor,
      itemId: string,
      changes: Pick<ReviewItemRow, 'decision' | 'decided_by' | 'decided_at' | 'note'>,
    ): Promise<ReviewItemRow | undefined> {
      return tx
        .updateTable('accountability_access_review_items')
        .set(changes)
        .where('id', '=', itemId)
        .returningAll()
        .executeTakeFirst();
    },
    /** Items of each review still without a decision. */
    async undecidedCounts(tx: Executor): Promise<Map<string, { total: number; undecided: number }>> {
      const rows = await tx
        .selectFrom('accountability_access_review_items')
        .select([
          'review_id',
          sql<number>`count(*)::int`.as('total'),
          sql<number>`count(*) filter (where decision is null)::int`.as('undecided'),
        ])
        .groupBy('review_id')
        .execute();
      return new Map(rows.map((row) => [row.review_id, { total: row.total, undecided: row.undecided }]));
    },
  };
}

export type AccountabilityStore = ReturnType<typeof accountabilityStore>;
