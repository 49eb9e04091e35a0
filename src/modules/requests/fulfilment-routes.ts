import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import type { Erasure } from './erasure.js';
import {
  presentTask,
  ZCallbackInput,
  ZCallbackQuery,
  ZClosureInput,
  ZErasureInput,
  ZErasureResult,
  ZLiftInput,
  ZLiftResult,
  ZObjectionInput,
  ZObjectionResult,
  ZRectificationInput,
  ZRectificationResult,
  ZRequestedCorrection,
  ZRestrictionInput,
  ZTask,
} from './fulfilment-schemas.js';
import type { Objection } from './objection.js';
import type { Rectification } from './rectification.js';
import { ZRequest, ZRequestId } from './request-schemas.js';
import type { Restriction } from './restriction.js';
import type { SystemTasks } from './system-tasks.js';

type Deps = {
  rectification: Rectification;
  erasure: Erasure;
  restriction: Restriction;
  objection: Objection;
  systemTasks: SystemTasks;
};

const tags = ['requests'];
const inProgress =
  'The request must be in progress. Afterwards it awaits the downstream systems told, or is completed.';

/** Fulfilment of rectification, erasure, restriction and objection requests, and their downstream tasks. */
export function fulfilmentRoutes({
  rectification,
  erasure,
  restriction,
  objection,
  systemTasks,
}: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/v1/requests/:id/rectification',
      {
        config: { access: 'requests.fulfil' },
        schema: {
          tags,
          summary: 'Correct the subject’s records (rectification, right to correct)',
          description: `Each correction is validated against its record's collection; all are applied in one transaction, or none, with one error per bad field. Audited with record ids and field names. Systems holding the corrected categories are sent a task. ${inProgress}`,
          params: ZRequestId,
          body: ZRectificationInput,
          response: { 200: ZRectificationResult },
        },
      },
      async (request) => rectification.rectify(auditContextOf(request), request.params.id, request.body),
    );

    app.get(
      '/v1/requests/:id/corrections',
      {
        config: { access: 'requests.fulfil' },
        schema: {
          tags,
          summary: 'What the subject asked to have corrected, in clear',
          description:
            'The records, fields and corrected values a subject named when asking for rectification in the privacy center (checked against the collections then; checked again when applied through `/rectification`). Empty when none were named or once the request has closed. Read for `dsr_fulfilment`, audited with the field names only.',
          params: ZRequestId,
          response: { 200: z.object({ items: z.array(ZRequestedCorrection) }) },
        },
      },
      async (request) => ({
        items: await rectification.requested(auditContextOf(request), request.params.id),
      }),
    );

    app.post(
      '/v1/requests/:id/erasure',
      {
        config: { access: 'requests.fulfil' },
        schema: {
          tags,
          summary: 'Erase the subject (erasure, right to delete), keeping only what retention requires',
          description: `A subject under a legal hold is refused: the request is rejected with the hold's reason, the subject told, and the answer is 409 \`legal_hold\`. Otherwise the subject is crypto-shredded, or — when retention policies keep some records — everything else is deleted, what is kept is minimised and restricted until the retention ends. The answer (and the mail to the subject) says what was kept and why. ${inProgress}`,
          params: ZRequestId,
          body: ZErasureInput,
          response: { 200: ZErasureResult },
        },
      },
      async (request) => {
        const outcome = await erasure.erase(auditContextOf(request), request.params.id, request.body ?? {});
        return { ...outcome, retainedUntil: outcome.retainedUntil?.toISOString() ?? null };
      },
    );

    app.post(
      '/v1/requests/:id/restriction',
      {
        config: { access: 'requests.fulfil' },
        schema: {
          tags,
          summary: 'Restrict processing of the subject’s data (GDPR Art. 18)',
          description: `The subject is marked restricted: records are read only for the \`restricted_processing\` purpose, consent checks allow nothing. ${inProgress}`,
          params: ZRequestId,
          body: ZRestrictionInput,
          response: { 200: ZRequest },
        },
      },
      async (request) => restriction.restrict(auditContextOf(request), request.params.id, request.body),
    );

    app.post(
      '/v1/subjects/:id/restriction/lift',
      {
        config: { access: 'restrictions.lift' },
        schema: {
          tags,
          summary: 'Lift a subject’s restriction of processing',
          description:
            'Audited with its reason; the subject is told on the request that asked for the restriction, and downstream systems are sent `downstream.restriction_lifted`. A subject kept under retention after erasure stays restricted (409).',
          params: ZRequestId,
          body: ZLiftInput,
          response: { 200: ZLiftResult },
        },
      },
      async (request) => restriction.lift(auditContextOf(request), request.params.id, request.body),
    );

    app.post(
      '/v1/requests/:id/objection',
      {
        config: { access: 'requests.fulfil' },
        schema: {
          tags,
          summary: 'Record an objection (GDPR Art. 21) or a CCPA opt-out through the consent module',
          description: `Objection: purposes on legitimate interests or public task are objected to, direct marketing on consent is withdrawn. Opt-out: sale and sharing purposes are withdrawn or denied. Consent checks deny them afterwards. ${inProgress}`,
          params: ZRequestId,
          body: ZObjectionInput,
          response: { 200: ZObjectionResult },
        },
      },
      async (request) => objection.object(auditContextOf(request), request.params.id, request.body),
    );

    app.get(
      '/v1/requests/:id/tasks',
      {
        config: { access: 'requests.read' },
        schema: {
          tags,
          summary: 'The downstream systems’ tasks of a request',
          params: ZRequestId,
          response: { 200: z.object({ items: z.array(ZTask) }) },
        },
      },
      async (request) => ({ items: (await systemTasks.list(request.params.id)).map(presentTask) }),
    );

    app.post(
      '/v1/system-tasks/:id/retry',
      {
        config: { access: 'requests.manage' },
        schema: {
          tags,
          summary: 'Send a downstream task again',
          description: 'A new message with a new callback link (the previous link stops working).',
          params: ZRequestId,
          response: { 200: ZTask },
        },
      },
      async (request) => presentTask(await systemTasks.retry(auditContextOf(request), request.params.id)),
    );

    app.post(
      '/v1/system-tasks/:id/callback',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'A downstream system confirms its task, or reports that it failed',
          description:
            'The link (with its token) came in the task’s signed webhook; it is the credential. A wrong token answers 404. When every task of a request is done, the request is completed.',
          params: ZRequestId,
          querystring: ZCallbackQuery,
          body: ZCallbackInput,
          response: { 200: ZTask },
        },
      },
      async (request) =>
        presentTask(
          await systemTasks.answer(
            auditContextOf(request),
            request.params.id,
            request.query.token,
            request.body,
          ),
        ),
    );

    app.post(
      '/v1/requests/:id/closure',
      {
        config: { access: 'requests.manage' },
        schema: {
          tags,
          summary: 'Complete a request still awaiting systems, with the reason',
          params: ZRequestId,
          body: ZClosureInput,
          response: { 200: ZRequest },
        },
      },
      async (request) => systemTasks.close(auditContextOf(request), request.params.id, request.body),
    );
  };
}
