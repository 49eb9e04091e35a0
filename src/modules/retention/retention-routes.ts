import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import type { ErasureRetention } from './erasure-retention.js';
import type { LegalHolds } from './legal-holds.js';
import type { RetentionPolicies } from './retention-policies.js';
import { type RunRouteDeps, registerRunRoutes } from './retention-run-routes.js';
import {
  presentHold,
  presentPolicy,
  presentRetention,
  ZIdParams,
  ZLegalHold,
  ZLegalHoldInput,
  ZRetentionPolicy,
  ZRetentionPolicyInput,
  ZSubjectRetention,
} from './retention-schemas.js';

type Deps = RunRouteDeps & {
  retentionPolicies: RetentionPolicies;
  legalHolds: LegalHolds;
  erasureRetention: Pick<ErasureRetention, 'of'>;
};

const tags = ['retention'];

/** Retention rules, legal holds, what erasure kept of a subject, and the scheduled runs. */
export function retentionRoutes(deps: Deps): FastifyPluginAsyncZod {
  const { retentionPolicies, legalHolds, erasureRetention } = deps;
  return async (app) => {
    registerRunRoutes(app, deps);

    app.get(
      '/v1/retention/policies',
      {
        config: { access: 'retention.read' },
        schema: {
          tags,
          summary:
            'Retention rules: what they cover, from which trigger, for how long, and what happens then',
          response: { 200: z.object({ items: z.array(ZRetentionPolicy) }) },
        },
      },
      async () => ({ items: (await retentionPolicies.list()).map(presentPolicy) }),
    );

    app.post(
      '/v1/retention/policies',
      {
        config: { access: 'retention.manage' },
        schema: {
          tags,
          summary: 'Create a retention rule',
          description:
            'Covers one collection, one data category (with those beneath it) in every collection, or the data of one consent purpose. Its period runs from the trigger; then the record is deleted, anonymized (collection rules: the fields listed are kept, those with an operator replaced, the rest dropped) or the subject crypto-shredded. A rule with a legal ground also keeps covered data against erasure requests until its period ends.',
          body: ZRetentionPolicyInput,
          response: { 201: ZRetentionPolicy },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(presentPolicy(await retentionPolicies.create(auditContextOf(request), request.body))),
    );

    app.get(
      '/v1/retention/policies/:id',
      {
        config: { access: 'retention.read' },
        schema: {
          tags,
          summary: 'One retention policy',
          params: ZIdParams,
          response: { 200: ZRetentionPolicy },
        },
      },
      async (request) => presentPolicy(await retentionPolicies.get(request.params.id)),
    );

    app.put(
      '/v1/retention/policies/:id',
      {
        config: { access: 'retention.manage' },
        schema: {
          tags,
          summary: 'Replace a retention policy',
          description:
            'Subjects already kept under the policy follow its new terms when the retention sweep next looks at them.',
          params: ZIdParams,
          body: ZRetentionPolicyInput,
          response: { 200: ZRetentionPolicy },
        },
      },
      async (request) =>
        presentPolicy(
          await retentionPolicies.update(auditContextOf(request), request.params.id, request.body),
        ),
    );

    app.delete(
      '/v1/retention/policies/:id',
      {
        config: { access: 'retention.manage' },
        schema: {
          tags,
          summary: 'Delete a retention policy',
          params: ZIdParams,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await retentionPolicies.remove(auditContextOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/v1/subjects/:id/retention',
      {
        config: { access: 'retention.read' },
        schema: {
          tags,
          summary: 'A subject’s legal holds, and what erasure kept of them until when',
          params: ZIdParams,
          response: { 200: ZSubjectRetention },
        },
      },
      async (request) => {
        const subjectId = request.params.id;
        const [holds, retention] = await Promise.all([
          legalHolds.of(subjectId),
          erasureRetention.of(subjectId),
        ]);
        return { subjectId, legalHolds: holds.map(presentHold), erasure: presentRetention(retention) };
      },
    );

    app.post(
      '/v1/subjects/:id/legal-holds',
      {
        config: { access: 'legal_holds.manage' },
        schema: {
          tags,
          summary: 'Place a legal hold on a subject',
          description:
            'While the hold is in force, erasure requests for the subject are refused with its reason, and data kept under retention is not shredded.',
          params: ZIdParams,
          body: ZLegalHoldInput,
          response: { 201: ZLegalHold },
        },
      },
      async (request, reply) => {
        const { until, ...rest } = request.body;
        const hold = await legalHolds.place(auditContextOf(request), request.params.id, {
          ...rest,
          until: until ? new Date(until) : undefined,
        });
        return reply.status(201).send(presentHold(hold));
      },
    );

    app.post(
      '/v1/legal-holds/:id/lift',
      {
        config: { access: 'legal_holds.manage' },
        schema: { tags, summary: 'Lift a legal hold', params: ZIdParams, response: { 200: ZLegalHold } },
      },
      async (request) => presentHold(await legalHolds.lift(auditContextOf(request), request.params.id)),
    );
  };
}
