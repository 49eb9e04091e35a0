import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { timeIdCursor } from '../../lib/paging.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { proposeAssessment, type RiskFactors, type RiskProposal } from './breach-assessment.js';
import { notificationDeadline } from './breach-clock.js';
import type { CollectionDefinitions, Definitions } from './breach-protection.js';
import type { BreachFacts } from './breach-schemas.js';
import type { BreachRow, BreachStore, BreachTaskRow } from './breach-store.js';
import type { BreachStatus, Discovery, Severity } from './breach-tables.js';

type Deps = {
  db: Kysely<DB>;
  store: BreachStore;
  audit: Pick<AuditWriter, 'append'>;
  clock: Clock;
  /** Whether the fields involved were sealed, from the vault's collection definitions (see breach-protection). */
  protectionOf: (tx: Tx, breach: BreachRow, collections: Definitions) => Promise<RiskFactors['protection']>;
  collections: CollectionDefinitions;
};

/** One change to a breach, as its transaction sees it: the locked row, the time, and the timeline. */
export type BreachWork = {
  tx: Tx;
  now: Date;
  breach: BreachRow;
  /** Adds a timeline event and its audit entry (same action name, field names and ids only). */
  record(
    kind: string,
    change?: { fields?: string[]; note?: string | undefined; details?: Record<string, unknown> },
  ): Promise<void>;
};

/** The ways a breach may move on: suspected → confirmed → contained → closed, or dismissed before it is closed. */
const transitions: Record<BreachStatus, readonly BreachStatus[]> = {
  suspected: ['confirmed', 'dismissed'],
  confirmed: ['contained', 'dismissed'],
  contained: ['closed'],
  closed: [],
  dismissed: [],
};

export const openStatuses: readonly BreachStatus[] = ['suspected', 'confirmed', 'contained'];

export type NewBreach = {
  title: string;
  awareAt: Date;
  occurredFrom?: Date | null | undefined;
  occurredUntil?: Date | null | undefined;
  discovery: Discovery;
  alertId?: string | undefined;
  facts?: BreachFacts | undefined;
};

export type BreachChanges = {
  title?: string | undefined;
  awareAt?: Date | undefined;
  occurredFrom?: Date | null | undefined;
  occurredUntil?: Date | null | undefined;
  facts?: BreachFacts | undefined;
  lateReasons?: string | undefined;
  lessonsLearned?: string | undefined;
  note?: string | undefined;
};

export type Decision = {
  severity: Severity;
  notifyAuthority: boolean;
  notifyIndividuals: boolean;
  justification?: string | undefined;
};

function assertTimes(awareAt: Date, from: Date | null, until: Date | null) {
  if (from && from.getTime() > awareAt.getTime()) {
    throw new AppError(
      'validation_failed',
      'The breach cannot have started after the organization became aware of it.',
      {
        errors: [{ in: 'body', path: 'occurredFrom', message: 'must not be after awareAt' }],
      },
    );
  }
  if (from && until && until.getTime() < from.getTime()) {
    throw new AppError('validation_failed', 'The breach cannot have ended before it started.', {
      errors: [{ in: 'body', path: 'occurredUntil', message: 'must not be before occurredFrom' }],
    });
  }
}

const factsOf = (row: BreachRow) => row.facts as BreachFacts;
/** The names of the members a change sets (those left undefined are not changed). */
const changedKeys = (changes: object) =>
  Object.entries(changes)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key);

/**
 * The breach register: incidents, their lifecycle, containment tasks, the risk assessment's proposal and
 * the DPO's decision. Every change is one transaction with its timeline event and its audit entry.
 */
export function breachRegister({ db, store, audit, clock, protectionOf, collections }: Deps) {
  function eventRecorder(tx: Tx, context: AuditContext, now: Date, breachId: string): BreachWork['record'] {
    return async (kind, change = {}) => {
      const fields = change.fields ?? [];
      await store.addEvent(tx, {
        id: randomUUID(),
        breach_id: breachId,
        at: now,
        actor_type: context.actor.type,
        actor_id: context.actor.id,
        kind,
        fields,
        note: change.note ?? null,
        details: JSON.stringify(change.details ?? {}),
      });
      await audit.append(tx, context, {
        action: `breach.${kind}`,
        outcome: 'success',
        target: { type: 'breach', id: breachId },
        details: { ...(fields.length > 0 ? { fields } : {}), ...(change.details ?? {}) },
      });
    };
  }

  /** Runs `work` on the locked breach in one transaction with its timeline events and audit entries. */
  async function change<T>(
    context: AuditContext,
    id: string,
    work: (w: BreachWork) => Promise<T>,
  ): Promise<T> {
    return db.transaction().execute(async (tx) => {
      const breach = await store.lock(tx, id);
      if (!breach) throw new AppError('not_found', 'There is no breach with this id.');
      const now = clock.now();
      return work({ tx, now, breach, record: eventRecorder(tx, context, now, id) });
    });
  }

  /** Opens a breach (suspected); its deadline is awareness + 72 hours. */
  async function create(context: AuditContext, input: NewBreach, within?: (w: BreachWork) => Promise<void>) {
    assertTimes(input.awareAt, input.occurredFrom ?? null, input.occurredUntil ?? null);
    return db.transaction().execute(async (tx) => {
      const now = clock.now();
      const id = randomUUID();
      const breach = await store.insert(tx, {
        id,
        title: input.title,
        status: 'suspected',
        aware_at: input.awareAt,
        deadline_at: notificationDeadline(input.awareAt),
        occurred_from: input.occurredFrom ?? null,
        occurred_until: input.occurredUntil ?? null,
        discovery: input.discovery,
        alert_id: input.alertId ?? null,
        facts: JSON.stringify(input.facts ?? {}),
        created_by: context.actor.id,
        created_at: now,
        updated_at: now,
      });
      const record = eventRecorder(tx, context, now, id);
      await record('created', {
        fields: Object.keys(input.facts ?? {}),
        details: { discovery: input.discovery, ...(input.alertId ? { alert: input.alertId } : {}) },
      });
      await within?.({ tx, now, breach, record });
      return (await store.find(tx, id)) as BreachRow;
    });
  }

  /** Changes the register's fields; facts merge member by member. The deadline is never set by hand. */
  function update(context: AuditContext, id: string, changes: BreachChanges): Promise<BreachRow> {
    return change(context, id, async ({ tx, now, breach, record }) => {
      assertOpenForChanges(breach);
      const awareAt = changes.awareAt ?? breach.aware_at;
      const from = changes.occurredFrom !== undefined ? changes.occurredFrom : breach.occurred_from;
      const until = changes.occurredUntil !== undefined ? changes.occurredUntil : breach.occurred_until;
      assertTimes(awareAt, from, until);
      const fields = [
        ...changedKeys(changes).filter((key) => key !== 'facts' && key !== 'note'),
        ...Object.keys(changes.facts ?? {}).map((key) => `facts.${key}`),
      ];
      const updated = await store.update(tx, id, {
        title: changes.title ?? breach.title,
        aware_at: awareAt,
        deadline_at: notificationDeadline(awareAt),
        // A corrected awareness restarts the clock's alerts from the new deadline.
        clock_alerted: changes.awareAt ? 0 : breach.clock_alerted,
        occurred_from: from,
        occurred_until: until,
        facts: JSON.stringify({ ...factsOf(breach), ...(changes.facts ?? {}) }),
        late_reasons: changes.lateReasons ?? breach.late_reasons,
        lessons_learned: changes.lessonsLearned ?? breach.lessons_learned,
        updated_at: now,
      });
      await record('updated', { fields, note: changes.note });
      return updated;
    });
  }

  function assertOpenForChanges(breach: BreachRow) {
    if (breach.status === 'dismissed') {
      throw new AppError('invalid_transition', 'This breach was dismissed; it takes no further changes.');
    }
  }

  /** Moves the breach through its lifecycle; dismissing needs a reason, closing needs lessons learned. */
  function changeStatus(context: AuditContext, id: string, status: BreachStatus, reason?: string) {
    return change(context, id, async ({ tx, now, breach, record }) => {
      if (!transitions[breach.status].includes(status)) {
        throw new AppError('invalid_transition', `A ${breach.status} breach cannot become ${status}.`, {
          extensions: { from: breach.status, to: status, allowed: transitions[breach.status] },
        });
      }
      if (status === 'dismissed' && !reason) {
        throw new AppError('unprocessable', 'Dismissing a breach needs the reason it is not one.');
      }
      if (status === 'closed' && !breach.lessons_learned) {
        throw new AppError('unprocessable', 'Record the lessons learned before closing the breach.');
      }
      const updated = await store.update(tx, id, { status, status_reason: reason ?? null, updated_at: now });
      await record('status_changed', { note: reason, details: { from: breach.status, to: status } });
      return updated;
    });
  }

  /** Works out the proposal from the factors given, the vault's protection and the number affected. */
  async function assess(
    context: AuditContext,
    id: string,
    given: Omit<RiskFactors, 'protection' | 'subjectsAffected'>,
  ) {
    const definitions = await collections();
    return change(context, id, async ({ tx, now, breach, record }) => {
      assertOpenForChanges(breach);
      const affected = (await store.affectedSummary(tx, id)).subjects;
      const factors: RiskFactors = {
        ...given,
        subjectsAffected: Math.max(affected, factsOf(breach).subjectsCount ?? 0),
        protection: await protectionOf(tx, breach, definitions),
      };
      const proposal = proposeAssessment(factors);
      const updated = await store.update(tx, id, {
        assessment: JSON.stringify({ factors, proposal, at: now.toISOString() }),
        updated_at: now,
      });
      await record('assessed', {
        details: {
          severity: proposal.severity,
          notifyAuthority: proposal.notifyAuthority,
          notifyIndividuals: proposal.notifyIndividuals,
        },
      });
      return updated;
    });
  }

  /** The DPO's decision: confirms the proposal, or departs from it with a recorded justification. */
  function decide(context: AuditContext, id: string, decision: Decision) {
    return change(context, id, async ({ tx, now, breach, record }) => {
      assertOpenForChanges(breach);
      const proposal = (breach.assessment as { proposal?: RiskProposal } | null)?.proposal;
      if (!proposal) throw new AppError('precondition_failed', 'Assess the breach before deciding on it.');
      const departs = (['severity', 'notifyAuthority', 'notifyIndividuals'] as const).filter(
        (key) => proposal[key] !== decision[key],
      );
      if (departs.length > 0 && !decision.justification) {
        throw new AppError(
          'unprocessable',
          'A decision that departs from the proposal needs a justification.',
          {
            extensions: { departsIn: departs },
          },
        );
      }
      const updated = await store.update(tx, id, {
        decision: JSON.stringify({
          ...decision,
          overridden: departs,
          by: context.actor.id,
          at: now.toISOString(),
        }),
        severity: decision.severity,
        notify_authority: decision.notifyAuthority,
        notify_individuals: decision.notifyIndividuals,
        updated_at: now,
      });
      await record(departs.length > 0 ? 'assessment_overridden' : 'assessment_confirmed', {
        fields: departs,
        note: decision.justification,
        details: { severity: decision.severity },
      });
      return updated;
    });
  }

  function addTask(
    context: AuditContext,
    id: string,
    task: { title: string; owner: string; dueAt?: Date | null | undefined },
  ) {
    return change(context, id, async ({ tx, now, breach, record }) => {
      assertOpenForChanges(breach);
      const row = await store.insertTask(tx, {
        id: randomUUID(),
        breach_id: id,
        title: task.title,
        owner: task.owner,
        status: 'open',
        due_at: task.dueAt ?? null,
        created_at: now,
        updated_at: now,
      });
      await record('task_added', { details: { task: row.id } });
      return row;
    });
  }

  function updateTask(
    context: AuditContext,
    id: string,
    taskId: string,
    changes: {
      status?: BreachTaskRow['status'] | undefined;
      owner?: string | undefined;
      dueAt?: Date | null | undefined;
    },
  ) {
    return change(context, id, async ({ tx, now, record }) => {
      const row = await store.updateTask(tx, id, taskId, {
        ...(changes.status ? { status: changes.status } : {}),
        ...(changes.owner ? { owner: changes.owner } : {}),
        ...(changes.dueAt !== undefined ? { due_at: changes.dueAt } : {}),
        updated_at: now,
      });
      if (!row) throw new AppError('not_found', 'This breach has no such task.');
      await record('task_updated', {
        fields: changedKeys(changes),
        details: { task: taskId, status: row.status },
      });
      return row;
    });
  }

  async function get(id: string): Promise<BreachRow> {
    const row = await store.find(db, id);
    if (!row) throw new AppError('not_found', 'There is no breach with this id.');
    return row;
  }

  async function list(
    filters: { status?: BreachStatus | undefined },
    cursor: string | undefined,
    limit: number,
  ) {
    const after = cursor ? timeIdCursor.decode(cursor) : undefined;
    const rows = await store.page(db, filters, after, limit + 1);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return {
      rows: rows.slice(0, limit),
      nextCursor: last ? timeIdCursor.encode(last.created_at, last.id) : null,
    };
  }

  /** A breach with its tasks, affected set summary, notice versions and the individual notices' progress. */
  async function detail(id: string) {
    const breach = await get(id);
    const [tasks, affected, progress, notices] = await Promise.all([
      store.tasks(db, id),
      store.affectedSummary(db, id),
      store.deliveryCounts(db, id),
      store.notices(db, id),
    ]);
    return { breach, tasks, affected, progress, notices };
  }

  /** The affected set, by subject id. */
  async function affectedPage(id: string, cursor: string | undefined, limit: number) {
    await get(id);
    const after = cursor === undefined ? undefined : Buffer.from(cursor, 'base64url').toString('utf8');
    const rows = await store.affectedPage(db, id, after, limit + 1);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return {
      rows: rows.slice(0, limit),
      nextCursor: last ? Buffer.from(last.subject_id, 'utf8').toString('base64url') : null,
    };
  }

  return {
    create,
    detail,
    affectedPage,
    update,
    changeStatus,
    assess,
    decide,
    addTask,
    updateTask,
    get,
    list,
    change,
    timeline: (id: string) => store.events(db, id),
    tasks: (id: string) => store.tasks(db, id),
  };
}

export type BreachRegister = ReturnType<typeof breachRegister>;
