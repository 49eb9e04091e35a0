import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { auditContextOf } from '../../http/principal.js';
import { AppError } from '../../lib/app-error.js';
import type { Permission } from '../access/permissions.js';
import type { AuditWriter } from '../audit/audit-types.js';
import {
  ZAssignment,
  ZCodeConfirmation,
  ZCodeSent,
  ZExtension,
  ZFileRequest,
  ZManualVerification,
  ZRequest,
  ZRequestDetail,
  ZRequestId,
  ZRequestPage,
  ZRequestQuery,
  ZTransition,
  ZWithdrawal,
} from './request-schemas.js';
import type { RequestService } from './request-service.js';
import { type Regime, type RequestType, regimes, requestTypesByRegime } from './request-types.js';
import type { RequestVerification } from './request-verification.js';

type Deps = { requests: RequestService; requestVerification: RequestVerification; audit: AuditWriter };

const tags = ['requests'];

function regimeOf(type: RequestType): Regime {
  return regimes.find((regime) =>
    (requestTypesByRegime[regime] as readonly string[]).includes(type),
  ) as Regime;
}

/** A second permission some bodies need beyond the route's own; a denial is audited like any other. */
async function requirePermission(request: FastifyRequest, permission: Permission, audit: AuditWriter) {
  const principal = request.principal;
  if (principal.kind !== 'anonymous' && principal.permissions.has(permission)) return;
  await audit.record(auditContextOf(request), {
    action: 'access.denied',
    outcome: 'denied',
    details: { method: request.method, route: request.routeOptions.url ?? null, permission },
  });
  throw new AppError('forbidden', `This needs the ${permission} permission.`, { extensions: { permission } });
}

/** Data-subject requests: filing, the work queue, state changes, deadlines and identity verification. */
export function requestRoutes({ requests, requestVerification, audit }: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/v1/requests',
      {
        config: { access: 'requests.create' },
        schema: {
          tags,
          summary: 'File a data-subject request',
          description:
            'The deadline runs from `receivedAt` (default: now): one calendar month under GDPR, 45 days under CCPA. With `authenticatedSubject` (needs requests.verify) the request starts verified; otherwise verify it by e-mail code or manually.',
          body: ZFileRequest,
          response: { 201: ZRequest },
        },
      },
      async (request, reply) => {
        const { body, principal } = request;
        if (body.authenticatedSubject) await requirePermission(request, 'requests.verify', audit);
        const byOperator = principal.kind === 'operator';
        const view = await requests.file(auditContextOf(request), {
          ...body,
          regime: body.regime ?? regimeOf(body.type),
          channel: body.channel ?? (byOperator ? 'operator' : 'api'),
          filedBy: body.filedBy ?? (byOperator ? 'operator' : 'subject'),
          receivedAt: body.receivedAt ? new Date(body.receivedAt) : undefined,
        });
        return reply.status(201).send(view);
      },
    );

    app.get(
      '/v1/requests',
      {
        config: { access: 'requests.read' },
        schema: {
          tags,
          summary: 'The request queue, most urgent first',
          description:
            'Ordered by deadline. `overdue=true` and `dueWithinDays=N` select open requests only; `assignee=me` the caller’s own.',
          querystring: ZRequestQuery,
          response: { 200: ZRequestPage },
        },
      },
      async (request) => {
        const { cursor, limit, assignee, ...filters } = request.query;
        const principal = request.principal;
        let assigneeFilter: string | null | undefined = assignee;
        if (assignee === 'none') assigneeFilter = null;
        if (assignee === 'me') {
          if (principal.kind !== 'operator') {
            throw new AppError('invalid_query_parameter', 'assignee=me needs an operator session.', {
              errors: [{ in: 'querystring', path: 'assignee', message: 'me is for operators' }],
            });
          }
          assigneeFilter = principal.operatorId;
        }
        return requests.list({ ...filters, assignee: assigneeFilter }, cursor, limit);
      },
    );

    app.get(
      '/v1/requests/:id',
      {
        config: { access: 'requests.read' },
        schema: {
          tags,
          summary: 'One request with its timeline',
          params: ZRequestId,
          response: { 200: ZRequestDetail },
        },
      },
      async (request) => requests.get(request.params.id),
    );

    app.post(
      '/v1/requests/:id/transitions',
      {
        config: { access: 'requests.manage' },
        schema: {
          tags,
          summary: 'Move a request to its next state',
          description:
            'Allowed moves are the `allowedTransitions` of the request; any other answers 409 `invalid_transition` with the current `state`. A rejection needs a reason code and tells the subject. Identity verification has its own routes.',
          params: ZRequestId,
          body: ZTransition,
          response: { 200: ZRequest },
        },
      },
      async (request) => requests.transition(auditContextOf(request), request.params.id, request.body),
    );

    app.post(
      '/v1/requests/:id/withdrawal',
      {
        config: { access: 'requests.create' },
        schema: {
          tags,
          summary: 'Withdraw a request on its subject’s behalf',
          params: ZRequestId,
          body: ZWithdrawal,
          response: { 200: ZRequest },
        },
      },
      async (request) => requests.withdraw(auditContextOf(request), request.params.id, request.body?.note),
    );

    app.put(
      '/v1/requests/:id/assignee',
      {
        config: { access: 'requests.manage' },
        schema: {
          tags,
          summary: 'Assign a request to an operator (or unassign it)',
          params: ZRequestId,
          body: ZAssignment,
          response: { 200: ZRequest },
        },
      },
      async (request) => requests.assign(auditContextOf(request), request.params.id, request.body.operatorId),
    );

    app.post(
      '/v1/requests/:id/extension',
      {
        config: { access: 'requests.manage' },
        schema: {
          tags,
          summary: 'Extend the deadline once, telling the subject why',
          description:
            'GDPR: to three months from receipt; CCPA: by 45 days. Only before the first deadline has passed, and only once (409 otherwise).',
          params: ZRequestId,
          body: ZExtension,
          response: { 200: ZRequest },
        },
      },
      async (request) => requests.extend(auditContextOf(request), request.params.id, request.body.reason),
    );

    app.post(
      '/v1/requests/:id/verification',
      {
        config: { access: 'requests.create' },
        schema: {
          tags,
          summary: 'E-mail a one-time verification code to the requester',
          description:
            'Six digits, valid 15 minutes, five attempts; a new code replaces the previous one. At most five codes per request a day (429).',
          params: ZRequestId,
          response: { 202: ZCodeSent },
        },
      },
      async (request, reply) => {
        const sent = await requestVerification.sendCode(auditContextOf(request), request.params.id);
        return reply.status(202).send({ request: sent.request, expiresAt: sent.expiresAt.toISOString() });
      },
    );

    app.post(
      '/v1/requests/:id/verification/confirm',
      {
        config: { access: 'requests.create' },
        schema: {
          tags,
          summary: 'Confirm the requester’s identity with the code they received',
          description:
            'A wrong code answers 422 `verification_failed` with `attemptsLeft`; an expired or used-up code 410 `verification_expired`.',
          params: ZRequestId,
          body: ZCodeConfirmation,
          response: { 200: ZRequest },
        },
      },
      async (request) =>
        requestVerification.confirmCode(auditContextOf(request), request.params.id, request.body.code),
    );

    app.post(
      '/v1/requests/:id/verification/manual',
      {
        config: { access: 'requests.verify' },
        schema: {
          tags,
          summary: 'Record an identity check made outside Custos',
          params: ZRequestId,
          body: ZManualVerification,
          response: { 200: ZRequest },
        },
      },
      async (request) =>
        requestVerification.verifyManually(auditContextOf(request), request.params.id, request.body),
    );
  };
}
