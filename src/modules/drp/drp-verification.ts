import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { ProofInput } from '../consent/consent-proof.js';
import type { Objection } from '../requests/objection.js';
import type { RequestService } from '../requests/request-service.js';
import type { RequestRow, RequestStore } from '../requests/request-store.js';
import type { RequestState } from '../requests/request-types.js';
import type { RequestVerification } from '../requests/request-verification.js';
import type { RequestWorkflow } from '../requests/request-workflow.js';
import { maskEmail } from '../vault/masking.js';
import { type DrpExercise, drpExercisesConfirmedByConsumer, drpProofFormId } from './drp-protocol.js';
import type { DrpRequestRow, DrpStore } from './drp-store.js';

type Deps = {
  db: Kysely<DB>;
  store: Pick<DrpStore, 'findByVerificationId' | 'findAgent'>;
  requestRows: Pick<RequestStore, 'find'>;
  workflow: Pick<RequestWorkflow, 'decryptContact'>;
  verification: Pick<RequestVerification, 'sendCode' | 'confirmCode'>;
  requests: Pick<RequestService, 'transition'>;
  optIn: Pick<Objection, 'optIn'>;
  clock: Clock;
};

/** Where a verification stands, for the consumer: to do, done (and the request answered), or over. */
export type VerificationState = 'pending' | 'verified' | 'fulfilled' | 'closed' | 'expired';

const stateOf: Record<RequestState, Exclude<VerificationState, 'expired'>> = {
  received: 'pending',
  verifying: 'pending',
  verified: 'verified',
  in_progress: 'verified',
  awaiting_systems: 'verified',
  completed: 'fulfilled',
  rejected: 'closed',
  withdrawn: 'closed',
};

/** What the consumer's verification page shows: facts about the request, never its claims. */
export type DrpVerificationView = {
  requestId: string;
  exercise: DrpExercise;
  agentName: string;
  /** The consumer confirms an opt-in (two-step), besides proving who they are. */
  confirmsOptIn: boolean;
  state: VerificationState;
  /** Where the code goes, masked (`j•••@example.org`). */
  contact: string | null;
  /** Until when the consumer can verify: the request's deadline. */
  expiresAt: string;
  /** Where to send the consumer once verified: the agent's `redirect_to`, if it is a URL Custos sends to. */
  redirectTo: string | null;
};

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The agent's `redirect_to`, if it is an absolute HTTPS URL (HTTP only to this machine, for testing). */
export function safeRedirect(value: string | undefined): string | null {
  if (!value || value.length > 2000) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  const https = url.protocol === 'https:';
  const local = url.protocol === 'http:' && loopbackHosts.has(url.hostname);
  return https || local ? url.href : null;
}

const notFound = () => new AppError('not_found', 'There is no verification at this link.');

/**
 * The consumer's side of §3.02.1 `need_user_verification`: the page at a DRP request's
 * `user_verification_url` finds the request by its opaque id, checks that the `request_id` the agent
 * added names the same request, and verifies the consumer with the e-mail code of request verification.
 * An opt-in is confirmed there too, and recorded at once.
 */
export function drpVerification({
  db,
  store,
  requestRows,
  workflow,
  verification,
  requests,
  optIn,
  clock,
}: Deps) {
  /** The DRP request behind the link, if `requestId` names it too (404 otherwise, whichever is wrong). */
  async function linked(
    verificationId: string,
    requestId: string,
  ): Promise<{ link: DrpRequestRow; request: RequestRow }> {
    const link = await store.findByVerificationId(db, verificationId);
    if (!link || link.request_id !== requestId) throw notFound();
    const request = await requestRows.find(db, link.request_id);
    if (!request) throw notFound();
    return { link, request };
  }

  function stateNow(request: RequestRow): VerificationState {
    const state = stateOf[request.state];
    if (state === 'pending' && clock.now().getTime() > request.due_at.getTime()) return 'expired';
    return state;
  }

  async function viewOf(
    link: DrpRequestRow,
    request: RequestRow,
    redirectTo?: string,
  ): Promise<DrpVerificationView> {
    const agent = await store.findAgent(db, link.agent_id);
    const contact = workflow.decryptContact(request);
    return {
      requestId: request.id,
      exercise: link.exercise,
      agentName: agent?.name ?? link.agent_id,
      confirmsOptIn: drpExercisesConfirmedByConsumer.includes(link.exercise),
      state: stateNow(request),
      contact: contact ? maskEmail(contact) : null,
      expiresAt: request.due_at.toISOString(),
      redirectTo: safeRedirect(redirectTo),
    };
  }

  /** A verification that can still be done: 409 once done or closed, 410 once its time is over. */
  function assertPending(request: RequestRow): void {
    const state = stateNow(request);
    if (state === 'expired') {
      throw new AppError('gone', 'The time to verify this request is over; ask your agent to send it again.');
    }
    if (state !== 'pending') {
      throw new AppError('conflict', 'This request needs no verification any more.', {
        extensions: { state },
      });
    }
  }

  /** What the page shows about the request behind the link. */
  async function view(verificationId: string, requestId: string, redirectTo?: string) {
    const { link, request } = await linked(verificationId, requestId);
    return viewOf(link, request, redirectTo);
  }

  /** E-mails the consumer a one-time code (request verification's limits apply: 5 a day). */
  async function sendCode(context: AuditContext, verificationId: string, requestId: string) {
    const { link, request } = await linked(verificationId, requestId);
    assertPending(request);
    const sent = await verification.sendCode(context, link.request_id);
    const after = await requestRows.find(db, link.request_id);
    return { verification: await viewOf(link, after ?? request), codeExpiresAt: sent.expiresAt };
  }

  /**
   * Checks the code; the right one verifies the request. An opt-in must be confirmed in the same step
   * (`confirmOptIn`), and is then recorded in the consumer's name, with their address and browser as
   * proof (hashed by the consent module).
   */
  async function confirm(
    context: AuditContext,
    verificationId: string,
    input: { requestId: string; code: string; confirmOptIn?: boolean | undefined; proof?: ProofInput },
  ): Promise<DrpVerificationView> {
    const { link, request } = await linked(verificationId, input.requestId);
    assertPending(request);
    const confirmsOptIn = drpExercisesConfirmedByConsumer.includes(link.exercise);
    if (confirmsOptIn && input.confirmOptIn !== true) {
      throw new AppError('validation_failed', 'Confirm that you want to opt in.', {
        errors: [{ in: 'body', path: 'confirmOptIn', message: 'must be true to opt in' }],
      });
    }
    await verification.confirmCode(context, link.request_id, input.code);
    if (confirmsOptIn && request.subject_id) {
      const asSubject: AuditContext = { ...context, actor: { type: 'subject', id: request.subject_id } };
      await requests.transition(asSubject, link.request_id, { to: 'in_progress' });
      await optIn.optIn(asSubject, link.request_id, {
        proof: { ...input.proof, formId: drpProofFormId(link.agent_id, link.request_id) },
      });
    }
    const after = await requestRows.find(db, link.request_id);
    return viewOf(link, after ?? request);
  }

  return { view, sendCode, confirm };
}

export type DrpVerification = ReturnType<typeof drpVerification>;
