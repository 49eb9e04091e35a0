import type { ConsentDecision, Subject } from '../consent.js';

/** What the middleware needs of a client: `createCustos(…)` fits. */
export type ConsentDecider = {
  consent: { decide(subject: Subject, purposes: readonly string[]): Promise<ConsentDecision> };
};

export type ConsentGateOptions<Request> = {
  /** Purposes the route's processing needs; all must be allowed. */
  purposes: readonly string[];
  /** The subject the request is about (their id, or `{ externalId }`); undefined means none is known. */
  subject: (request: Request) => Subject | undefined | Promise<Subject | undefined>;
  /**
   * `reject` (default): answer 451 with a problem document. `skip`: let the request through with the
   * decision on `request.consent`, for handlers that leave out the processing instead.
   */
  onDenied?: 'reject' | 'skip';
};

/** The decision the middleware leaves on the request (`request.consent`). */
export type GateDecision = { allowed: boolean; denied: { purpose: string; reason: string }[] };

/** Decides for a request: a request naming no subject is allowed nothing. */
export async function decideFor<Request>(
  custos: ConsentDecider,
  options: ConsentGateOptions<Request>,
  request: Request,
): Promise<GateDecision> {
  const subject = await options.subject(request);
  if (subject === undefined || subject === '') {
    return { allowed: false, denied: options.purposes.map((purpose) => ({ purpose, reason: 'no_subject' })) };
  }
  const { allowed, denied } = await custos.consent.decide(subject, options.purposes);
  return { allowed, denied };
}

/** The 451 answer: an RFC 9457 problem naming the purposes refused and why (no subject id). */
export function consentProblem(decision: GateDecision, instance: string) {
  return {
    type: 'urn:custos:problem:consent_required',
    title: 'Unavailable for legal reasons',
    status: 451,
    detail: `Not allowed without consent for: ${decision.denied.map((entry) => entry.purpose).join(', ')}.`,
    instance,
    code: 'consent_required',
    purposes: decision.denied,
  };
}
