import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import { sendStreamed } from '../../http/streamed-response.js';
import { AppError, isAppError } from '../../lib/app-error.js';
import type { CheckService } from './check-service.js';
import {
  presentCheck,
  presentStanding,
  presentTcf,
  ZCheckInput,
  ZCheckResult,
  ZConsentEventInput,
  ZGpcInput,
  ZObjectionInput,
  ZPurposeKey,
  ZReceipt,
  ZRecorded,
  ZStanding,
  ZTcfInput,
  ZTcfRecord,
} from './consent-schemas.js';
import type { ConsentService } from './consent-service.js';
import { subjectIdBatches } from './filter-input.js';
import { gpcSupportResource, hasGpcSignal } from './gpc.js';
import { type SubjectSearch, subjectIdOf } from './subject-ref.js';
import type { TcfService } from './tcf-service.js';

type Deps = {
  consent: ConsentService;
  checks: CheckService;
  tcf: TcfService;
  subjects: SubjectSearch;
  settings: { filterBodyLimit: number; gpcLastUpdate: string };
};

/**
 * Subject ids per filter query. Large enough that a query's overhead is small per id, small enough that
 * PostgreSQL keeps probing the primary keys (nested loop) instead of scanning whole tables.
 */
export const filterBatchSize = 4000;

const tags = ['consent'];
const ndjson = 'application/x-ndjson';
const ZSubjectId = z.object({ id: z.uuid().toLowerCase() });
// Loose: Fastify replaces request.headers with what validation returns, so every other header must stay.
const ZGpcHeaders = z.looseObject({
  'sec-gpc': z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe('Global Privacy Control: `1` opts the subject out of every sale or sharing purpose'),
});

/** Passes a stream through, failing once more than `limit` bytes went by. */
function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit)
        done(new AppError('body_too_large', `Lists are limited to ${limit} bytes per request.`));
      else done(null, chunk);
    },
  });
}

const gpcOf = (request: FastifyRequest) => hasGpcSignal(request.headers['sec-gpc']);

/**
 * Consent events, checks, the campaign filter, GPC and TCF. A request that carries `Sec-GPC: 1` and
 * names a subject (recording events, checking) also records that subject's opt-out of sale and sharing.
 */
export function consentRoutes({ consent, checks, tcf, subjects, settings }: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    // The list is handed over as a stream, never buffered: memory stays bounded by one batch.
    app.addContentTypeParser(ndjson, (_request, payload, done) => done(null, payload));

    app.post(
      '/v1/consent/events',
      {
        config: { access: 'consent.write' },
        schema: {
          tags,
          summary: 'Record what a subject did: grant, withdraw, deny or object',
          description:
            'One call for any action, so withdrawing is as easy as granting. Returns a receipt per purpose. A grant for a purpose based on consent must be `explicit_opt_in`. With `Sec-GPC: 1` the subject is also opted out of every other sale or sharing purpose.',
          headers: ZGpcHeaders,
          body: ZConsentEventInput,
          response: { 201: ZRecorded },
        },
      },
      async (request, reply) => {
        const context = auditContextOf(request);
        const { subject, purposes, givenAt, expiresAt, ...rest } = request.body;
        const subjectId = await subjectIdOf(subjects, context, subject);
        const choices = purposes.map((choice) => (typeof choice === 'string' ? { key: choice } : choice));
        const receipts = await consent.record(context, {
          ...rest,
          subjectId,
          purposes: choices,
          givenAt: givenAt ? new Date(givenAt) : undefined,
          expiresAt: expiresAt ? new Date(expiresAt) : undefined,
        });
        const gpcReceipts = gpcOf(request)
          ? await consent.applyGpc(context, subjectId, {
              proof: rest.proof,
              except: new Set(choices.map((choice) => choice.key)),
            })
          : [];
        return reply.status(201).send({ subjectId, receipts, gpcReceipts });
      },
    );

    app.post(
      '/v1/consent/check',
      {
        config: { access: 'consent.check' },
        schema: {
          tags,
          summary: 'May these purposes be pursued for this subject now?',
          description:
            'Per purpose: allowed, the legal basis and the reason (`granted` or `legal_basis` when allowed; `no_consent`, `withdrawn`, `expired`, `version_outdated`, `objected`, `restricted` or `erased` when not). Answered from memory once the subject was read; not audited per call.',
          headers: ZGpcHeaders,
          body: ZCheckInput,
          response: { 200: z.object({ subjectId: z.uuid().toLowerCase(), results: z.array(ZCheckResult) }) },
        },
      },
      async (request) => {
        const context = auditContextOf(request);
        const subjectId = await subjectIdOf(subjects, context, request.body.subject);
        if (gpcOf(request)) {
          await consent.applyGpc(context, subjectId).catch((error: unknown) => {
            // An erased subject cannot opt out any more; the check below says why nothing is allowed.
            if (!isAppError(error) || error.code !== 'subject_erased') throw error;
          });
        }
        const results = await checks.check(subjectId, request.body.purposes);
        return { subjectId, results: results.map(presentCheck) };
      },
    );

    app.post(
      '/v1/consent/filter',
      {
        config: { access: 'consent.check' },
        schema: {
          tags,
          summary: 'Filter a list of subjects to those allowed for a purpose (NDJSON in, NDJSON out)',
          description:
            'Send `application/x-ndjson`, one subject id per line (`"<id>"`, `{"subjectId":"<id>"}` or the bare id); receive `{"subjectId":"<id>"}` lines for the allowed ones, in the order sent, streamed. Lines without an id and unknown subjects are not allowed. One audit entry per run.',
          querystring: z.object({ purpose: ZPurposeKey }),
          consumes: [ndjson],
          response: { 200: z.string().describe('NDJSON lines of allowed subject ids') },
        },
      },
      async (request, reply) => {
        const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
        if (type !== ndjson) {
          throw new AppError('unsupported_media_type', 'Send the subject ids as application/x-ndjson.');
        }
        const body = (request.body as NodeJS.ReadableStream).pipe(byteLimit(settings.filterBodyLimit));
        const chunks = await checks.filter(
          auditContextOf(request),
          request.query.purpose,
          subjectIdBatches(body, filterBatchSize),
        );
        return sendStreamed(reply.type(`${ndjson}; charset=utf-8`), chunks, 'ndjson');
      },
    );

    app.post(
      '/v1/consent/signals/gpc',
      {
        config: { access: 'consent.write' },
        schema: {
          tags,
          summary: 'Record a Global Privacy Control signal for a subject',
          description:
            'For a backend that received `Sec-GPC: 1` from the subject’s browser: opts the subject out of every purpose flagged as sale or sharing (withdrawal of a grant, denial otherwise), method `opt_out`, source `gpc`. Repeating it records nothing new.',
          body: ZGpcInput,
          response: { 200: z.object({ subjectId: z.uuid().toLowerCase(), receipts: z.array(ZReceipt) }) },
        },
      },
      async (request) => {
        const context = auditContextOf(request);
        const subjectId = await subjectIdOf(subjects, context, request.body.subject);
        return {
          subjectId,
          receipts: await consent.applyGpc(context, subjectId, { proof: request.body.proof }),
        };
      },
    );

    app.get(
      '/v1/consent/receipts/:id',
      {
        config: { access: 'consent.read' },
        schema: {
          tags,
          summary: 'The receipt of a recorded consent event',
          params: ZSubjectId,
          response: { 200: ZReceipt },
        },
      },
      async (request) => consent.receipt(request.params.id),
    );

    app.get(
      '/v1/subjects/:id/consents',
      {
        config: { access: 'consent.read' },
        schema: {
          tags,
          summary: 'A subject’s standing choice and the verdict for every purpose',
          params: ZSubjectId,
          response: { 200: z.object({ subjectId: z.uuid().toLowerCase(), items: z.array(ZStanding) }) },
        },
      },
      async (request) => ({
        subjectId: request.params.id,
        items: (await checks.standing(request.params.id)).map(presentStanding),
      }),
    );

    app.get(
      '/v1/subjects/:id/consent/history',
      {
        config: { access: 'consent.read' },
        schema: {
          tags,
          summary: 'A subject’s full consent history with proof, as JSON or CSV (streamed)',
          params: ZSubjectId,
          querystring: z.object({ format: z.enum(['json', 'csv']).default('json') }),
          response: { 200: z.string().describe('JSON document or CSV rows') },
        },
      },
      async (request, reply) => {
        const { format } = request.query;
        const chunks = await consent.history(auditContextOf(request), request.params.id, format);
        reply
          .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
          .header(
            'content-disposition',
            `attachment; filename="consent-history-${request.params.id}.${format}"`,
          );
        return sendStreamed(reply, chunks, format);
      },
    );

    app.post(
      '/v1/subjects/:id/consent/objections',
      {
        config: { access: 'consent.write' },
        schema: {
          tags,
          summary:
            'Record an objection (GDPR Art. 21) to processing based on public task or legitimate interests',
          description:
            'Without `purposes`, objects to every such purpose the subject has not objected to yet. A later grant for a purpose lifts the objection to it.',
          params: ZSubjectId,
          body: ZObjectionInput,
          response: { 201: z.object({ subjectId: z.uuid().toLowerCase(), receipts: z.array(ZReceipt) }) },
        },
      },
      async (request, reply) => {
        const receipts = await consent.object(auditContextOf(request), request.params.id, request.body);
        return reply.status(201).send({ subjectId: request.params.id, receipts });
      },
    );

    app.post(
      '/v1/subjects/:id/consent/tcf',
      {
        config: { access: 'consent.write' },
        schema: {
          tags,
          summary: 'Store an IAB TCF v2.2 TC string for a subject',
          description:
            'Decoded with the IAB library; a string that is not TCF v2.2 answers 400 `invalid_tc_string`.',
          params: ZSubjectId,
          body: ZTcfInput,
          response: { 201: ZTcfRecord },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            presentTcf(await tcf.record(auditContextOf(request), request.params.id, request.body.tcString)),
          ),
    );

    app.get(
      '/v1/subjects/:id/consent/tcf',
      {
        config: { access: 'consent.read' },
        schema: {
          tags,
          summary: 'The subject’s most recent TC string, decoded',
          params: ZSubjectId,
          response: { 200: ZTcfRecord },
        },
      },
      async (request) => presentTcf(await tcf.latest(request.params.id)),
    );

    app.get(
      '/.well-known/gpc.json',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Global Privacy Control support resource',
          response: { 200: z.object({ gpc: z.literal(true), lastUpdate: z.string() }) },
        },
      },
      async () => gpcSupportResource(settings.gpcLastUpdate),
    );
  };
}
