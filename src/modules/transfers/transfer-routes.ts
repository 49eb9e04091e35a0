import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import { regions } from '../../lib/countries.js';
import { inForceOn, internationalOrganisations } from './adequacy.js';
import type { Mechanism, ResidencyPolicy, Tia } from './transfer-model.js';
import type { TransferRecords } from './transfer-records.js';
import {
  ZDecision,
  ZDecisionIdParams,
  ZIdParams,
  ZMechanism,
  ZMechanismInput,
  ZOverride,
  ZOverrideCreate,
  ZPolicy,
  ZPolicyInput,
  ZReference,
  ZReferenceQuery,
  ZRegister,
  ZTia,
  ZTiaInput,
  ZValidateInput,
} from './transfer-schemas.js';
import type { TransferService } from './transfer-service.js';

const tags = ['transfers'];

const presentPolicy = (policy: ResidencyPolicy) => ({
  ...policy,
  classificationDestinations: policy.classificationDestinations as Record<string, string[]>,
  createdAt: policy.createdAt.toISOString(),
  updatedAt: policy.updatedAt.toISOString(),
});
const presentTia = (tia: Tia) => ({ ...tia, createdAt: tia.createdAt.toISOString() });
const presentMechanism = (mechanism: Mechanism) => ({
  id: mechanism.id,
  recipientType: mechanism.recipientType,
  recipientId: mechanism.recipientId,
  recipientName: mechanism.recipientName,
  destination: mechanism.destination,
  kind: mechanism.details.kind,
  details: mechanism.details as Record<string, unknown>,
  validFrom: mechanism.validFrom,
  validUntil: mechanism.validUntil,
  createdAt: mechanism.createdAt.toISOString(),
  updatedAt: mechanism.updatedAt.toISOString(),
  tias: mechanism.tias.map(presentTia),
});

type Deps = { transferRecords: TransferRecords; transfers: TransferService };

/** Adequacy reference data, residency policies, mechanisms and TIAs, the register, and validation. */
export function transferRoutes({ transferRecords: records, transfers }: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/transfers/reference',
      {
        config: { access: 'transfers.read' },
        schema: {
          tags,
          summary: 'The adequacy decisions Custos decides with: shipped, overridden, dated, with sources',
          querystring: ZReferenceQuery,
          response: { 200: ZReference },
        },
      },
      async (request) => {
        const reference = await records.reference();
        const asOf = request.query.asOf ?? null;
        return {
          info: reference.info,
          decisions: reference.decisions,
          overrides: reference.overrides,
          regions: Object.fromEntries(Object.entries(regions).map(([code, members]) => [code, [...members]])),
          internationalOrganisations: { ...internationalOrganisations },
          asOf,
          inForceOnDate: asOf
            ? reference.decisions
                .filter((decision) => inForceOn(decision, asOf))
                .map((decision) => decision.id)
            : null,
        };
      },
    );

    app.put(
      '/v1/transfers/reference/overrides',
      {
        config: { access: 'transfers.manage' },
        schema: {
          tags,
          summary: 'Add or replace an adequacy decision, or revoke a shipped one (audited)',
          description:
            'For when the law changes before Custos is updated: an entry with a shipped id replaces it (or, revoked, removes it); a new id adds a decision. Audited as `transfers.adequacy.overridden` or `transfers.adequacy.revoked`.',
          body: ZOverrideCreate,
          response: { 200: ZOverride },
        },
      },
      async (request) => records.setOverride(auditContextOf(request), request.body),
    );

    app.delete(
      '/v1/transfers/reference/overrides/:id',
      {
        config: { access: 'transfers.manage' },
        schema: {
          tags,
          summary: 'Remove an override: the shipped decision applies again',
          params: ZDecisionIdParams,
        },
      },
      async (request, reply) => {
        await records.removeOverride(auditContextOf(request), request.params.id);
        return reply.status(204).send();
      },
    );

    app.get(
      '/v1/transfers/policies',
      {
        config: { access: 'transfers.read' },
        schema: {
          tags,
          summary: 'Residency policies',
          response: { 200: z.object({ items: z.array(ZPolicy) }) },
        },
      },
      async () => ({ items: (await records.policies()).map(presentPolicy) }),
    );

    app.post(
      '/v1/transfers/policies',
      {
        config: { access: 'transfers.manage' },
        schema: {
          tags,
          summary: 'Create the residency policy of a region (one per region; audited)',
          body: ZPolicyInput,
          response: { 201: ZPolicy },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(presentPolicy(await records.createPolicy(auditContextOf(request), request.body))),
    );

    app.put(
      '/v1/transfers/policies/:id',
      {
        config: { access: 'transfers.manage' },
        schema: {
          tags,
          summary: 'Replace a residency policy (audited)',
          params: ZIdParams,
          body: ZPolicyInput,
          response: { 200: ZPolicy },
        },
      },
      async (request) =>
        presentPolicy(await records.updatePolicy(auditContextOf(request), request.params.id, request.body)),
    );

    app.delete(
      '/v1/transfers/policies/:id',
      {
        config: { access: 'transfers.manage' },
        schema: { tags, summary: 'Remove a residency policy (audited)', params: ZIdParams },
      },
      async (request, reply) => {
        await records.removePolicy(auditContextOf(request), request.params.id);
        return reply.status(204).send();
      },
    );

    app.get(
      '/v1/transfers/mechanisms',
      {
        config: { access: 'transfers.read' },
        schema: {
          tags,
          summary: 'Transfer mechanisms by recipient, each with its impact assessments (newest first)',
          response: { 200: z.object({ items: z.array(ZMechanism) }) },
        },
      },
      async () => ({ items: (await records.mechanisms()).map(presentMechanism) }),
    );

    app.post(
      '/v1/transfers/mechanisms',
      {
        config: { access: 'transfers.manage' },
        schema: {
          tags,
          summary: 'Record a mechanism for a recipient and destination (audited)',
          description:
            'SCCs name their module, which must match the roles (1: C→C, 2: C→P, 3: P→P, 4: P→C); a derogation needs its justification and says whether the flow is regular (derogations suit occasional transfers only).',
          body: ZMechanismInput,
          response: { 201: ZMechanism },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(presentMechanism(await records.createMechanism(auditContextOf(request), request.body))),
    );

    app.get(
      '/v1/transfers/mechanisms/:id',
      {
        config: { access: 'transfers.read' },
        schema: {
          tags,
          summary: 'One mechanism with its impact assessments',
          params: ZIdParams,
          response: { 200: ZMechanism },
        },
      },
      async (request) => presentMechanism(await records.getMechanism(request.params.id)),
    );

    app.delete(
      '/v1/transfers/mechanisms/:id',
      {
        config: { access: 'transfers.manage' },
        schema: { tags, summary: 'Remove a mechanism and its assessments (audited)', params: ZIdParams },
      },
      async (request, reply) => {
        await records.removeMechanism(auditContextOf(request), request.params.id);
        return reply.status(204).send();
      },
    );

    app.post(
      '/v1/transfers/mechanisms/:id/tias',
      {
        config: { access: 'transfers.manage' },
        schema: {
          tags,
          summary: 'Record a transfer impact assessment for an SCC or BCR mechanism (audited)',
          params: ZIdParams,
          body: ZTiaInput,
          response: { 201: ZTia },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(presentTia(await records.addTia(auditContextOf(request), request.params.id, request.body))),
    );

    app.get(
      '/v1/transfers/register',
      {
        config: { access: 'transfers.read' },
        schema: {
          tags,
          summary:
            'The transfer register: every flow of the data map out of the exporter’s region, decided today',
          response: { 200: ZRegister },
        },
      },
      async () => {
        const register = await transfers.register();
        const approved = register.flows.filter(
          (flow) => flow.status === 'adequacy' || flow.status === 'covered',
        );
        return {
          generatedAt: register.generatedAt.toISOString(),
          exporter: register.exporter,
          flows: register.flows.map(({ mechanisms, ...flow }) => ({
            ...flow,
            mechanismIds: mechanisms.map((mechanism) => mechanism.id),
          })),
          approvals: { approved: approved.length, total: register.flows.length },
        };
      },
    );

    app.post(
      '/v1/transfers/validate',
      {
        config: { access: 'transfers.read' },
        schema: {
          tags,
          summary: 'Decide a transfer: allowed, allowed with a mechanism, or refused, with the reasons',
          description:
            'Weighs the residency policy of the source region, adequacy as of the date (with its scope), the SCC module the roles need, and the mechanisms and TIAs in place for the recipient. Reasons carry stable codes. Audited as `transfers.validated` (codes only). Decision support, not legal advice.',
          body: ZValidateInput,
          response: { 200: ZDecision },
        },
      },
      async (request) => {
        const { data, ...rest } = request.body;
        return transfers.validate(auditContextOf(request), { ...data, ...rest });
      },
    );
  };
}
