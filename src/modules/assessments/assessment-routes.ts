import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { auditContextOf } from '../../http/principal.js';
import { documentContentSecurityPolicy } from '../../lib/documents/document.js';
import type { Approver } from './approval-chain.js';
import type { AssessmentExports } from './assessment-exports.js';
import type { AssessmentRegister } from './assessment-register.js';
import {
  ZActivityParams,
  ZAnswers,
  ZAssessment,
  ZAssessmentList,
  ZCreate,
  ZDecision,
  ZDiff,
  ZDiffQuery,
  ZExportQuery,
  ZIdParams,
  ZLink,
  ZLinked,
  ZListQuery,
  ZProposedScreening,
  ZRejection,
  ZRisks,
  ZScreening,
  ZScreeningList,
  ZSettings,
  ZSnapshot,
  ZSummary,
  ZUpdate,
  ZVersionList,
  ZVersionParams,
} from './assessment-schemas.js';
import type { ScreeningService } from './screening-service.js';

const tags = ['assessments'];

type Deps = {
  screenings: ScreeningService;
  assessments: AssessmentRegister;
  assessmentExports: AssessmentExports;
};

function approverOf(request: FastifyRequest): Approver {
  const principal = request.principal;
  if (principal.kind === 'operator')
    return { type: 'operator', id: principal.operatorId, roles: principal.roles };
  if (principal.kind === 'api_key') return { type: 'api_key', id: principal.keyId, roles: [] };
  return { type: principal.kind, id: null, roles: [] };
}

/** Screening, DPIAs, their approval chain, versions and exports. */
export function assessmentRoutes({
  screenings,
  assessments,
  assessmentExports,
}: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/assessments/summary',
      {
        config: { access: 'assessments.read' },
        schema: {
          tags,
          summary: 'DPIAs due, in progress, done and due for review (counts)',
          response: { 200: ZSummary },
        },
      },
      () => assessments.summary(),
    );

    app.get(
      '/v1/assessments/settings',
      {
        config: { access: 'assessments.read' },
        schema: { tags, summary: 'The approval chain and review period', response: { 200: ZSettings } },
      },
      () => assessments.chainSettings(),
    );

    app.put(
      '/v1/assessments/settings',
      {
        config: { access: 'assessments.approve' },
        schema: {
          tags,
          summary: 'Configure the approval chain, self-approval and the review period',
          description: 'Applies to DPIAs submitted afterwards; a round in progress keeps its chain. Audited.',
          body: ZSettings,
          response: { 200: ZSettings },
        },
      },
      (request) =>
        assessments.saveSettings(
          auditContextOf(request),
          request.body,
          'permissions' in request.principal ? request.principal.permissions : new Set<string>(),
        ),
    );

    app.get(
      '/v1/assessments/screenings',
      {
        config: { access: 'assessments.read' },
        schema: {
          tags,
          summary: 'Every processing activity’s screening, and every proposed activity’s',
          description:
            'An activity never screened is screened now; one whose facts changed since is re-screened with the answers kept (audited as the system).',
          response: { 200: ZScreeningList },
        },
      },
      async () => ({ items: await screenings.list() }),
    );

    app.post(
      '/v1/assessments/screenings',
      {
        config: { access: 'assessments.manage' },
        schema: {
          tags,
          summary: 'Screen a proposed processing activity, not in the data map yet',
          body: ZProposedScreening,
          response: { 201: ZScreening },
        },
      },
      async (request, reply) => {
        const { activity, answers } = request.body;
        return reply
          .status(201)
          .send(await screenings.screenProposed(auditContextOf(request), activity, answers));
      },
    );

    app.get(
      '/v1/assessments/screenings/:id',
      {
        config: { access: 'assessments.read' },
        schema: {
          tags,
          summary: 'One screening (re-screened if its activity changed)',
          params: ZIdParams,
          response: { 200: ZScreening },
        },
      },
      (request) => screenings.get(request.params.id),
    );

    app.put(
      '/v1/assessments/screenings/:id/answers',
      {
        config: { access: 'assessments.manage' },
        schema: {
          tags,
          summary: 'Answer the criteria the data map cannot tell, and screen again',
          params: ZIdParams,
          body: ZAnswers,
          response: { 200: ZScreening },
        },
      },
      (request) => screenings.answer(auditContextOf(request), request.params.id, request.body),
    );

    app.post(
      '/v1/assessments/screenings/:id/link',
      {
        config: { access: 'assessments.manage' },
        schema: {
          tags,
          summary: 'Link a proposed activity’s screening (or one whose activity was deleted) to an activity',
          description:
            'Once the proposed activity is in the data map: the screening becomes the activity’s (answers kept, re-screened on the next read) and its DPIA is carried over; an approved DPIA is flagged for review. 409 `conflict` when the activity already has a DPIA. Audited.',
          params: ZIdParams,
          body: ZLink,
          response: { 200: ZLinked },
        },
      },
      (request) =>
        assessments.linkScreening(auditContextOf(request), request.params.id, request.body.activityId),
    );

    app.get(
      '/v1/assessments/activities/:activityId/screening',
      {
        config: { access: 'assessments.read' },
        schema: {
          tags,
          summary: 'The screening of one processing activity',
          params: ZActivityParams,
          response: { 200: ZScreening },
        },
      },
      (request) => screenings.ofActivity(request.params.activityId),
    );

    app.get(
      '/v1/assessments',
      {
        config: { access: 'assessments.read' },
        schema: {
          tags,
          summary: 'List DPIAs, newest first',
          querystring: ZListQuery,
          response: { 200: ZAssessmentList },
        },
      },
      async (request) => ({ items: await assessments.list(request.query.activityId) }),
    );

    app.post(
      '/v1/assessments',
      {
        config: { access: 'assessments.manage' },
        schema: {
          tags,
          summary: 'Start a DPIA from a screening, its sections pre-filled from the data map',
          body: ZCreate,
          response: { 201: ZAssessment },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            await assessments.create(auditContextOf(request), request.body.screeningId, request.body.title),
          ),
    );

    app.get(
      '/v1/assessments/:id',
      {
        config: { access: 'assessments.read' },
        schema: {
          tags,
          summary: 'One DPIA with its progress, chain and sign-offs',
          params: ZIdParams,
          response: { 200: ZAssessment },
        },
      },
      (request) => assessments.get(request.params.id),
    );

    app.patch(
      '/v1/assessments/:id',
      {
        config: { access: 'assessments.manage' },
        schema: {
          tags,
          summary: 'Edit a draft: title, sections, the consultations',
          description:
            'Only a draft changes; the prior consultation’s record also while the authority’s step awaits it. An approved version is frozen (409 `invalid_transition`): revise it.',
          params: ZIdParams,
          body: ZUpdate,
          response: { 200: ZAssessment },
        },
      },
      (request) => assessments.update(auditContextOf(request), request.params.id, request.body),
    );

    app.put(
      '/v1/assessments/:id/risks',
      {
        config: { access: 'assessments.manage' },
        schema: {
          tags,
          summary: 'Replace the risk register of a draft',
          description:
            'Likelihood and severity from 1 to 4; a mitigation names a security measure of the data map, or is new with an owner and a due date.',
          params: ZIdParams,
          body: ZRisks,
          response: { 200: ZAssessment },
        },
      },
      (request) => assessments.saveRisks(auditContextOf(request), request.params.id, request.body.risks),
    );

    app.post(
      '/v1/assessments/:id/submit',
      {
        config: { access: 'assessments.manage' },
        schema: {
          tags,
          summary: 'Submit a complete draft into the approval chain',
          params: ZIdParams,
          response: { 200: ZAssessment },
        },
      },
      (request) => assessments.submit(auditContextOf(request), request.params.id),
    );

    app.post(
      '/v1/assessments/:id/approve',
      {
        config: { access: 'assessments.approve' },
        schema: {
          tags,
          summary: 'Sign off the step awaiting sign-off',
          description:
            'By an operator holding the step’s role; out of order answers 409 `invalid_transition`; the author or submitter answers 403 when self-approval is forbidden. The last step freezes the version.',
          params: ZIdParams,
          body: ZDecision,
          response: { 200: ZAssessment },
        },
      },
      (request) =>
        assessments.approve(
          auditContextOf(request),
          approverOf(request),
          request.params.id,
          request.body.step,
          request.body.comment,
        ),
    );

    app.post(
      '/v1/assessments/:id/reject',
      {
        config: { access: 'assessments.approve' },
        schema: {
          tags,
          summary: 'Reject at the step awaiting sign-off: back to draft with the reasons',
          params: ZIdParams,
          body: ZRejection,
          response: { 200: ZAssessment },
        },
      },
      (request) =>
        assessments.reject(
          auditContextOf(request),
          approverOf(request),
          request.params.id,
          request.body.step,
          request.body.comment,
        ),
    );

    app.post(
      '/v1/assessments/:id/revise',
      {
        config: { access: 'assessments.manage' },
        schema: {
          tags,
          summary: 'Start a new draft version of an approved DPIA',
          params: ZIdParams,
          response: { 200: ZAssessment },
        },
      },
      (request) => assessments.revise(auditContextOf(request), request.params.id),
    );

    app.get(
      '/v1/assessments/:id/versions',
      {
        config: { access: 'assessments.read' },
        schema: {
          tags,
          summary: 'The approved, frozen versions',
          params: ZIdParams,
          response: { 200: ZVersionList },
        },
      },
      async (request) => ({ items: await assessments.versions(request.params.id) }),
    );

    app.get(
      '/v1/assessments/:id/versions/:version',
      {
        config: { access: 'assessments.read' },
        schema: {
          tags,
          summary: 'One approved version',
          params: ZVersionParams,
          response: { 200: ZSnapshot },
        },
      },
      (request) => assessments.version(request.params.id, request.params.version),
    );

    app.get(
      '/v1/assessments/:id/diff',
      {
        config: { access: 'assessments.read' },
        schema: {
          tags,
          summary: 'What changed between two approved versions',
          params: ZIdParams,
          querystring: ZDiffQuery,
          response: { 200: ZDiff },
        },
      },
      async (request) => ({
        from: request.query.from,
        to: request.query.to,
        changes: await assessments.diff(request.params.id, request.query.from, request.query.to),
      }),
    );

    app.get(
      '/v1/assessments/:id/export',
      {
        config: { access: 'assessments.read' },
        schema: {
          tags,
          summary: 'Export a DPIA as HTML, PDF or JSON (the current state or an approved version)',
          params: ZIdParams,
          querystring: ZExportQuery,
        },
      },
      async (request, reply) => {
        const rendered = await assessmentExports.exportDpia(
          auditContextOf(request),
          request.params.id,
          request.query.format,
          request.query.version,
        );
        if (rendered.format === 'json') return reply.send(ZAssessment.parse(rendered.assessment));
        return reply
          .type(rendered.contentType)
          .header('content-disposition', `attachment; filename="${rendered.filename}"`)
          .header('content-security-policy', documentContentSecurityPolicy)
          .send(rendered.body);
      },
    );
  };
}
