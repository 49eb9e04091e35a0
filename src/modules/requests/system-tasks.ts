import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { SealedBox } from '../../lib/sealed-box.js';
import { digestSecret, randomSecret, secretsEqual } from '../../lib/secrets.js';
import type { SecurityAlerts } from '../alerts/security-alerts.js';
import type { AuditContext } from '../audit/audit-types.js';
import {
  categoriesOverlap,
  type FulfilmentTarget,
  type InventorySystems,
} from '../inventory/inventory-systems.js';
import type { DirectMessages } from '../notifications/webhook-direct.js';
import type { FulfilmentStore, TaskRow } from './fulfilment-store.js';
import { isClosed } from './request-lifecycle.js';
import type { RequestRow } from './request-store.js';
import type { TaskScope } from './request-tables.js';
import type { ClosureReason, TaskAction } from './request-types.js';
import { type RequestView, viewOf } from './request-views.js';
import type { RequestWorkflow, Work } from './request-workflow.js';

type Deps = {
  db: Kysely<DB>;
  clock: Clock;
  store: FulfilmentStore;
  workflow: RequestWorkflow;
  /** The inventory's systems: which are sent tasks, and their names. */
  systems: Pick<InventorySystems, 'relevantWithin' | 'fulfilmentTargetWithin' | 'namesWithin'>;
  /** Signed webhook messages to one endpoint (the notifications module). */
  direct: Pick<DirectMessages, 'send'>;
  /** Seals what systems write back (AES-256-GCM under the requests key, bound to the task). */
  box: SealedBox;
  settings: {
    publicUrl: string;
    /** A task no system answered for this long is sent again automatically (0: never). */
    resendAfterMs?: number;
  };
  /** Whether a task's webhook is still being delivered (then it is not sent again yet). */
  deliveryPending?: (deliveryId: string) => Promise<boolean>;
  /** Raises an alert, in the failing transaction, for every task that fails for good. */
  alerts?: Pick<SecurityAlerts, 'systemTaskFailed'> | undefined;
};

/** What a request's fulfilment affects: the data categories, and for a rectification the records. */
export type AffectedData = { categories: string[]; records?: TaskScope['records'] };

export type TaskView = TaskRow & { system_name: string; detail: string | null };

const messageTypes = {
  erasure: 'downstream.erasure_requested',
  rectification: 'downstream.rectification_requested',
  restriction: 'downstream.restriction_requested',
} as const satisfies Record<TaskAction, string>;

const detailAad = (taskId: string) => `custos.request.task-detail.v1:${taskId}`;

/** Sends, counting the first, after which a silent task is left to an operator. */
export const maxAutomaticAttempts = 5;
/** Silent tasks one run of the re-send job handles; the next run takes the rest. */
const resendBatch = 100;

/** The callback's answer when a link matches no task: nothing to learn from probing. */
const noTask = () => new AppError('not_found', 'There is no task at this link.');

/**
 * Downstream tasks: a request's erasure, rectification or restriction sent to every enabled system that
 * holds data of the affected categories, as a signed webhook with a callback link (a per-task token, kept
 * only as a digest). Each task is pending until the system confirms it done or reports it failed; an
 * undeliverable webhook fails it too, and an operator may send it again. The request waits in
 * `awaiting_systems` and completes when every task is done, or when an operator closes it with a reason.
 */
export function systemTasks({
  db,
  clock,
  store,
  workflow,
  systems,
  direct,
  box,
  settings,
  alerts,
  deliveryPending,
}: Deps) {
  const { inTransaction, locked, addEvent, moveTo } = workflow;
  const target = (id: string) => ({ type: 'request', id });
  const callbackUrl = (taskId: string, token: string) =>
    `${settings.publicUrl.replace(/\/$/, '')}/v1/system-tasks/${taskId}/callback?token=${token}`;

  /** Sends a task's message with a fresh token; returns what the task row keeps of it. */
  async function sendTask(
    tx: Tx,
    request: RequestRow,
    system: FulfilmentTarget,
    task: { id: string; action: TaskAction; scope: TaskScope },
  ) {
    const token = randomSecret(32);
    const data = {
      taskId: task.id,
      requestId: request.id,
      requestType: request.type,
      regime: request.regime,
      systemId: system.id,
      action: task.action,
      subjectId: request.subject_id,
      ...task.scope,
    };
    const sent = await direct.send(tx, system.endpointId, messageTypes[task.action], {
      data: { ...data, callbackUrl: callbackUrl(task.id, token) },
      redacted: { ...data, callbackUrl: callbackUrl(task.id, '[redacted]') },
    });
    return { token_hash: digestSecret(token), message_id: sent.messageId, delivery_id: sent.deliveryId };
  }

  /**
   * Creates and sends the tasks of a fulfilment inside its unit of work: one per enabled system whose data
   * categories overlap the affected ones. Returns the tasks (none when no system holds such data).
   */
  async function dispatch(
    work: Work,
    context: AuditContext,
    request: RequestRow,
    action: TaskAction,
    affected: AffectedData,
  ): Promise<TaskRow[]> {
    const relevant = await systems.relevantWithin(work.tx, affected.categories);
    const tasks: TaskRow[] = [];
    for (const system of relevant) {
      const id = randomUUID();
      const scope: TaskScope = {
        dataCategories: affected.categories.filter((category) =>
          categoriesOverlap(system.dataCategories, [category]),
        ),
        ...(affected.records ? { records: affected.records } : {}),
      };
      const sent = await sendTask(work.tx, request, system, { id, action, scope });
      tasks.push({
        id,
        request_id: request.id,
        system_id: system.id,
        action,
        status: 'pending',
        scope,
        ...sent,
        attempts: 1,
        failure: null,
        detail_sealed: null,
        created_at: work.now,
        updated_at: work.now,
        done_at: null,
      });
    }
    if (tasks.length === 0) return tasks;
    await store.insertTasks(
      work.tx,
      tasks.map((task) => ({ ...task, scope: JSON.stringify(task.scope) })),
    );
    const details = { action, tasks: tasks.map((task) => ({ task: task.id, system: task.system_id })) };
    await addEvent(work, context, request, { kind: 'systems_notified', details });
    work.audit.push({
      action: 'request.systems.notified',
      outcome: 'success',
      target: target(request.id),
      details,
    });
    return tasks;
  }

  /** A request's tasks with their systems' names and what the systems wrote back, by system name. */
  async function taskViews(tx: Tx | Kysely<DB>, requestId: string): Promise<TaskView[]> {
    const tasks = await store.tasksOf(tx, requestId);
    const names = await systems.namesWithin(
      tx,
      tasks.map((task) => task.system_id),
    );
    return tasks
      .map((task) => ({
        ...task,
        system_name: names.get(task.system_id) ?? '',
        detail: task.detail_sealed ? box.open(task.detail_sealed, detailAad(task.id)).toString('utf8') : null,
      }))
      .sort((a, b) => a.system_name.localeCompare(b.system_name));
  }

  async function taskView(tx: Tx | Kysely<DB>, requestId: string, taskId: string): Promise<TaskView> {
    return (await taskViews(tx, requestId)).find((task) => task.id === taskId) as TaskView;
  }

  /**
   * The system's answer through its callback link: `done` confirms the task (and completes the request
   * once every task is done), `failed` records that the system could not do it. A wrong token is a plain
   * 404. Confirming twice is harmless; reporting a failure after confirming is a conflict.
   */
  async function answer(
    base: AuditContext,
    taskId: string,
    token: string,
    outcome: { status: 'done' | 'failed'; detail?: string | undefined },
  ): Promise<TaskView> {
    const found = await store.findTask(db, taskId);
    if (!found || !secretsEqual(digestSecret(token), found.token_hash)) throw noTask();
    const context: AuditContext = { ...base, actor: { type: 'system', id: found.system_id } };
    return inTransaction(context, async (work) => {
      const request = await locked(work.tx, found.request_id);
      const task = (await store.lockTask(work.tx, taskId)) as TaskRow;
      if (!secretsEqual(digestSecret(token), task.token_hash)) throw noTask();
      if (task.status === 'done') {
        if (outcome.status === 'done') return taskView(work.tx, request.id, taskId);
        throw new AppError('conflict', 'This task was confirmed done already.', {
          extensions: { status: 'done' },
        });
      }
      const done = outcome.status === 'done';
      await store.updateTask(work.tx, taskId, {
        status: outcome.status,
        failure: done ? null : 'reported',
        detail_sealed: outcome.detail
          ? box.seal(Buffer.from(outcome.detail, 'utf8'), detailAad(taskId))
          : null,
        updated_at: work.now,
        done_at: done ? work.now : null,
      });
      if (!done) {
        await alerts?.systemTaskFailed(work.tx, {
          taskId,
          requestId: request.id,
          systemId: task.system_id,
          action: task.action,
          failure: 'reported',
        });
      }
      const details = { task: taskId, system: task.system_id, action: task.action };
      await addEvent(work, context, request, { kind: done ? 'system_confirmed' : 'system_failed', details });
      work.audit.push({
        action: done ? 'request.system_task.confirmed' : 'request.system_task.failed',
        outcome: 'success',
        target: target(request.id),
        details,
      });
      const remaining = await store.countOpenTasks(work.tx, request.id);
      if (done && remaining === 0 && request.state === 'awaiting_systems') {
        await moveTo(work, context, request, 'completed', { details: { systemsConfirmed: true } });
      }
      return taskView(work.tx, request.id, taskId);
    });
  }

  /** Sends a task again (a new message, a new callback token) after a failure or a long silence. */
  async function retry(context: AuditContext, taskId: string): Promise<TaskView> {
    return resend(context, taskId, () => true);
  }

  /**
   * Sends again the tasks no system answered within `resendAfterMs`, as an operator would with `retry`:
   * a system whose callback could not reach Custos (it was restarting, the network was cut) gets a new
   * message and link instead of the request waiting for an operator. Each task is sent at most
   * `maxAutomaticAttempts` times; after that the request waits in `awaiting_systems` for an operator.
   */
  async function resendSilent(context: AuditContext): Promise<{ resent: number }> {
    const resendAfterMs = settings.resendAfterMs ?? 0;
    if (resendAfterMs <= 0) return { resent: 0 };
    const before = new Date(clock.now().getTime() - resendAfterMs);
    let resent = 0;
    for (const task of await store.silentTasks(db, before, maxAutomaticAttempts, resendBatch)) {
      // A webhook still being retried is not silence: the system has not heard of the task yet.
      if (task.delivery_id && (await deliveryPending?.(task.delivery_id))) continue;
      const stillSilent = (row: TaskRow) =>
        (row.status === 'pending' || row.status === 'retried') && row.updated_at < before;
      try {
        await resend(context, task.id, stillSilent);
        resent += 1;
      } catch (error) {
        // Answered or closed meanwhile: nothing to send.
        if (!(error instanceof AppError)) throw error;
      }
    }
    return { resent };
  }

  async function resend(
    context: AuditContext,
    taskId: string,
    due: (task: TaskRow) => boolean,
  ): Promise<TaskView> {
    const found = await store.findTask(db, taskId);
    if (!found) throw new AppError('not_found', 'No task with this id.');
    return inTransaction(context, async (work) => {
      const request = await locked(work.tx, found.request_id);
      if (isClosed(request.state)) {
        throw new AppError('conflict', `The request is ${request.state}; its tasks are closed.`, {
          extensions: { state: request.state },
        });
      }
      const task = (await store.lockTask(work.tx, taskId)) as TaskRow;
      if (task.status === 'done') throw new AppError('conflict', 'This task was confirmed done already.');
      if (!due(task)) throw new AppError('conflict', 'This task was answered meanwhile.');
      const system = await systems.fulfilmentTargetWithin(work.tx, task.system_id);
      const sent = await sendTask(work.tx, request, system, task);
      const attempts = task.attempts + 1;
      await store.updateTask(work.tx, taskId, {
        ...sent,
        status: 'retried',
        failure: null,
        attempts,
        updated_at: work.now,
      });
      const details = { task: taskId, system: task.system_id, action: task.action, attempts };
      await addEvent(work, context, request, { kind: 'system_retried', details });
      work.audit.push({
        action: 'request.system_task.retried',
        outcome: 'success',
        target: target(request.id),
        details,
      });
      return taskView(work.tx, request.id, taskId);
    });
  }

  /** Fails the task whose webhook was dead-lettered, inside the webhook worker's transaction. */
  async function failUndeliverable(
    tx: Tx,
    delivery: { deliveryId: string; reason?: string | undefined },
  ): Promise<void> {
    const task = await store.lockOpenTaskOfDelivery(tx, delivery.deliveryId);
    if (!task) return;
    // Refused by data residency: the task says so, not that the system could not be reached.
    const failure = delivery.reason === 'residency_refused' ? 'residency_refused' : 'undeliverable';
    const context: AuditContext = { actor: { type: 'system', id: 'webhooks' }, requestId: null, ip: null };
    await workflow.within(tx, context, async (work) => {
      await store.updateTask(tx, task.id, {
        status: 'failed',
        failure,
        updated_at: work.now,
      });
      await alerts?.systemTaskFailed(tx, {
        taskId: task.id,
        requestId: task.request_id,
        systemId: task.system_id,
        action: task.action,
        failure,
      });
      const details = {
        task: task.id,
        system: task.system_id,
        action: task.action,
        failure,
      };
      await addEvent(work, context, { id: task.request_id }, { kind: 'system_failed', details });
      work.audit.push({
        action: 'request.system_task.failed',
        outcome: 'failure',
        target: target(task.request_id),
        details,
      });
    });
  }

  /**
   * Completes a request still awaiting systems without every confirmation (a system was decommissioned,
   * or confirmed by other means), with the reason on the timeline and in the audit log.
   */
  async function close(
    context: AuditContext,
    requestId: string,
    input: { reason: ClosureReason; note?: string | undefined },
  ): Promise<RequestView> {
    const closed = await inTransaction(context, async (work) => {
      const request = await locked(work.tx, requestId);
      if (request.state !== 'awaiting_systems') {
        throw new AppError(
          'conflict',
          `Only a request awaiting systems is closed with a reason; this one is ${request.state}.`,
          {
            extensions: { state: request.state },
          },
        );
      }
      const unconfirmed = await store.countOpenTasks(work.tx, requestId);
      return moveTo(work, context, request, 'completed', {
        details: { closure: input.reason, unconfirmedTasks: unconfirmed },
        note: input.note,
      });
    });
    return viewOf(closed, clock.now(), workflow);
  }

  return {
    dispatch,
    answer,
    retry,
    resendSilent,
    failUndeliverable,
    close,
    /** A request's tasks with their systems and what the systems wrote back. */
    list: async (requestId: string): Promise<TaskView[]> => {
      await workflow.found(db, requestId);
      return taskViews(db, requestId);
    },
    /** Tasks of the request still waiting for their system (the transitions route checks before completing). */
    openCount: (tx: Tx | Kysely<DB>, requestId: string) => store.countOpenTasks(tx, requestId),
    /** How many tasks a system was ever sent (one that was sent any keeps its record, so it is not deleted). */
    countSentTo: (tx: Tx | Kysely<DB>, systemId: string) => store.countTasksOfSystem(tx, systemId),
  };
}

export type SystemTasks = ReturnType<typeof systemTasks>;
