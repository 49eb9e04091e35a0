import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { isAppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { SealedBox } from '../../lib/sealed-box.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { type DestinationPolicy, urlProblem } from '../notifications/webhook-destination.js';
import type { Objection } from '../requests/objection.js';
import type { ExportFile, RequestExports } from '../requests/request-exports.js';
import { isClosed } from '../requests/request-lifecycle.js';
import type { RequestService } from '../requests/request-service.js';
import type { RequestRow, RequestStore } from '../requests/request-store.js';
import type { RequestWorkflow, Work } from '../requests/request-workflow.js';
import type { DrpAgents } from './drp-agents.js';
import { sealClaims } from './drp-claims.js';
import {
  checkEnvelope,
  type ExerciseMessage,
  type IdentityClaims,
  identityClaimNames,
  openSignedMessage,
  ZExerciseMessage,
  ZRevokeMessage,
} from './drp-messages.js';
import {
  DrpError,
  type DrpExercise,
  type DrpRegime,
  type DrpStatusObject,
  drpExercisesConfirmedByConsumer,
  drpExercisesWithoutVerification,
  drpExerciseTypes,
  drpProofFormId,
  isDrpError,
  isDrpExercise,
  isDrpRegime,
} from './drp-protocol.js';
import { verifyKeyFrom } from './drp-signature.js';
import { type DrpStatusReader, resultsOf } from './drp-status.js';
import type { AgentRow, DrpRequestRow, DrpStore } from './drp-store.js';

type Deps = {
  db: Kysely<DB>;
  store: DrpStore;
  requestRows: Pick<RequestStore, 'find' | 'exportsOf'>;
  agents: DrpAgents;
  requests: Pick<RequestService, 'file' | 'withdraw' | 'transition'>;
  workflow: Pick<RequestWorkflow, 'moveTo'>;
  /** Finds vault subjects through blind indexes, never decrypting (the vault's record service). */
  subjects: {
    searchSubjects(
      context: AuditContext,
      query: { email?: string | undefined; phone?: string | undefined },
    ): Promise<{ id: string }[]>;
  };
  /** Seals identity claims at rest, bound to their request. */
  box: SealedBox;
  audit: AuditWriter;
  clock: Clock;
  /** Where status callbacks may go (the webhook destination policy). */
  destination: DestinationPolicy;
  status: Pick<DrpStatusReader, 'of' | 'settings'>;
  /** Records a `sale:opt-out` in consent (the objection fulfilment). */
  optOut: Pick<Objection, 'object'>;
  /** Hands out a fulfilled access request's package to its agent. */
  exports: Pick<RequestExports, 'deliver'>;
};

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}

/** The claims a request keeps (sealed): the §3.04 identity claims the agent sent, nothing else. */
function identityOf(message: ExerciseMessage): IdentityClaims {
  const claims: Record<string, unknown> = {};
  for (const name of identityClaimNames) if (message[name] !== undefined) claims[name] = message[name];
  return claims as IdentityClaims;
}

/**
 * The Data Rights Protocol's requests (§2.01–2.04): an agent's signed exercise becomes a data-subject
 * request of channel `drp`; its status is the request's state in the spec's words; revoking withdraws it.
 */
export function drpService(deps: Deps) {
  const { db, store, requestRows, agents, requests, workflow, subjects, box, audit, clock, status } = deps;
  const agentContext = (context: AuditContext, agent: AgentRow): AuditContext => ({
    ...context,
    actor: { type: 'agent', id: agent.id },
  });

  /** Runs an agent's message through `body`; refusals of a known agent's messages are audited. */
  async function refusalsAudited<T>(
    context: AuditContext,
    action: string,
    body: () => Promise<T>,
  ): Promise<T> {
    try {
      return await body();
    } catch (error) {
      if (isDrpError(error)) {
        await audit.record(context, { action, outcome: 'denied', details: { reason: error.refusal } });
      }
      throw error;
    }
  }

  function keyOf(agent: AgentRow) {
    const key = verifyKeyFrom(agent.verify_key);
    if (!key) throw new DrpError('unknown_agent', 'The directory holds no usable key for this agent.');
    return key;
  }

  /** The checks of §3.07 and what Custos takes; returns the right and the regime in Custos's terms. */
  function exercisable(
    message: ExerciseMessage,
    agent: AgentRow,
    businessId: string,
  ): { exercise: DrpExercise; regime: DrpRegime | null } {
    checkEnvelope(message, { agentId: agent.id, businessId, now: clock.now() });
    const { exercise, regime } = message;
    if (!isDrpExercise(exercise)) {
      throw new DrpError('unsupported_exercise', 'Unsupported rights action submitted.', { fatal: true });
    }
    if (regime !== undefined && !isDrpRegime(regime)) {
      throw new DrpError('unsupported_regime', 'Requests are taken under ccpa, or with no regime.', {
        fatal: true,
      });
    }
    if (message.status_callback && urlProblem(message.status_callback, deps.destination) !== undefined) {
      throw new DrpError('invalid_callback', 'The status_callback URL is not one Custos sends to.', {
        fatal: true,
      });
    }
    return { exercise, regime: regime ?? null };
  }

  async function statusOf(link: DrpRequestRow, now?: Date): Promise<DrpStatusObject> {
    const request = await requestRows.find(db, link.request_id);
    if (!request) throw new DrpError('not_found', 'No such request.');
    return status.of(request, link, now);
  }

  async function currentStatus(requestId: string): Promise<DrpStatusObject> {
    const link = await store.findRequest(db, requestId);
    if (!link) throw new DrpError('not_found', 'No such request.');
    return statusOf(link, clock.now());
  }

  /** The request this message (or this agent request id) filed before: same message → its status. */
  async function earlierAnswer(agent: AgentRow, message: ExerciseMessage, digest: Buffer) {
    const earlier = await store.findEarlier(db, {
      digest,
      agentId: agent.id,
      agentRequestId: message['agent-request-id'],
    });
    const same = earlier.find((row) => row.message_digest.equals(digest));
    if (same) return statusOf(same, clock.now());
    if (earlier.length > 0) {
      throw new DrpError('duplicate_agent_request_id', 'This agent-request-id names another request.', {
        fatal: true,
      });
    }
    return undefined;
  }

  /** The vault subject the claims name, if exactly one: e-mail first, then phone, by blind index. */
  async function subjectFor(context: AuditContext, claims: IdentityClaims): Promise<string | undefined> {
    for (const query of [{ email: claims.email }, { phone: claims.phone_number }]) {
      if (!Object.values(query)[0]) continue;
      const found = await subjects.searchSubjects(context, query);
      if (found.length > 0) return found.length === 1 ? found[0]?.id : undefined;
    }
    return undefined;
  }

  /** The agent attests the identity when it marks verified the claim Custos uses to reach the consumer. */
  function attested(message: ExerciseMessage, exercise: DrpExercise): boolean {
    if (drpExercisesWithoutVerification.includes(exercise)) return true;
    return message.email ? message.email_verified === true : message.phone_number_verified === true;
  }

  async function file(
    context: AuditContext,
    agent: AgentRow,
    opened: { message: ExerciseMessage; digest: Buffer; exercise: DrpExercise; regime: DrpRegime | null },
  ): Promise<DrpStatusObject> {
    const { message, digest, exercise, regime } = opened;
    const claims = identityOf(message);
    const subjectId = await subjectFor(context, claims);
    if (!claims.email && !subjectId) {
      throw new DrpError('no_identity', 'Send an email claim, or claims that match one consumer.', {
        fatal: true,
      });
    }
    const byConsumer = drpExercisesConfirmedByConsumer.includes(exercise);
    if (byConsumer && !claims.email) {
      throw new DrpError('no_identity', 'The consumer confirms an opt-in with a code e-mailed to them.', {
        fatal: true,
      });
    }
    const verified = !byConsumer && attested(message, exercise);
    // The consumer verifies at the request's user_verification_url, by a code sent to the e-mail claim;
    // an opt-in that matches no consumer is denied below instead.
    const askConsumer = !verified && claims.email !== undefined && (!byConsumer || subjectId !== undefined);
    let filedLink: DrpRequestRow | undefined;
    const within = async (work: Work, filed: RequestRow): Promise<RequestRow> => {
      const row = verified
        ? await workflow.moveTo(work, context, filed, 'verified', {
            changes: { verified_at: work.now, verification_method: 'signed_authorization' },
            details: { method: 'signed_authorization', agent: agent.id },
          })
        : askConsumer
          ? await workflow.moveTo(work, context, filed, 'verifying', {
              details: { method: 'drp_user_verification', agent: agent.id },
            })
          : filed;
      const link = {
        request_id: row.id,
        agent_request_id: message['agent-request-id'] ?? null,
        verification_id: randomUUID(),
        results_expires_at: null,
      };
      await store.insertRequest(work.tx, {
        ...link,
        agent_id: agent.id,
        message_digest: digest,
        exercise,
        regime,
        relationships: message.relationships ?? [],
        status_callback: message.status_callback ?? null,
        claims_sealed: sealClaims(box, row.id, claims),
        status_body: JSON.stringify(status.of(row, link)),
        created_at: work.now,
      });
      filedLink = (await store.findRequest(work.tx, row.id)) as DrpRequestRow;
      work.audit.push({
        action: 'drp.request.received',
        outcome: 'success',
        target: { type: 'request', id: row.id },
        details: {
          agent: agent.id,
          exercise,
          regime: regime ?? 'voluntary',
          attested: verified,
          subjectMatched: subjectId !== undefined,
        },
      });
      return row;
    };
    const filed = await requests.file(
      context,
      {
        type: drpExerciseTypes[exercise],
        regime: 'ccpa',
        channel: 'drp',
        filedBy: 'agent',
        subjectId,
        contactEmail: claims.email,
      },
      within,
    );
    if (!filedLink) throw new Error('the DRP link of a filed request was not written');
    if (byConsumer && !subjectId) {
      // Nothing is held about the consumer, so there is nothing to opt in to (§3.02 `no_match`).
      await requests.transition(context, filed.id, { to: 'rejected', reason: 'no_data_held' });
    } else if (exercise === 'sale:opt-out' && subjectId) {
      await applyOptOut(context, agent, filed.id);
    }
    return statusOf(filedLink, clock.now());
  }

  /**
   * Records a signed opt-out of sale or sharing for the consumer it matched, at once (the CCPA asks for
   * it as soon as feasible, and for no verification): the request is worked and fulfilled in the agent's
   * name. Should the consent module refuse (a subject erased meanwhile), the request waits for the team.
   */
  async function applyOptOut(context: AuditContext, agent: AgentRow, requestId: string): Promise<void> {
    try {
      await requests.transition(context, requestId, { to: 'in_progress' });
      await deps.optOut.object(context, requestId, {
        proof: { formId: drpProofFormId(agent.id, requestId) },
      });
    } catch (error) {
      if (!isAppError(error)) throw error;
      await audit.record(context, {
        action: 'drp.request.not_applied',
        outcome: 'failure',
        target: { type: 'request', id: requestId },
        details: { code: error.code },
      });
    }
  }

  /** §2.01: an agent exercises a right on a consumer's behalf; the answer is the new request's status. */
  async function exercise(context: AuditContext, token: string | undefined, body: unknown) {
    const agent = await agents.agentOfToken(token);
    const businessId = agents.businessId();
    const asAgent = agentContext(context, agent);
    return refusalsAudited(asAgent, 'drp.request.refused', async () => {
      const { document, digest } = openSignedMessage(body, keyOf(agent), ZExerciseMessage);
      const { exercise, regime } = exercisable(document, agent, businessId);
      const earlier = await earlierAnswer(agent, document, digest);
      if (earlier) return earlier;
      try {
        return await file(asAgent, agent, { message: document, digest, exercise, regime });
      } catch (error) {
        // The same message (or agent request id) filed at the same moment by a concurrent call.
        if (!isUniqueViolation(error)) throw error;
        const raced = await earlierAnswer(agent, document, digest);
        if (raced) return raced;
        throw error;
      }
    });
  }

  /** The request `requestId` if `agent` filed it: 404 for none, 403 for another agent's (§2.02.1). */
  async function linkOwnedBy(agent: AgentRow, requestId: string): Promise<DrpRequestRow> {
    const link = /^[0-9a-f-]{36}$/i.test(requestId) ? await store.findRequest(db, requestId) : undefined;
    if (!link) throw new DrpError('not_found', 'No such request.');
    if (link.agent_id !== agent.id) {
      throw new DrpError('not_your_request', 'This request is managed by another agent.');
    }
    return link;
  }

  /** §2.02: the status of a request, for the agent that filed it. */
  async function statusOfRequest(token: string | undefined, requestId: string): Promise<DrpStatusObject> {
    const agent = await agents.agentOfToken(token);
    return statusOf(await linkOwnedBy(agent, requestId), clock.now());
  }

  /** §2.04: the agent revokes a request for the consumer; the answer carries the new `revoked` status. */
  async function revoke(context: AuditContext, token: string | undefined, requestId: string, body: unknown) {
    const agent = await agents.agentOfToken(token);
    const businessId = agents.businessId();
    const asAgent = agentContext(context, agent);
    return refusalsAudited(asAgent, 'drp.revoke.refused', async () => {
      const { document } = openSignedMessage(body, keyOf(agent), ZRevokeMessage);
      checkEnvelope(document, { agentId: agent.id, businessId, now: clock.now() }, { required: false });
      const link = await linkOwnedBy(agent, requestId);
      const request = await requestRows.find(db, requestId);
      if (request?.state === 'withdrawn') return statusOf(link, clock.now());
      if (!request || isClosed(request.state)) {
        throw new DrpError('already_closed', `The request is closed (${request?.state ?? 'gone'}).`, {
          fatal: true,
        });
      }
      try {
        await requests.withdraw(asAgent, requestId, document.reason || undefined);
      } catch (error) {
        if (isAppError(error) && error.code === 'invalid_transition') {
          throw new DrpError('already_closed', 'The request closed meanwhile.', { fatal: true });
        }
        throw error;
      }
      return statusOf(link, clock.now());
    });
  }

  /**
   * The results of a fulfilled access request (§3.02 `results_url`): its package, to the agent that filed
   * it, as JSON or as the readable page. Expired files answer 410; every fetch is audited.
   */
  async function results(
    context: AuditContext,
    token: string | undefined,
    requestId: string,
    format: 'json' | 'html',
  ): Promise<ExportFile> {
    const agent = await agents.agentOfToken(token);
    const link = await linkOwnedBy(agent, requestId);
    const request = await requestRows.find(db, requestId);
    if (!request || !resultsOf(request, link)) {
      throw new DrpError('no_results', 'This request has no results to fetch.');
    }
    const files = (await requestRows.exportsOf(db, requestId)).filter((file) => file.format === format);
    const newest = files.sort((a, b) => b.created_at.getTime() - a.created_at.getTime())[0];
    if (!newest) throw new DrpError('no_results', 'The results have expired and were deleted.');
    return deps.exports.deliver(agentContext(context, agent), newest.id);
  }

  return { exercise, status: statusOfRequest, revoke, results, currentStatus };
}

export type DrpService = ReturnType<typeof drpService>;
