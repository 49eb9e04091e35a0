import type { Executor } from '../../db/database.js';
import { calendarDateOf } from '../requests/deadlines.js';
import { isClosed } from '../requests/request-lifecycle.js';
import type { RequestRow, RequestStore } from '../requests/request-store.js';
import { exportingTypes, type RejectionReason, type RequestState } from '../requests/request-types.js';
import { type DrpStatusObject, drpDenialReasonOf, drpStatusOfState } from './drp-protocol.js';
import type { DrpRequestRow } from './drp-store.js';

/** What an agent may tell the consumer about a state: facts only, never personal data or operator notes. */
const stateDetails: Partial<Record<RequestState, string>> = {
  received: 'Received; the business will verify the consumer’s identity before acting on it.',
  verifying:
    'The consumer must verify their identity at user_verification_url, with a one-time code the business e-mails them.',
  awaiting_systems: 'Waiting for the systems that hold the consumer’s data to confirm.',
  completed: 'Fulfilled; the business has answered the consumer directly.',
};

/** What a few requests say instead, where their type makes the state mean more. */
const typeDetails: Partial<Record<RequestRow['type'], Partial<Record<RequestState, string>>>> = {
  opt_in: {
    verifying:
      'The consumer must confirm the opt-in themselves at user_verification_url, with a one-time code the business e-mails them (a two-step opt-in, Cal. Code Regs. tit. 11, § 7028).',
    completed: 'Fulfilled; the consumer is opted in to the sale and sharing of their personal information.',
  },
  opt_out: {
    completed: 'Fulfilled; the consumer is opted out of the sale and sharing of their personal information.',
  },
};

const resultsDetail =
  'Fulfilled; the consumer’s data is at results_url (with the agent’s bearer token) until expires_at.';

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

/** Where results are, for a fulfilled access request whose package was made: until when they can be fetched. */
export type DrpResults = { expiresAt: Date };

export type DrpStatusSettings = {
  /** How long a final status is kept (`CUSTOS_DRP_STATUS_RETENTION`). */
  statusRetentionMs: number;
  /** CUSTOS_PUBLIC_URL: the base of the verification page and the results. */
  publicUrl: string;
};

type LinkFacts = Pick<
  DrpRequestRow,
  'request_id' | 'agent_request_id' | 'verification_id' | 'results_expires_at'
>;

const base = (settings: DrpStatusSettings) => settings.publicUrl.replace(/\/$/, '');

/** The consumer's verification page of a DRP request: the privacy center, by the request's opaque id. */
export function drpVerificationUrl(settings: DrpStatusSettings, verificationId: string): string {
  return `${base(settings)}/privacy/verify/${verificationId}`;
}

/** Where the agent fetches a fulfilled access request's package (with its bearer token). */
export function drpResultsUrl(settings: DrpStatusSettings, requestId: string): string {
  return `${base(settings)}/v1/data-rights-request/${requestId}/results`;
}

function processingDetailsOf(request: RequestRow, results: DrpResults | undefined): string | undefined {
  const parts: string[] = [];
  if (request.state === 'rejected' && request.rejection_reason) {
    parts.push(rejectionDetails[request.rejection_reason]);
  } else {
    const detail = results
      ? resultsDetail
      : (typeDetails[request.type]?.[request.state] ?? stateDetails[request.state]);
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
 * Until when the status says what it says: a final status until it is no longer kept — or, for results,
 * until their link expires if that is sooner; a request waiting for the consumer's verification until its
 * deadline (then it is for the business to deny it, §3.02 `insuf_verification`).
 */
function expiryOf(request: RequestRow, settings: DrpStatusSettings, results: DrpResults | undefined) {
  const kept = statusExpiryOf(request, settings.statusRetentionMs);
  if (kept && results && results.expiresAt.getTime() < kept.getTime()) return results.expiresAt;
  if (kept) return kept;
  return request.state === 'verifying' ? request.due_at : undefined;
}

/**
 * The §3.03 Exercise Status object of a request, as its agent sees it. With `now`, a closed request whose
 * status has outlived its expiry reads `expired`; without, the status is the one its state gives
 * (callbacks announce changes of state, not the passing of time).
 */
export function drpStatusOf(
  request: RequestRow,
  link: LinkFacts,
  settings: DrpStatusSettings,
  facts: { results?: DrpResults | undefined; now?: Date | undefined } = {},
): DrpStatusObject {
  const { results, now } = facts;
  const mapped = drpStatusOfState[request.state];
  const expiresAt = expiryOf(request, settings, results);
  const common = {
    request_id: link.request_id,
    ...(link.agent_request_id ? { agent_request_id: link.agent_request_id } : {}),
    received_at: request.received_at.toISOString(),
  };
  if (isClosed(request.state) && expiresAt && now && now.getTime() >= expiresAt.getTime()) {
    return { ...common, status: 'expired', expires_at: expiresAt.toISOString() };
  }
  const reason =
    request.state === 'rejected' && request.rejection_reason
      ? drpDenialReasonOf[request.rejection_reason]
      : mapped.reason;
  const details = processingDetailsOf(request, results);
  return {
    ...common,
    ...(isClosed(request.state) ? {} : { expected_by: request.due_at.toISOString() }),
    status: mapped.status,
    ...(reason ? { reason } : {}),
    ...(details ? { processing_details: details } : {}),
    ...(request.state === 'verifying'
      ? { user_verification_url: drpVerificationUrl(settings, link.verification_id) }
      : {}),
    ...(results ? { results_url: drpResultsUrl(settings, link.request_id) } : {}),
    ...(expiresAt ? { expires_at: expiresAt.toISOString() } : {}),
  };
}

/** The results a status names: those noted on the DRP side when the access request was fulfilled. */
export function resultsOf(request: RequestRow, link: LinkFacts): DrpResults | undefined {
  if (request.state !== 'completed' || !link.results_expires_at) return undefined;
  return { expiresAt: link.results_expires_at };
}

/**
 * Statuses as agents see them, and the results of a fulfilled access request as noted when it closes:
 * its newest package, if one was made and its links were still good then. Noting them once keeps the
 * status the same after the expired files are pruned.
 */
export function drpStatusReader(deps: {
  requests: Pick<RequestStore, 'exportsOf'>;
  settings: DrpStatusSettings;
}) {
  const { requests, settings } = deps;

  async function resultsAtClose(executor: Executor, request: RequestRow): Promise<DrpResults | undefined> {
    if (request.state !== 'completed' || !request.closed_at) return undefined;
    if (!(exportingTypes as readonly string[]).includes(request.type) || request.type === 'portability') {
      return undefined;
    }
    const packages = (await requests.exportsOf(executor, request.id)).filter((row) => row.format === 'json');
    const newest = packages.sort((a, b) => b.created_at.getTime() - a.created_at.getTime())[0];
    if (!newest || newest.expires_at.getTime() <= request.closed_at.getTime()) return undefined;
    return { expiresAt: newest.expires_at };
  }

  return {
    settings,
    resultsAtClose,
    /** The status of `request` as its agent sees it now (or, without `now`, as its state gives it). */
    of(request: RequestRow, link: LinkFacts, now?: Date): DrpStatusObject {
      return drpStatusOf(request, link, settings, { results: resultsOf(request, link), now });
    },
  };
}

export type DrpStatusReader = ReturnType<typeof drpStatusReader>;
