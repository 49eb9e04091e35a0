import { randomUUID } from 'node:crypto';
import { AppError } from '../../lib/app-error.js';
import { pageOf, timeIdCursor } from '../../lib/paging.js';
import {
  type Grantor,
  type GrantRefusal,
  grantRefused,
  operatorChangeRefusal,
  permissionGrantRefusal,
} from '../access/grant-policy.js';
import { isPermission, isRole } from '../access/permissions.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { AccessReviewRow, ReviewItemRow } from './accountability-store.js';
import type { ReviewDecision } from './accountability-tables.js';
import type { RegisterDeps } from './registers-common.js';

/** One holder of access as the access module lists it now. */
export type ReviewPrincipal = {
  type: 'operator' | 'api_key';
  id: string;
  label: string;
  roles: string[];
  permissions: string[];
  lastUsedAt: Date | null;
};

/** What revoking needs of the access module: its own services, which audit what they do. */
export type AccessRevocation = {
  principals: () => Promise<ReviewPrincipal[]>;
  /** Disables an operator; false when they were disabled already. */
  disableOperator: (context: AuditContext, grantor: Grantor, id: string) => Promise<boolean>;
  /** Revokes an API key; false when it was revoked already. */
  revokeApiKey: (context: AuditContext, id: string) => Promise<boolean>;
};

type Deps = RegisterDeps & { access: AccessRevocation; record: AuditWriter['record'] };

export type ReviewView = AccessReviewRow & { items: number; undecided: number };

/**
 * Access-review campaigns: a snapshot of every operator and API key with their roles, permissions and last
 * use; reviewers confirm or revoke each; the campaign completes when every item is decided. Revoking goes
 * through the access module and follows its grant policy: nobody revokes access they could not grant.
 */
export function accessReviews({ db, store, audit, clock, access, record }: Deps) {
  async function list(): Promise<ReviewView[]> {
    const [rows, counts] = await Promise.all([store.listReviews(db), store.undecidedCounts(db)]);
    return rows.map((row) => ({
      ...row,
      items: counts.get(row.id)?.total ?? 0,
      undecided: counts.get(row.id)?.undecided ?? 0,
    }));
  }

  /** A page of campaigns, newest first, after the previous page's last one. */
  async function page(cursor: string | undefined, limit: number) {
    const after = cursor ? timeIdCursor.decode(cursor) : undefined;
    const [rows, counts] = await Promise.all([
      store.listReviews(db, { after, limit: limit + 1 }),
      store.undecidedCounts(db),
    ]);
    return pageOf(
      rows,
      limit,
      (row): ReviewView => ({
        ...row,
        items: counts.get(row.id)?.total ?? 0,
        undecided: counts.get(row.id)?.undecided ?? 0,
      }),
      (row) => timeIdCursor.encode(row.created_at, row.id),
    );
  }

  async function get(id: string): Promise<{ review: ReviewView; items: ReviewItemRow[] }> {
    const review = await store.findReview(db, id);
    if (!review) throw new AppError('not_found', 'Access review not found.');
    const items = await store.reviewItems(db, id);
    return {
      review: { ...review, items: items.length, undecided: items.filter((item) => !item.decision).length },
      items,
    };
  }

  /** Opens a campaign over everyone who holds access now: active operators and live API keys. */
  async function open(context: AuditContext, input: { title: string; dueAt?: Date | null | undefined }) {
    const principals = await access.principals();
    const id = randomUUID();
    await db.transaction().execute(async (tx) => {
      await store.insertReview(tx, {
        id,
        title: input.title,
        status: 'open',
        due_at: input.dueAt ?? null,
        created_by: context.actor.id,
        created_at: clock.now(),
      });
      await store.insertReviewItems(
        tx,
        principals.map((principal) => ({
          id: randomUUID(),
          review_id: id,
          principal_type: principal.type,
          principal_id: principal.id,
          label: principal.label,
          roles: principal.roles,
          permissions: principal.permissions,
          last_used_at: principal.lastUsedAt,
        })),
      );
      await audit.append(tx, context, {
        action: 'accountability.access_review.opened',
        outcome: 'success',
        target: { type: 'access_review', id },
        details: {
          operators: principals.filter((p) => p.type === 'operator').length,
          apiKeys: principals.filter((p) => p.type === 'api_key').length,
        },
      });
    });
    return get(id);
  }

  async function refused(context: AuditContext, item: ReviewItemRow, refusal: GrantRefusal) {
    await record(context, {
      action: 'access.denied',
      outcome: 'denied',
      target: { type: item.principal_type, id: item.principal_id },
      details: { attempted: 'access_review.revoke', reason: refusal.code, roles: refusal.roles ?? [] },
    });
    return grantRefused(refusal);
  }

  /** Why the grantor may not revoke this principal's access as it stands now, or undefined. */
  async function revocationRefusal(grantor: Grantor, item: ReviewItemRow): Promise<GrantRefusal | undefined> {
    const now = (await access.principals()).find(
      (principal) => principal.type === item.principal_type && principal.id === item.principal_id,
    );
    const roles = (now?.roles ?? item.roles).filter(isRole);
    const permissions = (now?.permissions ?? item.permissions).filter(isPermission);
    return item.principal_type === 'operator'
      ? operatorChangeRefusal(grantor, { operatorId: item.principal_id, roles })
      : permissionGrantRefusal(grantor, permissions);
  }

  /**
   * Records a reviewer's decision on one item. Revoking disables the operator or revokes the key through
   * the access module first (its own audited change), then records the decision; a retry after a failure
   * between the two finds the access gone already and records the decision.
   */
  async function decide(
    context: AuditContext,
    grantor: Grantor,
    reviewId: string,
    itemId: string,
    input: { decision: ReviewDecision; note?: string | null | undefined },
  ): Promise<ReviewItemRow> {
    const review = await store.findReview(db, reviewId);
    if (!review) throw new AppError('not_found', 'Access review not found.');
    if (review.status !== 'open') throw new AppError('conflict', 'This access review is completed.');
    const item = await store.findReviewItem(db, reviewId, itemId);
    if (!item) throw new AppError('not_found', 'Review item not found.');
    if (item.decision === 'revoked') throw new AppError('conflict', 'This access is revoked already.');
    if (input.decision === 'revoked') {
      if (item.principal_type === 'operator' && context.actor.id === item.principal_id)
        throw new AppError('conflict', 'Nobody revokes their own access; ask another reviewer.');
      const refusal = await revocationRefusal(grantor, item);
      if (refusal) throw await refused(context, item, refusal);
      if (item.principal_type === 'operator')
        await access.disableOperator(context, grantor, item.principal_id);
      else await access.revokeApiKey(context, item.principal_id);
    }
    return db.transaction().execute(async (tx) => {
      const decided = await store.decideItem(tx, item.id, {
        decision: input.decision,
        decided_by: context.actor.id,
        decided_at: clock.now(),
        note: input.note ?? null,
      });
      await audit.append(tx, context, {
        action: 'accountability.access_review.decided',
        outcome: 'success',
        target: { type: 'access_review', id: reviewId },
        details: { item: item.id, principalType: item.principal_type, decision: input.decision },
      });
      return decided as ReviewItemRow;
    });
  }

  /** Completes a campaign once every item is decided; the completion is the record auditors ask for. */
  async function complete(context: AuditContext, reviewId: string): Promise<ReviewView> {
    await db.transaction().execute(async (tx) => {
      const review = await store.lockReview(tx, reviewId);
      if (!review) throw new AppError('not_found', 'Access review not found.');
      if (review.status !== 'open') throw new AppError('conflict', 'This access review is completed.');
      const items = await store.reviewItems(tx, reviewId);
      const undecided = items.filter((item) => !item.decision).length;
      if (undecided > 0)
        throw new AppError('conflict', `${undecided} item(s) still need a decision.`, {
          extensions: { undecided },
        });
      await store.completeReview(tx, reviewId, clock.now(), context.actor.id);
      await audit.append(tx, context, {
        action: 'accountability.access_review.completed',
        outcome: 'success',
        target: { type: 'access_review', id: reviewId },
        details: {
          confirmed: items.filter((item) => item.decision === 'confirmed').length,
          revoked: items.filter((item) => item.decision === 'revoked').length,
        },
      });
    });
    return (await get(reviewId)).review;
  }

  return { list, page, get, open, decide, complete };
}

export type AccessReviews = ReturnType<typeof accessReviews>;
