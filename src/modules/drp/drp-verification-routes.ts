import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import { ZCodeConfirmation } from '../requests/request-schemas.js';
import { drpExercises } from './drp-protocol.js';
import type { DrpVerification, DrpVerificationView } from './drp-verification.js';

type Deps = { drpVerification: DrpVerification; rateLimitPerMinute: number };

const tags = ['drp'];
const ZParams = z.object({ verificationId: z.uuid().toLowerCase() });
const ZRequestRef = z.uuid().toLowerCase().describe('The `request_id` the agent added to the link (§3.02.1)');

const ZVerification = z
  .object({
    requestId: z.uuid().toLowerCase(),
    exercise: z.enum(drpExercises),
    agentName: z.string(),
    confirmsOptIn: z.boolean().describe('The consumer confirms an opt-in here (two-step, 11 CCR § 7028)'),
    state: z.enum(['pending', 'verified', 'fulfilled', 'closed', 'expired']),
    contact: z.string().nullable().describe('Where the code goes, masked'),
    expiresAt: z.iso.datetime(),
    redirectTo: z.string().nullable().describe('The agent’s redirect_to, if HTTPS: go there once verified'),
  })
  .meta({ id: 'DrpVerification' });

function present(view: DrpVerificationView): z.infer<typeof ZVerification> {
  return view;
}

/** The consumer's address and browser, as consent proof (hashed by the consent module at once). */
function proofOf(request: FastifyRequest) {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip,
    userAgent: typeof userAgent === 'string' && userAgent.length <= 1000 ? userAgent : undefined,
  };
}

/**
 * What the consumer's verification page (`/privacy/verify/{verificationId}`) calls: public, since the
 * consumer has no account; the opaque id and the request id together find the request, and the e-mail
 * code proves the consumer. Rate-limited per client address like sign-in.
 */
export function drpVerificationRoutes({ drpVerification, rateLimitPerMinute }: Deps): FastifyPluginAsyncZod {
  const rateLimit = { max: rateLimitPerMinute, timeWindow: '1 minute' };
  return async (app) => {
    app.get(
      '/v1/privacy/verifications/:verificationId',
      {
        config: { access: 'public', rateLimit },
        schema: {
          tags,
          summary: 'A DRP request waiting for the consumer’s verification (DRP §3.02.1)',
          description:
            'The page at a status’s `user_verification_url` calls this with the `request_id` the agent added to the link; another request id answers 404.',
          params: ZParams,
          querystring: z.object({
            requestId: ZRequestRef,
            redirectTo: z.string().max(2000).optional().describe('The agent’s `redirect_to`'),
          }),
          response: { 200: ZVerification },
        },
      },
      async (request) =>
        present(
          await drpVerification.view(
            request.params.verificationId,
            request.query.requestId,
            request.query.redirectTo,
          ),
        ),
    );

    app.post(
      '/v1/privacy/verifications/:verificationId/code',
      {
        config: { access: 'public', rateLimit },
        schema: {
          tags,
          summary: 'E-mail the consumer a one-time code for a DRP request',
          description:
            'Six digits, valid 15 minutes, five attempts; at most five codes per request a day (429). 409 once verified, 410 after the request’s deadline.',
          params: ZParams,
          body: z.object({ requestId: ZRequestRef }),
          response: {
            202: z.object({ verification: ZVerification, codeExpiresAt: z.iso.datetime() }),
          },
        },
      },
      async (request, reply) => {
        const sent = await drpVerification.sendCode(
          auditContextOf(request),
          request.params.verificationId,
          request.body.requestId,
        );
        return reply.status(202).send({
          verification: present(sent.verification),
          codeExpiresAt: sent.codeExpiresAt.toISOString(),
        });
      },
    );

    app.post(
      '/v1/privacy/verifications/:verificationId/confirm',
      {
        config: { access: 'public', rateLimit },
        schema: {
          tags,
          summary: 'Verify the consumer with their code (and confirm an opt-in)',
          description:
            'A wrong code answers 422 `verification_failed` with `attemptsLeft`; an expired or used-up one 410 `verification_expired`. An opt-in needs `confirmOptIn: true` and is recorded at once.',
          params: ZParams,
          body: z.object({
            requestId: ZRequestRef,
            code: ZCodeConfirmation.shape.code,
            confirmOptIn: z.boolean().optional(),
          }),
          response: { 200: ZVerification },
        },
      },
      async (request) =>
        present(
          await drpVerification.confirm(auditContextOf(request), request.params.verificationId, {
            ...request.body,
            proof: proofOf(request),
          }),
        ),
    );
  };
}
