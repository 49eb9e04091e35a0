import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { JobSender } from '../../jobs/job-sender.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { SealedBox } from '../../lib/sealed-box.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { RequestStore } from '../requests/request-store.js';
import { queueCallback } from './drp-callbacks.js';
import { maskedClaims, openClaims } from './drp-claims.js';
import type { DrpStatusReader } from './drp-status.js';
import type { DrpRequestRow, DrpStore } from './drp-store.js';

type Deps = {
  db: Kysely<DB>;
  store: DrpStore;
  requestRows: Pick<RequestStore, 'find'>;
  /** The box the claims were sealed in (the DRP service's). */
  box: SealedBox;
  jobs: JobSender;
  audit: AuditWriter;
  clock: Clock;
  status: Pick<DrpStatusReader, 'of'>;
};

const notDrp = () =>
  new AppError('not_found', 'This request did not come in through the Data Rights Protocol.');

function callbackOf(link: DrpRequestRow) {
  if (!link.status_callback) return null;
  return {
    // The path and query may carry the agent's own secrets: operators see where, not the whole URL.
    origin: new URL(link.status_callback).origin,
    state: link.callback_state,
    attempts: link.callback_attempts,
    lastAttemptAt: link.callback_last_attempt_at?.toISOString() ?? null,
    lastStatusCode: link.callback_last_status_code,
    lastError: link.callback_last_error,
    deliveredAt: link.callback_delivered_at?.toISOString() ?? null,
  };
}

/** The operators' side of DRP requests: what came in from which agent, and the callbacks sent back. */
export function drpOperations({ db, store, requestRows, box, jobs, audit, clock, status }: Deps) {
  /** A request's DRP side: the agent, the exercise, the identity claims masked, the status and callbacks. */
  async function view(requestId: string) {
    const link = await store.findRequest(db, requestId);
    const request = link ? await requestRows.find(db, requestId) : undefined;
    if (!link || !request) throw notDrp();
    return {
      requestId: link.request_id,
      agentId: link.agent_id,
      agentRequestId: link.agent_request_id,
      exercise: link.exercise,
      regime: link.regime,
      relationships: link.relationships,
      claims: link.claims_sealed ? maskedClaims(openClaims(box, link.request_id, link.claims_sealed)) : null,
      status: status.of(request, link, clock.now()),
      callback: callbackOf(link),
      createdAt: link.created_at.toISOString(),
    };
  }

  /** Sends the request's current status to the agent's callback URL again, in a new round of attempts. */
  async function resendCallback(context: AuditContext, requestId: string) {
    await db.transaction().execute(async (tx) => {
      const [link] = await store.lockRequests(tx, [requestId]);
      if (!link) throw notDrp();
      if (!link.status_callback) {
        throw new AppError('conflict', 'The agent gave no status_callback URL for this request.');
      }
      await queueCallback(jobs, store, tx, link);
      await audit.append(tx, context, {
        action: 'drp.callback.resent',
        outcome: 'success',
        target: { type: 'request', id: requestId },
        details: { agent: link.agent_id },
      });
    });
    return view(requestId);
  }

  return { view, resendCallback };
}

export type DrpOperations = ReturnType<typeof drpOperations>;
