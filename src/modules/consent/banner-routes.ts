import { readFile } from 'node:fs/promises';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import { AppError } from '../../lib/app-error.js';
import type { Branding } from '../privacy-center/branding.js';
import { bannerDemoPage, bannerDemoScript } from './banner-demo.js';
import { type BannerService, isChoosable } from './banner-service.js';
import { presentCheck, ZCheckResult, ZPurposeKey, ZSubjectRef } from './consent-schemas.js';

type Deps = {
  banner: BannerService;
  branding: Branding;
  /** The built banner script (`packages/sdk/dist/consent.js`). */
  scriptPath: URL;
  settings: { demo: boolean; rateLimitPerMinute: number };
};

const tags = ['consent'];

const ZBannerPurpose = z
  .object({
    key: z.string(),
    name: z.string(),
    description: z.string(),
    text: z.string(),
    version: z.number().int(),
    legalBasis: z.string(),
    choosable: z.boolean().describe('false: always active (not based on consent, neither sale nor sharing)'),
    saleOrSharing: z.boolean().describe('opted out by Global Privacy Control'),
  })
  .meta({ id: 'BannerPurpose' });

const ZBannerConfig = z.object({
  purposes: z.array(ZBannerPurpose),
  brand: z.object({ name: z.string(), color: z.string(), privacyPolicyUrl: z.string().nullable() }),
});

const ZBannerChoices = z.object({
  visitorId: z.uuid().toLowerCase().describe('the random id the banner keeps in the visitor’s browser'),
  choices: z
    .array(
      z.object({
        purpose: ZPurposeKey,
        granted: z.boolean(),
        version: z.number().int().positive().optional(),
      }),
    )
    .max(50),
  gpc: z.boolean().default(false).describe('the browser sends Global Privacy Control'),
});

/** Anyone's site may embed the banner: its public routes answer every origin, and no credentials. */
function crossOrigin(reply: FastifyReply): FastifyReply {
  return reply
    .header('access-control-allow-origin', '*')
    .header('cross-origin-resource-policy', 'cross-origin')
    .header('vary', 'origin');
}

/**
 * The website consent banner: its script, its configuration (the website purposes and the brand), the
 * visitors' choices, and the link of a visitor to a subject once the site knows who they are.
 */
export function bannerRoutes({ banner, branding, scriptPath, settings }: Deps): FastifyPluginAsyncZod {
  const rateLimit = { max: settings.rateLimitPerMinute, timeWindow: '1 minute' };
  let script: Promise<Buffer> | undefined;
  return async (app) => {
    app.get(
      '/consent.js',
      { config: { access: 'public' }, schema: { hide: true } },
      async (_request, reply) => {
        script ??= readFile(scriptPath).catch((error: unknown) => {
          script = undefined;
          throw error;
        });
        const body = await script.catch(() => {
          throw new AppError('not_found', 'The consent banner is not built: run `npm run build:sdk`.');
        });
        return crossOrigin(reply)
          .type('text/javascript; charset=utf-8')
          .header('cache-control', 'public, max-age=300')
          .send(body);
      },
    );

    app.get(
      '/v1/consent/banner',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'What the consent banner shows: the website purposes and the brand',
          response: { 200: ZBannerConfig },
        },
      },
      async (_request, reply) => {
        const purposes = (await banner.websitePurposes()).map((purpose) => ({
          key: purpose.key,
          name: purpose.name,
          description: purpose.description,
          text: purpose.text,
          version: purpose.version,
          legalBasis: purpose.legal_basis,
          choosable: isChoosable(purpose),
          saleOrSharing: purpose.ccpa_sale || purpose.ccpa_sharing,
        }));
        const brand = {
          name: branding.name,
          color: branding.color,
          privacyPolicyUrl: branding.privacyPolicyUrl,
        };
        return crossOrigin(reply).header('cache-control', 'public, max-age=60').send({ purposes, brand });
      },
    );

    app.options(
      '/v1/consent/banner/choices',
      { config: { access: 'public' }, schema: { hide: true } },
      async (_request, reply) =>
        crossOrigin(reply)
          .header('access-control-allow-methods', 'POST')
          .header('access-control-allow-headers', 'content-type')
          .header('access-control-max-age', '600')
          .status(204)
          .send(),
    );

    app.post(
      '/v1/consent/banner/choices',
      {
        config: { access: 'public', rateLimit },
        schema: {
          tags,
          summary: 'Record a website visitor’s choices from the consent banner',
          description:
            'For anonymous visitors: the choices are stored against a pseudonymous subject kept for the visitor id. Grants are explicit opt-ins; refusals withdraw what was granted (else deny). With `gpc`, every sale or sharing purpose not granted here is opted out. Answers the verdict for every website purpose.',
          body: ZBannerChoices,
          response: { 200: z.object({ results: z.array(ZCheckResult) }) },
        },
      },
      async (request, reply) => {
        const userAgent = request.headers['user-agent'];
        const results = await banner.recordChoices(auditContextOf(request), request.body, {
          ip: request.ip,
          userAgent: userAgent ? userAgent.slice(0, 1000) : undefined,
        });
        return crossOrigin(reply).send({ results: results.map(presentCheck) });
      },
    );

    app.post(
      '/v1/consent/visitors/link',
      {
        config: { access: 'consent.write' },
        schema: {
          tags,
          summary: 'Give a signed-in visitor’s banner choices to their subject',
          description:
            'Called by the site’s backend when a visitor signs in: the visitor’s standing banner choices are recorded for the subject (form `custos-banner:linked`). Custos keeps no other link between the visitor id and the subject.',
          body: z.object({ visitorId: z.uuid().toLowerCase(), subject: ZSubjectRef }),
          response: {
            200: z.object({
              subjectId: z.uuid(),
              linked: z.array(z.string()).describe('purpose keys copied'),
            }),
          },
        },
      },
      async (request) => {
        const { subjectId, receipts } = await banner.link(auditContextOf(request), request.body);
        return { subjectId, linked: receipts.map((receipt) => receipt.purpose.key) };
      },
    );

    if (settings.demo) {
      app.get(
        '/consent-demo',
        { config: { access: 'public' }, schema: { hide: true } },
        async (_request, reply) => reply.type('text/html; charset=utf-8').send(bannerDemoPage()),
      );
      app.get(
        '/consent-demo/analytics.js',
        { config: { access: 'public' }, schema: { hide: true } },
        async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(bannerDemoScript),
      );
    }
  };
}
