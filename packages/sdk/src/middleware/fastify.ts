import {
  type ConsentDecider,
  type ConsentGateOptions,
  consentProblem,
  decideFor,
  type GateDecision,
} from './gate.js';

export type { ConsentGateOptions, GateDecision } from './gate.js';

/** The little of Fastify the hook uses, so the SDK does not depend on Fastify. */
type FastifyLikeRequest = {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  consent?: GateDecision;
};
type FastifyLikeReply = {
  code(status: number): FastifyLikeReply;
  type(contentType: string): FastifyLikeReply;
  send(payload: unknown): unknown;
};

/**
 * A Fastify `preHandler` that lets the request through only when the subject allows every purpose:
 * `app.get('/recommendations', { preHandler: requireConsent(custos, { purposes, subject }) }, handler)`.
 * Otherwise it answers 451 (or, with `onDenied: 'skip'`, passes with `request.consent.allowed` false).
 */
export function requireConsent<Request extends FastifyLikeRequest>(
  custos: ConsentDecider,
  options: ConsentGateOptions<Request>,
) {
  return async function consentGate(request: Request, reply: FastifyLikeReply): Promise<void> {
    const decision = await decideFor(custos, options, request);
    request.consent = decision;
    if (decision.allowed || options.onDenied === 'skip') return;
    const path = request.url.split('?')[0] ?? '';
    await reply.code(451).type('application/problem+json').send(consentProblem(decision, path));
  };
}
