import {
  type ConsentDecider,
  type ConsentGateOptions,
  consentProblem,
  decideFor,
  type GateDecision,
} from './gate.js';

export type { ConsentGateOptions, GateDecision } from './gate.js';

/** The little of Express (or Connect, or node:http) the middleware uses; Express is not required. */
type ExpressLikeRequest = {
  originalUrl?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  consent?: GateDecision;
};
type ExpressLikeResponse = {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
};

/**
 * Express middleware that calls `next()` only when the subject allows every purpose:
 * `app.get('/recommendations', requireConsent(custos, { purposes, subject }), handler)`. Otherwise it
 * answers 451 (or, with `onDenied: 'skip'`, calls `next()` with `req.consent.allowed` false). Errors
 * (Custos unreachable) go to `next(error)`: fail closed.
 */
export function requireConsent<Request extends ExpressLikeRequest>(
  custos: ConsentDecider,
  options: ConsentGateOptions<Request>,
) {
  return function consentGate(
    request: Request,
    response: ExpressLikeResponse,
    next: (error?: unknown) => void,
  ) {
    decideFor(custos, options, request).then(
      (decision) => {
        request.consent = decision;
        if (decision.allowed || options.onDenied === 'skip') return next();
        const path = (request.originalUrl ?? request.url ?? '').split('?')[0] ?? '';
        response.statusCode = 451;
        response.setHeader('content-type', 'application/problem+json');
        response.end(JSON.stringify(consentProblem(decision, path)));
      },
      (error: unknown) => next(error),
    );
  };
}
