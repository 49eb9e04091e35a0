import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { JobSender } from '../../jobs/job-sender.js';
import type { JobDefinition } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../logger.js';
import type { AuditContext } from '../audit/audit-types.js';
import { type RetrySettings, retryDelayAfter } from '../notifications/webhook-retry.js';
import type { WebhookSender } from '../notifications/webhook-sender.js';
import { isClosed } from '../requests/request-lifecycle.js';
import type { RequestStore } from '../requests/request-store.js';
import type { RequestObserver } from '../requests/request-workflow.js';
import { signDetached } from './drp-signature.js';
import type { DrpStatusReader } from './drp-status.js';
import type { DrpRequestChanges, DrpRequestRow, DrpStore } from './drp-store.js';

/** One job per callback attempt; the next attempt is enqueued when this one has failed. */
export const drpCallbackJobName = 'drp.status_callback';

export type CallbackJobData = { requestId: string; version: number; attempt: number };

/** Headers of a status callback: the detached Ed25519 signature of the body, and who signed it. */
export const signatureHeader = 'x-drp-signature';
export const businessHeader = 'x-drp-business-id';

/**
 * Queues a status callback in the caller's transaction: the newest status replaces any earlier one still
 * waiting (its jobs find a newer version and stop), so the agent ends with the latest status (§2.03.1).
 */
export async function queueCallback(
  jobs: JobSender,
  store: DrpStore,
  tx: Executor,
  link: Pick<DrpRequestRow, 'request_id' | 'callback_version'>,
  changes: DrpRequestChanges = {},
): Promise<void> {
  const version = link.callback_version + 1;
  await store.updateRequest(tx, link.request_id, {
    ...changes,
    callback_version: version,
    callback_state: 'pending',
    callback_attempts: 0,
    callback_last_attempt_at: null,
    callback_last_status_code: null,
    callback_last_error: null,
    callback_delivered_at: null,
  });
  const data: CallbackJobData = { requestId: link.request_id, version, attempt: 1 };
  await jobs.send(drpCallbackJobName, data, { tx });
}

/**
 * Follows every change to a request filed through DRP, in its transaction: when the status the agent
 * would see has changed, it is recorded and, unless the agent made the change itself (and so has the new
 * status in its answer), sent to the agent's callback URL. Identity claims are deleted when the request
 * closes.
 */
export function drpStatusFeed(deps: {
  store: DrpStore;
  requests: Pick<RequestStore, 'find'>;
  jobs: JobSender;
  status: Pick<DrpStatusReader, 'of' | 'resultsAtClose'>;
}): RequestObserver {
  const { store, requests, jobs, status } = deps;
  return {
    async requestsChanged(tx: Tx, context: AuditContext, requestIds: string[]) {
      for (const link of await store.lockRequests(tx, requestIds)) {
        const request = await requests.find(tx, link.request_id);
        if (!request) continue;
        const changes: DrpRequestChanges = {};
        // A fulfilled access request's results are noted once, when it closes.
        const results =
          request.state === 'completed' && !link.results_expires_at
            ? await status.resultsAtClose(tx, request)
            : undefined;
        if (results) changes.results_expires_at = results.expiresAt;
        const seen = results ? { ...link, results_expires_at: results.expiresAt } : link;
        const body = JSON.stringify(status.of(request, seen));
        if (isClosed(request.state) && link.claims_sealed) changes.claims_sealed = null;
        if (body !== link.status_body) changes.status_body = body;
        const byTheAgent = context.actor.type === 'agent' && context.actor.id === link.agent_id;
        if (changes.status_body !== undefined && link.status_callback && !byTheAgent) {
          await queueCallback(jobs, store, tx, link, changes);
        } else if (Object.keys(changes).length > 0) {
          await store.updateRequest(tx, link.request_id, changes);
        }
      }
    },
  };
}

type WorkerDeps = {
  db: Kysely<DB>;
  store: DrpStore;
  send: WebhookSender;
  jobs: JobSender;
  clock: Clock;
  logger: Logger;
  retry: RetrySettings;
  signingKey: () => KeyObject;
  businessId: string | undefined;
};

export type CallbackOutcome = 'delivered' | 'pending' | 'failed' | 'stale';

/**
 * Sends status callbacks. An attempt reads the callback (no transaction), POSTs the status with its
 * signature (no transaction open while waiting on the network), then records the outcome and enqueues the
 * retry in one short transaction, conditional on the callback still being where the attempt found it.
 * Retries follow the webhook schedule (CUSTOS_WEBHOOK_RETRY_*); after the last one the callback is failed.
 */
export function drpCallbackWorker({
  db,
  store,
  send,
  jobs,
  clock,
  logger,
  retry,
  signingKey,
  businessId,
}: WorkerDeps) {
  const log = logger.child({ component: 'drp' });

  async function attempt(requestId: string, version: number, attempt: number): Promise<CallbackOutcome> {
    const link = await store.findRequest(db, requestId);
    const current =
      link?.status_callback &&
      link.callback_state === 'pending' &&
      link.callback_version === version &&
      link.callback_attempts === attempt - 1;
    if (!link?.status_callback || !current) return 'stale';
    const headers: Record<string, string> = {
      [signatureHeader]: signDetached(signingKey(), link.status_body),
    };
    if (businessId) headers[businessHeader] = businessId;
    const attemptedAt = clock.now();
    const result = await send(link.status_callback, link.status_body, headers);
    const delayMs = result.delivered ? undefined : retryDelayAfter(attempt, retry);
    const state = result.delivered ? 'delivered' : delayMs === undefined ? 'failed' : 'pending';
    const recorded = await db.transaction().execute(async (tx) => {
      const changed = await store.recordCallback(
        tx,
        requestId,
        { version, attempts: attempt - 1 },
        {
          callback_state: state,
          callback_attempts: attempt,
          callback_last_attempt_at: attemptedAt,
          callback_last_status_code: result.statusCode,
          callback_last_error: result.error,
          callback_delivered_at: result.delivered ? clock.now() : null,
        },
      );
      if (changed && delayMs !== undefined) {
        const data: CallbackJobData = { requestId, version, attempt: attempt + 1 };
        await jobs.send(drpCallbackJobName, data, { tx, startAfterSeconds: delayMs / 1000 });
      }
      return changed;
    });
    if (!recorded) return 'stale';
    const facts = { requestId, attempt, statusCode: result.statusCode, error: result.error };
    if (state === 'failed') log.warn(facts, 'DRP status callback failed for good');
    else if (state === 'pending')
      log.info({ ...facts, retryInMs: delayMs }, 'DRP status callback failed; retrying');
    return state;
  }

  return { attempt };
}

export type DrpCallbackWorker = ReturnType<typeof drpCallbackWorker>;

function isCallbackJobData(data: object): data is CallbackJobData {
  const candidate = data as Partial<CallbackJobData>;
  return (
    typeof candidate.requestId === 'string' &&
    /^[0-9a-f-]{36}$/.test(candidate.requestId) &&
    Number.isSafeInteger(candidate.version) &&
    Number.isSafeInteger(candidate.attempt)
  );
}

/**
 * `drp.status_callback`: one attempt of one callback. Failed deliveries schedule their own retry, so
 * pg-boss retries a job only when the attempt could not be recorded at all (the database was unreachable).
 */
export function drpCallbackJob(
  worker: Pick<DrpCallbackWorker, 'attempt'>,
  logger: Logger,
  timeoutMs: number,
): JobDefinition<object> {
  return {
    name: drpCallbackJobName,
    retryLimit: 5,
    retryDelaySeconds: 30,
    expireInSeconds: Math.ceil(timeoutMs / 1000) + 300,
    handler: async (data, job) => {
      if (!isCallbackJobData(data)) {
        logger.warn(
          { job: drpCallbackJobName, jobId: job.id },
          'DRP callback job without a request; dropped',
        );
        return;
      }
      await worker.attempt(data.requestId, data.version, data.attempt);
    },
  };
}
