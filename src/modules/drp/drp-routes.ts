import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import { toAppError } from '../../http/problem.js';
import type { DrpAgents } from './drp-agents.js';
import { DrpError, type DrpErrorBody, isDrpError } from './drp-protocol.js';
import {
  drpErrorResponses,
  ZAgentIdParams,
  ZDrpRequestParams,
  ZDrpStatus,
  ZPairing,
  ZSignedBody,
} from './drp-schemas.js';
import type { DrpService } from './drp-service.js';

type Deps = { drpAgents: DrpAgents; drp: DrpService; rateLimitPerMinute: number };

const tags = ['drp'];
const consumes = ['text/plain'];
const bearerDescription =
  'Authenticated by the DRP itself, not by Custos credentials: `Authorization: Bearer <token>` with the token from pairing (§2.05).';
const signedDescription =
  'The body is a message signed by the agent (§3.07): base64 of the Ed25519 signature followed by the JSON document, as text/plain.';

function bearerOf(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

function sendDrpError(reply: FastifyReply, status: number, body: DrpErrorBody | undefined): FastifyReply {
  reply.status(status);
  if (!body) return reply.send();
  return reply.type('application/json; charset=utf-8').serializer(JSON.stringify).send(body);
}

/**
 * The Data Rights Protocol 1.0 endpoints agents call (§2.01–2.06). They are declared `public` because
 * Custos credentials do not apply: each route checks the protocol's own proof — the Ed25519 signature of
 * the message against the agent's directory key, and the bearer token pairing issued — before anything
 * else. Errors are the spec's error objects (§3.06), not problem documents; pairing failures are a bare 403.
 */
export function drpRoutes({ drpAgents, drp, rateLimitPerMinute }: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.setErrorHandler((error, request, reply) => {
      if (isDrpError(error)) {
        return sendDrpError(reply, error.status, error.options.emptyBody ? undefined : error.body);
      }
      const appError = toAppError(error);
      if (appError.status >= 500) request.log.error({ err: appError.cause ?? error }, 'DRP request failed');
      for (const [name, value] of Object.entries(appError.headers)) reply.header(name, value);
      return sendDrpError(reply, appError.status, {
        code: String(appError.status),
        message: appError.message,
      });
    });

    app.post(
      '/v1/agent/:agentId',
      {
        config: { access: 'public', rateLimit: { max: rateLimitPerMinute, timeWindow: '1 minute' } },
        bodyLimit: 64 * 1024,
        schema: {
          tags,
          summary: 'Pair an authorized agent: get its bearer token (DRP §2.05)',
          description: `${signedDescription} The document names the agent, this business, \`issued-at\`, \`expires-at\` and \`drp.version\`; it must be newer than the agent's last pairing. A new token replaces the previous one. Any failure is a 403 without a body.`,
          params: ZAgentIdParams,
          consumes,
          body: ZSignedBody,
          response: { 200: ZPairing },
        },
      },
      async (request) => {
        const token = await drpAgents.pair(auditContextOf(request), request.params.agentId, request.body);
        return { 'agent-id': request.params.agentId, token };
      },
    );

    app.get(
      '/v1/agent/:agentId',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Check that an agent’s bearer token is valid (DRP §2.06)',
          description: bearerDescription,
          params: ZAgentIdParams,
          response: { 200: z.object({}), ...drpErrorResponses },
        },
      },
      async (request) => {
        const agent = await drpAgents.agentOfToken(bearerOf(request));
        if (agent.id !== request.params.agentId) {
          throw new DrpError('agent_mismatch', 'The token was issued to another agent.');
        }
        return {};
      },
    );

    app.post(
      '/v1/data-rights-request',
      {
        config: { access: 'public' },
        bodyLimit: 64 * 1024,
        schema: {
          tags,
          summary: 'Exercise a data right on a consumer’s behalf (DRP §2.01)',
          description: `${bearerDescription} ${signedDescription} The answer is the new request's status; sending the same message again answers with the same request.`,
          consumes,
          body: ZSignedBody,
          response: { 200: ZDrpStatus, ...drpErrorResponses },
        },
      },
      async (request) => drp.exercise(auditContextOf(request), bearerOf(request), request.body),
    );

    app.get(
      '/v1/data-rights-request/:requestId',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'The status of a request the agent filed (DRP §2.02)',
          description: `${bearerDescription} Another agent's request answers 403.`,
          params: ZDrpRequestParams,
          response: { 200: ZDrpStatus, ...drpErrorResponses },
        },
      },
      async (request) => drp.status(bearerOf(request), request.params.requestId),
    );

    app.get(
      '/v1/data-rights-request/:requestId/results',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'The consumer’s data, for a fulfilled access request (DRP §3.02 `results_url`)',
          description: `${bearerDescription} The access package of a fulfilled \`access\` request, as JSON (\`custos.access-package\`) or, with \`format=html\`, as a page a person can read. Available until the status's \`expires_at\` (410 after); every download is audited. Errors are DRP error objects: 404 no results, 403 another agent's request, 410 expired.`,
          params: ZDrpRequestParams,
          querystring: z.object({ format: z.enum(['json', 'html']).default('json') }),
        },
      },
      async (request, reply) => {
        const file = await drp.results(
          auditContextOf(request),
          bearerOf(request),
          request.params.requestId,
          request.query.format,
        );
        return reply
          .header('content-type', file.contentType)
          .header('content-disposition', `attachment; filename="${file.filename}"`)
          .header('x-content-type-options', 'nosniff')
          .send(file.content);
      },
    );

    app.delete(
      '/v1/data-rights-request/:requestId',
      {
        config: { access: 'public' },
        bodyLimit: 64 * 1024,
        schema: {
          tags,
          summary: 'Revoke a request for the consumer (DRP §2.04)',
          description: `${bearerDescription} ${signedDescription} The document may carry the consumer's \`reason\`. The answer carries the new \`revoked\` status.`,
          params: ZDrpRequestParams,
          consumes,
          body: ZSignedBody,
          response: { 200: ZDrpStatus, ...drpErrorResponses },
        },
      },
      async (request) =>
        drp.revoke(auditContextOf(request), bearerOf(request), request.params.requestId, request.body),
    );
  };
}
