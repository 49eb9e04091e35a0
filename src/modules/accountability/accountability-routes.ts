import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf, grantorOf } from '../../http/principal.js';
import { AppError } from '../../lib/app-error.js';
import type { AccessReviews } from './access-reviews.js';
import {
  dayToDate,
  optionalDay,
  presentAudit,
  presentCompletion,
  presentCourse,
  presentFinding,
  presentItem,
  presentPolicy,
  presentReview,
  ZAccessReview,
  ZAuditInput,
  ZCompletion,
  ZCompletionInput,
  ZCourse,
  ZCourseInput,
  ZCsvImport,
  ZDecisionInput,
  ZExternalAudit,
  ZFinding,
  ZFindingInput,
  ZIdParams,
  ZImportResult,
  ZItemParams,
  ZPolicy,
  ZPolicyInput,
  ZPolicyUpdate,
  ZReviewInput,
  ZReviewItem,
} from './accountability-schemas.js';
import type { ExternalAudits } from './external-audits.js';
import type { PolicyRegister } from './policy-register.js';
import type { RegisterImport } from './register-import.js';
import type { TrainingRegister } from './training-register.js';

const tags = ['accountability'];
const read = { access: 'reports.read' } as const;
const manage = { access: 'accountability.manage' } as const;

type Deps = {
  policies: PolicyRegister;
  training: TrainingRegister;
  externalAudits: ExternalAudits;
  accessReviews: AccessReviews;
  registerImports: RegisterImport;
};

const policyInput = (body: Partial<z.infer<typeof ZPolicyInput>>) => ({
  title: body.title,
  owner: body.owner,
  version: body.version,
  documentUrl: body.documentUrl,
  documentText: body.documentText,
  approvedAt: optionalDay(body.approvedOn),
  reviewIntervalDays: body.reviewIntervalDays,
});

/** Register lists answer a page at a time: `cursor` is the previous page's `nextCursor`. */
const ZPageQuery = z.object({
  cursor: z.string().min(1).max(600).optional().describe('The `nextCursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const pageOf = <Item extends z.ZodType>(item: Item) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
  });

/** The accountability registers: policies, training, external audits and findings, access reviews. */
export function accountabilityRoutes(deps: Deps): FastifyPluginAsyncZod {
  const { policies, training, externalAudits, accessReviews, registerImports } = deps;
  return async (app) => {
    app.get(
      '/v1/accountability/policies',
      {
        config: read,
        schema: {
          tags,
          summary: 'List policies with their review state, by title',
          querystring: ZPageQuery,
          response: { 200: pageOf(ZPolicy) },
        },
      },
      async (request) => {
        const page = await policies.page(request.query.cursor, request.query.limit);
        return { items: page.items.map(presentPolicy), nextCursor: page.nextCursor };
      },
    );
    app.post(
      '/v1/accountability/policies',
      {
        config: manage,
        schema: { tags, summary: 'Register a policy', body: ZPolicyInput, response: { 201: ZPolicy } },
      },
      async (request, reply) => {
        const input = policyInput(request.body) as Parameters<PolicyRegister['create']>[1];
        return reply.status(201).send(presentPolicy(await policies.create(auditContextOf(request), input)));
      },
    );
    app.patch(
      '/v1/accountability/policies/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Change a policy: a new version, a new approval (moves the next review), retirement',
          params: ZIdParams,
          body: ZPolicyUpdate,
          response: { 200: ZPolicy },
        },
      },
      async (request) => {
        const { retired, ...rest } = request.body;
        const changes = Object.fromEntries(
          Object.entries(policyInput(rest)).filter(([, v]) => v !== undefined),
        );
        return presentPolicy(
          await policies.update(auditContextOf(request), request.params.id, { ...changes, retired }),
        );
      },
    );
    app.delete(
      '/v1/accountability/policies/:id',
      {
        config: manage,
        schema: { tags, summary: 'Delete a policy', params: ZIdParams, response: { 204: z.null() } },
      },
      async (request, reply) => {
        await policies.remove(auditContextOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/v1/accountability/policies/:id/acknowledgment',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Acknowledge the current version of a policy (as the signed-in operator)',
          params: ZIdParams,
          response: { 200: ZPolicy },
        },
      },
      async (request) => {
        const principal = request.principal;
        if (principal.kind !== 'operator')
          throw new AppError('forbidden', 'Only operators acknowledge policies.');
        return presentPolicy(
          await policies.acknowledge(auditContextOf(request), request.params.id, principal.operatorId),
        );
      },
    );
    app.post(
      '/v1/accountability/policies/import',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Import policies from CSV (matched by title)',
          description:
            'Columns: `title`, `owner`, `version`, `approved_on` (YYYY-MM-DD, optional), `review_interval_days`, `document_url` (optional). One bad line imports nothing; the problem lists each line and column.',
          body: ZCsvImport,
          response: { 200: ZImportResult },
        },
      },
      async (request) => registerImports.policies(auditContextOf(request), request.body.csv),
    );

    app.get(
      '/v1/accountability/training/courses',
      {
        config: read,
        schema: {
          tags,
          summary: 'List training courses with completion rates, by title',
          description: '`overall` is over every course, whatever the page.',
          querystring: ZPageQuery,
          response: {
            200: pageOf(ZCourse).extend({
              overall: z.object({
                required: z.number().int(),
                current: z.number().int(),
                completionRate: z.number().nullable(),
              }),
            }),
          },
        },
      },
      async (request) => {
        const [page, overall] = await Promise.all([
          training.coursePage(request.query.cursor, request.query.limit),
          training.overall(),
        ]);
        return {
          items: page.items.map(presentCourse),
          nextCursor: page.nextCursor,
          overall: {
            required: overall.required,
            current: overall.current,
            completionRate: overall.completionRate,
          },
        };
      },
    );
    app.post(
      '/v1/accountability/training/courses',
      {
        config: manage,
        schema: { tags, summary: 'Create a training course', body: ZCourseInput, response: { 201: ZCourse } },
      },
      async (request, reply) => {
        const row = await training.createCourse(auditContextOf(request), request.body);
        const view = (await training.courses()).find((course) => course.id === row.id);
        return reply
          .status(201)
          .send(presentCourse(view ?? { ...row, required: 0, current: 0, completionRate: null }));
      },
    );
    app.patch(
      '/v1/accountability/training/courses/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Change a training course',
          params: ZIdParams,
          body: ZCourseInput.partial(),
          response: { 200: ZCourse },
        },
      },
      async (request) => {
        const row = await training.updateCourse(auditContextOf(request), request.params.id, request.body);
        const view = (await training.courses()).find((course) => course.id === row.id);
        return presentCourse(view ?? { ...row, required: 0, current: 0, completionRate: null });
      },
    );
    app.get(
      '/v1/accountability/training/completions',
      {
        config: read,
        schema: {
          tags,
          summary: 'List training completions, newest first',
          querystring: ZPageQuery.extend({ courseId: z.uuid().toLowerCase().optional() }),
          response: { 200: pageOf(ZCompletion) },
        },
      },
      async (request) => {
        const { courseId, cursor, limit } = request.query;
        const page = await training.completionPage(courseId, cursor, limit);
        return { items: page.items.map(presentCompletion), nextCursor: page.nextCursor };
      },
    );
    app.post(
      '/v1/accountability/training/completions',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Record that an operator completed a course',
          body: ZCompletionInput,
          response: { 201: ZCompletion },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const row = await training.recordCompletion(auditContextOf(request), {
          courseId: body.courseId,
          operatorId: body.operatorId,
          completedAt: dayToDate(body.completedOn),
          expiresAt: optionalDay(body.expiresOn),
          source: 'console',
        });
        return reply.status(201).send(presentCompletion(row));
      },
    );
    app.post(
      '/v1/accountability/training/completions/import',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Import training completions from CSV',
          description:
            'Columns: `course` (title), `operator_email`, `completed_on` (YYYY-MM-DD), `expires_on` (optional). One bad line imports nothing.',
          body: ZCsvImport,
          response: { 200: ZImportResult },
        },
      },
      async (request) => registerImports.completions(auditContextOf(request), request.body.csv),
    );

    app.get(
      '/v1/accountability/audits',
      {
        config: read,
        schema: {
          tags,
          summary: 'List external audits with their findings, latest first',
          querystring: ZPageQuery,
          response: { 200: pageOf(ZExternalAudit) },
        },
      },
      async (request) => {
        const page = await externalAudits.page(request.query.cursor, request.query.limit);
        return {
          items: page.items.map((row) => presentAudit(row, row.findings)),
          nextCursor: page.nextCursor,
        };
      },
    );
    app.post(
      '/v1/accountability/audits',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Register an external audit',
          body: ZAuditInput,
          response: { 201: ZExternalAudit },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const row = await externalAudits.create(auditContextOf(request), {
          auditor: body.auditor,
          scope: body.scope,
          startedAt: dayToDate(body.startedOn),
          endedAt: optionalDay(body.endedOn),
          reportReference: body.reportReference,
        });
        return reply.status(201).send(presentAudit(row, []));
      },
    );
    app.patch(
      '/v1/accountability/audits/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Change an external audit',
          params: ZIdParams,
          body: ZAuditInput.partial(),
          response: { 200: ZExternalAudit },
        },
      },
      async (request) => {
        const body = request.body;
        const row = await externalAudits.update(auditContextOf(request), request.params.id, {
          auditor: body.auditor,
          scope: body.scope,
          startedAt: body.startedOn ? dayToDate(body.startedOn) : undefined,
          endedAt: optionalDay(body.endedOn),
          reportReference: body.reportReference,
        });
        const found = (await externalAudits.list()).find((audit) => audit.id === row.id);
        return presentAudit(row, found?.findings ?? []);
      },
    );
    app.post(
      '/v1/accountability/audits/:id/findings',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Add a finding to an audit',
          params: ZIdParams,
          body: ZFindingInput,
          response: { 201: ZFinding },
        },
      },
      async (request, reply) => {
        const { dueOn, ...rest } = request.body;
        const row = await externalAudits.addFinding(auditContextOf(request), request.params.id, {
          ...rest,
          dueAt: optionalDay(dueOn),
        });
        return reply.status(201).send(presentFinding(row));
      },
    );
    app.patch(
      '/v1/accountability/findings/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Change a finding: its owner, due date, status',
          params: ZIdParams,
          body: ZFindingInput.partial(),
          response: { 200: ZFinding },
        },
      },
      async (request) => {
        const { dueOn, ...rest } = request.body;
        return presentFinding(
          await externalAudits.updateFinding(auditContextOf(request), request.params.id, {
            ...rest,
            dueAt: optionalDay(dueOn),
          }),
        );
      },
    );

    app.get(
      '/v1/accountability/access-reviews',
      {
        config: read,
        schema: {
          tags,
          summary: 'List access-review campaigns, newest first',
          querystring: ZPageQuery,
          response: { 200: pageOf(ZAccessReview) },
        },
      },
      async (request) => {
        const page = await accessReviews.page(request.query.cursor, request.query.limit);
        return { items: page.items.map(presentReview), nextCursor: page.nextCursor };
      },
    );
    app.post(
      '/v1/accountability/access-reviews',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Open an access review over every active operator and live API key',
          body: ZReviewInput,
          response: { 201: z.object({ review: ZAccessReview, items: z.array(ZReviewItem) }) },
        },
      },
      async (request, reply) => {
        const opened = await accessReviews.open(auditContextOf(request), {
          title: request.body.title,
          dueAt: optionalDay(request.body.dueOn),
        });
        return reply
          .status(201)
          .send({ review: presentReview(opened.review), items: opened.items.map(presentItem) });
      },
    );
    app.get(
      '/v1/accountability/access-reviews/:id',
      {
        config: read,
        schema: {
          tags,
          summary: 'An access review with its items',
          params: ZIdParams,
          response: { 200: z.object({ review: ZAccessReview, items: z.array(ZReviewItem) }) },
        },
      },
      async (request) => {
        const found = await accessReviews.get(request.params.id);
        return { review: presentReview(found.review), items: found.items.map(presentItem) };
      },
    );
    app.post(
      '/v1/accountability/access-reviews/:id/items/:itemId/decision',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Confirm or revoke one operator’s or API key’s access',
          description:
            'Revoking disables the operator or revokes the key through the access module, under its grant policy: you can revoke only access whose permissions you hold yourself.',
          params: ZItemParams,
          body: ZDecisionInput,
          response: { 200: ZReviewItem },
        },
      },
      async (request) =>
        presentItem(
          await accessReviews.decide(
            auditContextOf(request),
            grantorOf(request.principal),
            request.params.id,
            request.params.itemId,
            request.body,
          ),
        ),
    );
    app.post(
      '/v1/accountability/access-reviews/:id/completion',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Complete an access review (every item decided)',
          params: ZIdParams,
          response: { 200: ZAccessReview },
        },
      },
      async (request) =>
        presentReview(await accessReviews.complete(auditContextOf(request), request.params.id)),
    );
  };
}
