import type { KeyObject } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import { ZRequestId } from '../requests/request-schemas.js';
import type { DrpAgents } from './drp-agents.js';
import { signatureHeader } from './drp-callbacks.js';
import type { DrpOperations } from './drp-operations.js';
import { drpExercises, drpSupportedVerifications } from './drp-protocol.js';
import {
  ZAgent,
  ZAgentChanges,
  ZAgentIdParams,
  ZAgentInput,
  ZBusiness,
  ZDrpRequestView,
} from './drp-schemas.js';
import { verifyKeyOf } from './drp-signature.js';

type Deps = {
  drpAgents: DrpAgents;
  drpOperations: DrpOperations;
  drpSigningKey: () => KeyObject;
  publicUrl: string;
};

const tags = ['drp'];

/** Operators' side of the Data Rights Protocol: the trusted agents, this business's entry, DRP requests. */
export function drpAdminRoutes({
  drpAgents,
  drpOperations,
  drpSigningKey,
  publicUrl,
}: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/drp/business',
      {
        config: { access: 'drp.agents.read' },
        schema: {
          tags,
          summary: 'This business in the DRP network: what to give the directory and the agents',
          description:
            'Agents verify the status callbacks with `callbackVerifyKey`: the header carries the detached Ed25519 signature of the body.',
          response: { 200: ZBusiness },
        },
      },
      async () => ({
        businessId: drpAgents.enabled() ? drpAgents.businessId() : null,
        apiBase: publicUrl,
        supportedActions: [...drpExercises],
        supportedVerifications: [...drpSupportedVerifications],
        callbackVerifyKey: verifyKeyOf(drpSigningKey()),
        callbackSignatureHeader: signatureHeader,
      }),
    );

    app.get(
      '/v1/drp/agents',
      {
        config: { access: 'drp.agents.read' },
        schema: {
          tags,
          summary: 'The trusted authorized agents',
          response: { 200: z.object({ items: z.array(ZAgent) }) },
        },
      },
      async () => ({ items: await drpAgents.list() }),
    );

    app.post(
      '/v1/drp/agents',
      {
        config: { access: 'drp.agents.manage' },
        schema: {
          tags,
          summary: 'Trust an authorized agent',
          description:
            'An entry of the DRP service directory. Agents listed in CUSTOS_DRP_AGENTS_FILE are applied at every start.',
          body: ZAgentInput,
          response: { 201: ZAgent },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await drpAgents.create(auditContextOf(request), request.body)),
    );

    app.get(
      '/v1/drp/agents/:agentId',
      {
        config: { access: 'drp.agents.read' },
        schema: { tags, summary: 'One trusted agent', params: ZAgentIdParams, response: { 200: ZAgent } },
      },
      async (request) => drpAgents.get(request.params.agentId),
    );

    app.patch(
      '/v1/drp/agents/:agentId',
      {
        config: { access: 'drp.agents.manage' },
        schema: {
          tags,
          summary: 'Change a trusted agent',
          description:
            'A new `verifyKey` ends the agent’s pairing: it must pair again, signing with the new key.',
          params: ZAgentIdParams,
          body: ZAgentChanges,
          response: { 200: ZAgent },
        },
      },
      async (request) => drpAgents.update(auditContextOf(request), request.params.agentId, request.body),
    );

    app.delete(
      '/v1/drp/agents/:agentId',
      {
        config: { access: 'drp.agents.manage' },
        schema: {
          tags,
          summary: 'Stop trusting an agent',
          description:
            'Its token stops working at once; its requests stay. An agent still listed in CUSTOS_DRP_AGENTS_FILE comes back at the next start.',
          params: ZAgentIdParams,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await drpAgents.remove(auditContextOf(request), request.params.agentId);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/v1/requests/:id/drp',
      {
        config: { access: 'requests.read' },
        schema: {
          tags,
          summary: 'The DRP side of a request: agent, exercise, masked identity claims, callbacks',
          params: ZRequestId,
          response: { 200: ZDrpRequestView },
        },
      },
      async (request) => drpOperations.view(request.params.id),
    );

    app.post(
      '/v1/requests/:id/drp/callback',
      {
        config: { access: 'requests.manage' },
        schema: {
          tags,
          summary: 'Send the request’s status to its agent again',
          description: 'A new round of attempts with the current status, e.g. after a callback failed.',
          params: ZRequestId,
          response: { 202: ZDrpRequestView },
        },
      },
      async (request, reply) =>
        reply
          .status(202)
          .send(await drpOperations.resendCallback(auditContextOf(request), request.params.id)),
    );
  };
}
