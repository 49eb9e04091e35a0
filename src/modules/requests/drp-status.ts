import { calendarDateOf } from './deadlines.js';
import { type DrpStatusObject, drpDenialReasonOf, drpStatusOfState } from './drp-protocol.js';
import type { DrpRequestRow } from './drp-store.js';
import { isClosed } from './request-lifecycle.js';
import type { RequestRow } from './request-store.js';
import type { RejectionReason, RequestState } from './request-types.js';

/** What an agent may tell the consumer about a state: facts only, never personal data or operator notes. */
const stateDetails: Partial<Record<RequestState, string>> = {
  received: 'Received; the business will verify the consumer’s identity before acting on it.',
  verifying: 'The business has e-mailed the consumer a one-time code to verify their identity.',
  awaiting_systems: 'Waiting for the systems that hold the consumer’s data to confirm.',
  completed: 'Fulfilled; the business has answered the consumer directly.',
};

const rejectionDetails: Record<RejectionReason, string> = {
  identity_not_verified: 'The consumer’s identity could not be verified.',
  manifestly_unfounded: 'The business considers the request manifestly unfounded.',
  excessive: 'The consumer has made more requests than the business is obliged to answer.',
  duplicate: 'The request repeats one the business has answered or is answering.',
  no_data_held: 'The business holds no personal information about the consumer.',
  legal_obligation: 'A legal obligation requires the business to keep the information.',
  legal_claims: 'The information is needed for legal claims.',
  freedom_of_expression: 'The information is processed for freedom of expression and information.',
  public_interest: 'The information is processed in the public interest.',
  not_applicable: 'The right does not apply to this consumer or this business.',
};

function processingDetailsOf(request: RequestRow): string | undefined {
  const parts: string[] = [];
  if (request.state === 'rejected' && request.rejection_reason) {
    parts.push(rejectionDetails[request.rejection_reason]);
  } else {
    const detail = stateDetails[request.state];
    if (detail) parts.push(detail);
  }
  if (request.extended_at && !isClosed(request.state)) {
    parts.push(`The business extended the deadline to ${calendarDateOf(request.due_at)}, as the law allows.`);
  }
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** When a closed request's status stops being kept (§3.02: at least 7 days, at most 60 by default). */
export function statusExpiryOf(
  request: Pick<RequestRow, 'closed_at'>,
  retentionMs: number,
): Date | undefined {
  return request.closed_at ? new Date(request.closed_at.getTime() + retentionMs) : undefined;
}

/**
 * The §3.03 Exercise Status object of a request, as its agent sees it. With `now`, a closed request whose
 * status has outlived its retention reads `expired`; without, the status is the one its state gives
 * (callbacks announce changes of state, not the passing of time).
 */
export function drpStatusOf(
  request: RequestRow,
  link: Pick<DrpRequestRow, 'request_id' | 'agent_request_id'>,
  retentionMs: number,
  now?: Date,
): DrpStatusObject {
  const mapped = drpStatusOfState[request.state];
  const expiresAt = statusExpiryOf(request, retentionMs);
  const common = {
    request_id: link.request_id,
    ...(link.agent_request_id ? { agent_request_id: link.agent_request_id } : {}),
    received_at: request.received_at.toISOString(),
  };
  if (expiresAt && now && now.getTime() >= expiresAt.getTime()) {
    return { ...common, status: 'expired', expires_at: expiresAt.toISOString() };
  }
  const reason =
    request.state === 'rejected' && request.rejection_reason
      ? drpDenialReasonOf[request.rejection_reason]
      : mapped.reason;
  const details = processingDetailsOf(request);
  return {
    ...common,
    ...(isClosed(request.state) ? {} : { expected_by: request.due_at.toISOString() }),
    status: mapped.status,
    ...(reason ? { reason } : {}),
    ...(details ? { processing_details: details } : {}),
    ...(expiresAt ? { expires_at: expiresAt.toISOString() } : {}),
  };
}
