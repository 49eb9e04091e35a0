import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import type { RetentionPreview } from './retention-preview.js';
import type { RetentionRuns } from './retention-runs.js';
import {
  presentPreview,
  presentRun,
  ZIdParams,
  ZPreviewQuery,
  ZRetentionCompliance,
  ZRetentionPreview,
  ZRetentionRun,
} from './retention-schemas.js';
import type { SubjectLifecycle } from './subject-lifecycle.js';

export type RunRouteDeps = {
  retentionRuns: Pick<RetentionRuns, 'list' | 'get'>;
  retentionPreview: RetentionPreview;
  subjectLifecycle: SubjectLifecycle;
  /** How many collections the rules in force cover (a run's progress is counted in collections). */
  coveredCollections: () => Promise<number>;
};

const tags = ['retention'];

/** The dry run, runs and their progress, the compliance rate, and the events triggers count from. */
export function registerRunRoutes(app: FastifyInstance, deps: RunRouteDeps): void {
  const { retentionRuns, retentionPreview, subjectLifecycle, coveredCollections } = deps;
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get(
    '/v1/retention/preview',
    {
      config: { access: 'retention.read' },
      schema: {
        tags,
        summary: 'Dry run: what each rule would delete, anonymize or shred now and soon',
        description:
          'Counts per deciding rule the records and subjects due now and within the window, and those left alone under a legal hold; lists collections where rules with different actions overlap. Nothing is changed or locked.',
        querystring: ZPreviewQuery,
        response: { 200: ZRetentionPreview },
      },
    },
    async (request) => presentPreview(await retentionPreview.preview(request.query.days)),
  );

  typed.get(
    '/v1/retention/runs',
    {
      config: { access: 'retention.read' },
      schema: {
        tags,
        summary: 'Retention runs, newest first, with progress and results per rule',
        response: { 200: z.object({ items: z.array(ZRetentionRun) }) },
      },
    },
    async () => {
      const total = await coveredCollections();
      return { items: (await retentionRuns.list()).map((row) => presentRun(row, total)) };
    },
  );

  typed.get(
    '/v1/retention/runs/:id',
    {
      config: { access: 'retention.read' },
      schema: { tags, summary: 'One retention run', params: ZIdParams, response: { 200: ZRetentionRun } },
    },
    async (request) => presentRun(await retentionRuns.get(request.params.id), await coveredCollections()),
  );

  typed.get(
    '/v1/retention/compliance',
    {
      config: { access: 'retention.read' },
      schema: {
        tags,
        summary: 'Retention compliance rate: records past their time still stored, of those under a rule',
        response: { 200: ZRetentionCompliance },
      },
    },
    async () => {
      const value = await retentionPreview.compliance();
      return { ...value, at: value.at.toISOString() };
    },
  );

  typed.post(
    '/v1/subjects/:id/activity',
    {
      config: { access: 'vault.records.write' },
      schema: {
        tags,
        summary: 'Report that the subject was active (for rules counting from the last activity)',
        description: 'Stored at most once a day per subject. Writes to the subject’s records count already.',
        params: ZIdParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await subjectLifecycle.activity(request.params.id);
      return reply.status(204).send(null);
    },
  );

  typed.post(
    '/v1/subjects/:id/relationship-ended',
    {
      config: { access: 'vault.records.write' },
      schema: {
        tags,
        summary: 'Report the end of the relationship with the subject (for rules counting from it)',
        params: ZIdParams,
        response: { 200: z.object({ subjectId: z.uuid().toLowerCase(), endedAt: z.iso.datetime() }) },
      },
    },
    async (request) => {
      const endedAt = await subjectLifecycle.relationshipEnded(auditContextOf(request), request.params.id);
      return { subjectId: request.params.id, endedAt: endedAt.toISOString() };
    },
  );
}
