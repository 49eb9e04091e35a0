import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import type { Clock } from '../../lib/clock.js';
import { documentContentSecurityPolicy } from '../../lib/documents/document.js';
import type { BlastRadius } from './blast-radius.js';
import type { BreachNotices } from './breach-notices.js';
import { presentAffected, presentBreach, presentEvent, presentTask } from './breach-presenters.js';
import type { BreachRegister } from './breach-register.js';
import {
  ZAdvice,
  ZAffectedPage,
  ZBlastRadius,
  ZBlastRadiusQuery,
  ZBreach,
  ZBreachCreate,
  ZBreachDetail,
  ZBreachIdParams,
  ZBreachListQuery,
  ZBreachPage,
  ZBreachUpdate,
  ZDecision,
  ZFromAlert,
  ZNoticeCreate,
  ZNoticeParams,
  ZNoticePreview,
  ZPageQuery,
  ZProgress,
  ZPublicCommunication,
  ZRiskFactors,
  ZStatusChange,
  ZSubmission,
  ZTask,
  ZTaskCreate,
  ZTaskParams,
  ZTaskUpdate,
  ZTimelineEvent,
} from './breach-schemas.js';

const tags = ['breaches'];
const date = (value: string | null | undefined) =>
  value === undefined ? undefined : value === null ? null : new Date(value);

/** A notice as a download; documents carry a policy that lets them run nothing and load nothing. */
function sendFile(reply: FastifyReply, file: { content: Buffer; contentType: string; filename: string }) {
  return reply
    .type(file.contentType)
    .header('content-disposition', `attachment; filename="${file.filename}"`)
    .header('content-security-policy', documentContentSecurityPolicy)
    .send(file.content);
}

type Deps = {
  breaches: BreachRegister;
  breachNotices: BreachNotices;
  blastRadius: BlastRadius;
  clock: Clock;
};

/** The breach register, its assessment, notices and blast radius. */
export function breachRoutes({ breaches, breachNotices, blastRadius, clock }: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    const present = (row: Parameters<typeof presentBreach>[0]) => presentBreach(row, clock.now());

    app.get(
      '/v1/breaches',
      {
        config: { access: 'breaches.read' },
        schema: {
          tags,
          summary: 'List breaches, newest first, each with its 72-hour clock',
          querystring: ZBreachListQuery,
          response: { 200: ZBreachPage },
        },
      },
      async (request) => {
        const { cursor, limit, status } = request.query;
        const page = await breaches.list({ status }, cursor, limit);
        return { items: page.rows.map(present), nextCursor: page.nextCursor };
      },
    );

    app.post(
      '/v1/breaches',
      {
        config: { access: 'breaches.manage' },
        schema: {
          tags,
          summary: 'Record a breach (suspected)',
          description:
            'The deadline is awareAt + 72 hours and is never set by hand. A start after awareness is refused. Audited as `breach.created` (field names only).',
          body: ZBreachCreate,
          response: { 201: ZBreach },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const row = await breaches.create(auditContextOf(request), {
          ...body,
          awareAt: new Date(body.awareAt),
          occurredFrom: date(body.occurredFrom),
          occurredUntil: date(body.occurredUntil),
        });
        return reply.status(201).send(present(row));
      },
    );

    app.post(
      '/v1/breaches/from-alert',
      {
        config: { access: 'breaches.manage' },
        schema: {
          tags,
          summary: 'Open a breach from an alert, with its blast radius as the affected set',
          description:
            'For alerts naming an operator, API key or client network (a mass reveal, failed logins from one network): the window runs from two hours before the alert was first seen until now. Awareness is now.',
          body: ZFromAlert,
          response: { 201: ZBreach },
        },
      },
      async (request, reply) => {
        const row = await blastRadius.fromAlert(
          auditContextOf(request),
          request.body.alertId,
          request.body.title,
        );
        return reply.status(201).send(present(row));
      },
    );

    app.post(
      '/v1/breaches/blast-radius',
      {
        config: { access: 'breaches.manage' },
        schema: {
          tags,
          summary: 'Whose data a principal or network was handed in a window, from the audit trail',
          description:
            'Record reads (masked or revealed), detokenizations and exports by one operator or API key, or from a client address range, between `from` and `until`. Audited as `breach.blast_radius.computed` (counts only). Nothing is attached: see `POST /v1/breaches/{id}/affected-set`.',
          body: ZBlastRadiusQuery,
          response: { 200: ZBlastRadius },
        },
      },
      async (request) => blastRadius.preview(auditContextOf(request), request.body),
    );

    app.get(
      '/v1/breaches/:id',
      {
        config: { access: 'breaches.read' },
        schema: {
          tags,
          summary: 'A breach with its tasks, affected set, notices and sending progress',
          params: ZBreachIdParams,
          response: { 200: ZBreachDetail },
        },
      },
      async (request) => {
        const found = await breaches.detail(request.params.id);
        return {
          breach: present(found.breach),
          tasks: found.tasks.map(presentTask),
          affected: found.affected,
          progress: found.progress,
          notices: found.notices.map((notice) => ({
            version: notice.version,
            phase: notice.phase,
            createdAt: notice.created_at.toISOString(),
            submittedAt: notice.submitted_at?.toISOString() ?? null,
            submissionReference: notice.submission_reference,
            submissionChannel: notice.submission_channel,
          })),
        };
      },
    );

    app.patch(
      '/v1/breaches/:id',
      {
        config: { access: 'breaches.manage' },
        schema: {
          tags,
          summary: 'Change a breach’s register fields',
          description:
            'Facts merge member by member. `deadlineAt` is not a field: correct `awareAt` and the deadline follows. Audited as `breach.updated` with the changed field names.',
          params: ZBreachIdParams,
          body: ZBreachUpdate,
          response: { 200: ZBreach },
        },
      },
      async (request) => {
        const body = request.body;
        const row = await breaches.update(auditContextOf(request), request.params.id, {
          ...body,
          awareAt: date(body.awareAt) ?? undefined,
          occurredFrom: date(body.occurredFrom),
          occurredUntil: date(body.occurredUntil),
        });
        return present(row);
      },
    );

    app.post(
      '/v1/breaches/:id/status',
      {
        config: { access: 'breaches.manage' },
        schema: {
          tags,
          summary: 'Move a breach on: confirmed, contained, closed, or dismissed with a reason',
          description:
            'Closing needs the lessons learned recorded first. Audited as `breach.status_changed`.',
          params: ZBreachIdParams,
          body: ZStatusChange,
          response: { 200: ZBreach },
        },
      },
      async (request) =>
        present(
          await breaches.changeStatus(
            auditContextOf(request),
            request.params.id,
            request.body.status,
            request.body.reason,
          ),
        ),
    );

    app.get(
      '/v1/breaches/:id/timeline',
      {
        config: { access: 'breaches.read' },
        schema: {
          tags,
          summary: 'Every change to a breach, oldest first',
          params: ZBreachIdParams,
          response: { 200: z.object({ items: z.array(ZTimelineEvent) }) },
        },
      },
      async (request) => {
        await breaches.get(request.params.id);
        return { items: (await breaches.timeline(request.params.id)).map(presentEvent) };
      },
    );

    app.post(
      '/v1/breaches/:id/tasks',
      {
        config: { access: 'breaches.manage' },
        schema: {
          tags,
          summary: 'Add a containment task with its owner',
          params: ZBreachIdParams,
          body: ZTaskCreate,
          response: { 201: ZTask },
        },
      },
      async (request, reply) => {
        const task = await breaches.addTask(auditContextOf(request), request.params.id, {
          ...request.body,
          dueAt: date(request.body.dueAt),
        });
        return reply.status(201).send(presentTask(task));
      },
    );

    app.patch(
      '/v1/breaches/:id/tasks/:taskId',
      {
        config: { access: 'breaches.manage' },
        schema: {
          tags,
          summary: 'Change a containment task’s status, owner or due date',
          params: ZTaskParams,
          body: ZTaskUpdate,
          response: { 200: ZTask },
        },
      },
      async (request) =>
        presentTask(
          await breaches.updateTask(auditContextOf(request), request.params.id, request.params.taskId, {
            ...request.body,
            dueAt: date(request.body.dueAt),
          }),
        ),
    );

    app.post(
      '/v1/breaches/:id/assessment',
      {
        config: { access: 'breaches.manage' },
        schema: {
          tags,
          summary: 'Assess the risk: Custos proposes a severity and the two notification decisions',
          description:
            'From the EDPB factors given here, the number affected (the larger of the affected set and the register’s count) and whether the data involved was sealed with its keys safe (from the vault’s collection definitions). The proposal carries its reasons; nothing is decided until `POST …/decision`.',
          params: ZBreachIdParams,
          body: ZRiskFactors,
          response: { 200: ZBreach },
        },
      },
      async (request) =>
        present(await breaches.assess(auditContextOf(request), request.params.id, request.body)),
    );

    app.post(
      '/v1/breaches/:id/decision',
      {
        config: { access: 'breaches.manage' },
        schema: {
          tags,
          summary: 'Confirm or override the proposal (the DPO’s decision)',
          description:
            'A decision departing from the proposal in any of the three answers needs a justification, recorded on the timeline. Audited as `breach.assessment_confirmed` or `breach.assessment_overridden`.',
          params: ZBreachIdParams,
          body: ZDecision,
          response: { 200: ZBreach },
        },
      },
      async (request) =>
        present(await breaches.decide(auditContextOf(request), request.params.id, request.body)),
    );

    app.post(
      '/v1/breaches/:id/authority-notices',
      {
        config: { access: 'breaches.manage' },
        schema: {
          tags,
          summary: 'Generate the next version of the notice to the supervisory authority',
          description:
            'The first is `initial`; later ones are `follow_up` or `final` (Art. 33(4)). Each is a snapshot of the breach with the Art. 33(3) contents and the DPO contact from the organization profile.',
          params: ZBreachIdParams,
          body: ZNoticeCreate,
          response: { 201: z.object({ version: z.number().int(), phase: z.string() }) },
        },
      },
      async (request, reply) => {
        const row = await breachNotices.generate(
          auditContextOf(request),
          request.params.id,
          request.body.phase,
        );
        return reply.status(201).send({ version: row.version, phase: row.phase });
      },
    );

    app.get(
      '/v1/breaches/:id/authority-notices/:version',
      {
        config: { access: 'breaches.read' },
        schema: {
          tags,
          summary: 'A version of the authority notice as JSON, HTML or PDF',
          description:
            '`?format=json` (default), `html` (printable) or `pdf` (the HTML printed by headless Chromium; 503 `pdf_unavailable` without it).',
          params: ZNoticeParams,
          querystring: z.object({ format: z.enum(['json', 'html', 'pdf']).default('json') }),
          response: { 200: z.object({ document: z.record(z.string(), z.unknown()) }) },
        },
      },
      async (request, reply) => {
        const { id, version } = request.params;
        const rendered = await breachNotices.render(id, version, request.query.format);
        if (rendered.kind === 'json') return { document: { ...rendered.document } };
        return sendFile(reply, {
          ...rendered,
          filename: `breach-notice-${id}-v${version}.${request.query.format}`,
        });
      },
    );

    app.post(
      '/v1/breaches/:id/authority-notices/:version/submission',
      {
        config: { access: 'breaches.manage' },
        schema: {
          tags,
          summary: 'Record that a notice version was submitted to the authority',
          description:
            'Custos does not submit to authorities’ portals: record the date, reference and channel. The first submission stops the clock; after the deadline it needs `lateReasons` (Art. 33(1)).',
          params: ZNoticeParams,
          body: ZSubmission,
          response: { 200: z.object({ version: z.number().int(), submittedAt: z.iso.datetime() }) },
        },
      },
      async (request) => {
        const row = await breachNotices.recordSubmission(
          auditContextOf(request),
          request.params.id,
          request.params.version,
          {
            ...request.body,
            submittedAt: new Date(request.body.submittedAt),
          },
        );
        return { version: row.version, submittedAt: (row.submitted_at as Date).toISOString() };
      },
    );

    app.get(
      '/v1/breaches/:id/individual-notices',
      {
        config: { access: 'breaches.read' },
        schema: {
          tags,
          summary: 'Preview the notice to individuals, with the sending progress',
          params: ZBreachIdParams,
          querystring: z.object({ advice: z.string().trim().max(4000).default('') }),
          response: { 200: ZNoticePreview },
        },
      },
      async (request) => breachNotices.preview(request.params.id, request.query.advice),
    );

    app.post(
      '/v1/breaches/:id/individual-notices',
      {
        config: { access: 'breaches.manage' },
        schema: {
          tags,
          summary: 'Send (or resume sending) the notices to every affected subject',
          description:
            'Freezes the text on first start. A job sends in batches: each affected subject gets one delivery row, `queued` with a message in the mail outbox, or `unreachable` when the vault holds no e-mail address. Addresses are decrypted for this purpose only, each audited as `vault.address.decrypted`.',
          params: ZBreachIdParams,
          body: ZAdvice,
          response: { 202: ZProgress },
        },
      },
      async (request, reply) =>
        reply
          .status(202)
          .send(await breachNotices.start(auditContextOf(request), request.params.id, request.body.advice)),
    );

    app.post(
      '/v1/breaches/:id/public-communication',
      {
        config: { access: 'breaches.manage' },
        schema: {
          tags,
          summary: 'Record a public communication instead of individual notices (Art. 34(3)(c))',
          params: ZBreachIdParams,
          body: ZPublicCommunication,
          response: { 200: ZBreach },
        },
      },
      async (request) =>
        present(
          await breachNotices.recordPublicCommunication(
            auditContextOf(request),
            request.params.id,
            request.body,
          ),
        ),
    );

    app.post(
      '/v1/breaches/:id/affected-set',
      {
        config: { access: 'breaches.manage' },
        schema: {
          tags,
          summary: 'Attach a blast radius to the breach as (part of) its affected set',
          description:
            'Subjects already in the set get the new fields merged in. The register’s subject count becomes the set’s exact size and its data categories gain those found.',
          params: ZBreachIdParams,
          body: ZBlastRadiusQuery,
          response: { 200: ZBlastRadius },
        },
      },
      async (request) => blastRadius.attach(auditContextOf(request), request.params.id, request.body),
    );

    app.get(
      '/v1/breaches/:id/affected-subjects',
      {
        config: { access: 'breaches.read' },
        schema: {
          tags,
          summary: 'The affected set, by pseudonymous subject id, with the fields exposed',
          params: ZBreachIdParams,
          querystring: ZPageQuery,
          response: { 200: ZAffectedPage },
        },
      },
      async (request) => {
        const page = await breaches.affectedPage(
          request.params.id,
          request.query.cursor,
          request.query.limit,
        );
        return { items: page.rows.map(presentAffected), nextCursor: page.nextCursor };
      },
    );
  };
}
