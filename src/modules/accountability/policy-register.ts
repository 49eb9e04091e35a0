import { randomUUID } from 'node:crypto';
import { AppError } from '../../lib/app-error.js';
import { pageOf, textIdCursor } from '../../lib/paging.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { AcknowledgmentRow, PolicyRow } from './accountability-store.js';
import { addDaysTo, daysBetween, type RegisterDeps, type StaffMember } from './registers-common.js';

export type PolicyInput = {
  title: string;
  owner: string;
  version: string;
  documentUrl?: string | null | undefined;
  documentText?: string | null | undefined;
  approvedAt?: Date | null | undefined;
  reviewIntervalDays: number;
};

export type PolicyView = PolicyRow & {
  overdue: boolean;
  daysPastReview: number;
  acknowledgedBy: string[];
  acknowledgments: number;
};

type Deps = RegisterDeps & { staff: () => Promise<StaffMember[]> };

/** Policies: versions, the review cycle (overdue = a policy update pending) and operators' acknowledgments. */
export function policyRegister({ db, store, audit, clock, staff }: Deps) {
  function nextReview(approvedAt: Date | null | undefined, intervalDays: number): Date {
    return addDaysTo(approvedAt ?? clock.now(), intervalDays);
  }

  function view(row: PolicyRow, acks: AcknowledgmentRow[]): PolicyView {
    const now = clock.now();
    const current = acks.filter((ack) => ack.policy_id === row.id && ack.version === row.version);
    const overdue = !row.retired_at && row.next_review_at.getTime() < now.getTime();
    return {
      ...row,
      overdue,
      daysPastReview: overdue ? daysBetween(row.next_review_at, now) : 0,
      acknowledgedBy: current.map((ack) => ack.operator_id),
      acknowledgments: current.length,
    };
  }

  /** Every policy, with whether it is past its review and who acknowledged its current version. */
  async function list(): Promise<PolicyView[]> {
    const rows = await store.listPolicies(db);
    const acks = await store.acknowledgments(
      db,
      rows.map((row) => row.id),
    );
    return rows.map((row) => view(row, acks));
  }

  /** A page of policies by title, after the cursor of the previous page's last one. */
  async function page(cursor: string | undefined, limit: number) {
    const after = cursor ? textIdCursor.decode(cursor) : undefined;
    const rows = await store.listPolicies(db, { after, limit: limit + 1 });
    const acks = await store.acknowledgments(
      db,
      rows.slice(0, limit).map((row) => row.id),
    );
    return pageOf(
      rows,
      limit,
      (row) => view(row, acks),
      (row) => textIdCursor.encode(row.title, row.id),
    );
  }

  async function get(id: string): Promise<PolicyView> {
    const row = await store.findPolicy(db, id);
    if (!row) throw new AppError('not_found', 'Policy not found.');
    return view(row, await store.acknowledgments(db, [id]));
  }

  async function create(context: AuditContext, input: PolicyInput): Promise<PolicyView> {
    const now = clock.now();
    const row = await db.transaction().execute(async (tx) => {
      if (await store.findPolicyByTitle(tx, input.title))
        throw new AppError('conflict', 'A policy with this title exists.');
      const row = await store.insertPolicy(tx, {
        id: randomUUID(),
        title: input.title,
        owner: input.owner,
        version: input.version,
        document_url: input.documentUrl ?? null,
        document_text: input.documentText ?? null,
        approved_at: input.approvedAt ?? null,
        review_interval_days: input.reviewIntervalDays,
        next_review_at: nextReview(input.approvedAt, input.reviewIntervalDays),
        created_at: now,
        updated_at: now,
      });
      await audit.append(tx, context, {
        action: 'accountability.policy.created',
        outcome: 'success',
        target: { type: 'policy', id: row.id },
        details: { version: input.version },
      });
      return row;
    });
    return view(row, []);
  }

  /**
   * Changes a policy. A new approval date (or a new interval) moves the next review; a new version asks
   * every operator to acknowledge it again.
   */
  async function update(
    context: AuditContext,
    id: string,
    changes: Partial<PolicyInput> & { retired?: boolean | undefined },
  ): Promise<PolicyView> {
    await db.transaction().execute(async (tx) => {
      const row = await store.findPolicy(tx, id);
      if (!row) throw new AppError('not_found', 'Policy not found.');
      if (changes.title && changes.title.toLowerCase() !== row.title.toLowerCase()) {
        if (await store.findPolicyByTitle(tx, changes.title))
          throw new AppError('conflict', 'A policy with this title exists.');
      }
      const approvedAt = changes.approvedAt !== undefined ? changes.approvedAt : row.approved_at;
      const interval = changes.reviewIntervalDays ?? row.review_interval_days;
      const cycleChanged = changes.approvedAt !== undefined || changes.reviewIntervalDays !== undefined;
      await store.updatePolicy(tx, id, {
        ...(changes.title !== undefined ? { title: changes.title } : {}),
        ...(changes.owner !== undefined ? { owner: changes.owner } : {}),
        ...(changes.version !== undefined ? { version: changes.version } : {}),
        ...(changes.documentUrl !== undefined ? { document_url: changes.documentUrl } : {}),
        ...(changes.documentText !== undefined ? { document_text: changes.documentText } : {}),
        ...(changes.approvedAt !== undefined ? { approved_at: changes.approvedAt } : {}),
        ...(changes.reviewIntervalDays !== undefined ? { review_interval_days: interval } : {}),
        ...(cycleChanged ? { next_review_at: addDaysTo(approvedAt ?? row.created_at, interval) } : {}),
        ...(changes.retired !== undefined ? { retired_at: changes.retired ? clock.now() : null } : {}),
        updated_at: clock.now(),
      });
      await audit.append(tx, context, {
        action: 'accountability.policy.updated',
        outcome: 'success',
        target: { type: 'policy', id },
        details: { fields: Object.keys(changes).sort() },
      });
    });
    return get(id);
  }

  async function remove(context: AuditContext, id: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      if (!(await store.deletePolicy(tx, id))) throw new AppError('not_found', 'Policy not found.');
      await audit.append(tx, context, {
        action: 'accountability.policy.deleted',
        outcome: 'success',
        target: { type: 'policy', id },
      });
    });
  }

  /** The calling operator acknowledges the policy's current version (again is a no-op). */
  async function acknowledge(context: AuditContext, id: string, operatorId: string): Promise<PolicyView> {
    await db.transaction().execute(async (tx) => {
      const row = await store.findPolicy(tx, id);
      if (!row) throw new AppError('not_found', 'Policy not found.');
      if (row.retired_at) throw new AppError('conflict', 'This policy is retired.');
      const added = await store.acknowledge(tx, {
        policy_id: id,
        operator_id: operatorId,
        version: row.version,
        acknowledged_at: clock.now(),
      });
      if (added)
        await audit.append(tx, context, {
          action: 'accountability.policy.acknowledged',
          outcome: 'success',
          target: { type: 'policy', id },
          details: { version: row.version },
        });
    });
    return get(id);
  }

  /** Policies in force past their review date, most overdue first: "policy updates pending". */
  async function overdue(): Promise<PolicyView[]> {
    return (await list())
      .filter((policy) => policy.overdue)
      .sort((a, b) => b.daysPastReview - a.daysPastReview);
  }

  /** Share of active operators who acknowledged the current version of every policy in force. */
  async function acknowledgmentCoverage(): Promise<{ operators: number; acknowledgedAll: number }> {
    const [policies, people] = await Promise.all([list(), staff()]);
    const active = people.filter((person) => person.status === 'active');
    const inForce = policies.filter((policy) => !policy.retired_at);
    const acknowledgedAll = active.filter((person) =>
      inForce.every((policy) => policy.acknowledgedBy.includes(person.id)),
    ).length;
    return { operators: active.length, acknowledgedAll };
  }

  return { list, page, get, create, update, remove, acknowledge, overdue, acknowledgmentCoverage };
}

export type PolicyRegister = ReturnType<typeof policyRegister>;
