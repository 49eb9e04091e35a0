import type { ServerOptions as HttpsOptions } from 'node:https';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { registerAuthentication } from './http/authenticate.js';
import { clientErrorHandler, frameworkErrorHandler, refuseOverlongUrls } from './http/framework-errors.js';
import { registerOpenApi } from './http/openapi.js';
import { acceptAbsentBodies } from './http/optional-body.js';
import { registerProblemHandlers } from './http/problem.js';
import { requestIdFor } from './http/request-id.js';
import { requestLogController } from './http/request-log.js';
import { requireAccessDeclarations } from './http/route-access.js';
import { registerSecurityHeaders, responseSecurityHeaders } from './http/security-headers.js';
import { refuseUnstorableStrings } from './http/storable-input.js';
import { defaultWebRoot, registerWebApp } from './http/web-app.js';
import type { JobQueue } from './jobs/queue.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { accessRoutes } from './modules/access/access-routes.js';
import { apiKeyRoutes } from './modules/access/api-key-routes.js';
import { operatorRoutes } from './modules/access/operator-routes.js';
import { accountabilityRoutes } from './modules/accountability/accountability-routes.js';
import { alertRoutes } from './modules/alerts/alert-routes.js';
import { assessmentRoutes } from './modules/assessments/assessment-routes.js';
import { auditRoutes } from './modules/audit/audit-routes.js';
import { breachRoutes } from './modules/breaches/breach-routes.js';
import { bannerRoutes } from './modules/consent/banner-routes.js';
import { consentRoutes } from './modules/consent/consent-routes.js';
import { purposeRoutes } from './modules/consent/purpose-routes.js';
import { consoleRoutes } from './modules/console/console-routes.js';
import { drpAdminRoutes } from './modules/drp/drp-admin-routes.js';
import { drpRoutes } from './modules/drp/drp-routes.js';
import { drpVerificationRoutes } from './modules/drp/drp-verification-routes.js';
import { fidesRoutes } from './modules/inventory/fides-routes.js';
import { inventoryRoutes } from './modules/inventory/inventory-routes.js';
import { ropaRoutes } from './modules/inventory/ropa-routes.js';
import { keysRoutes } from './modules/keys/keys-routes.js';
import { mailRoutes } from './modules/mail/mail-routes.js';
import { monitoringRoutes } from './modules/monitoring/monitoring-routes.js';
import { webhookRoutes } from './modules/notifications/webhook-routes.js';
import { operationsRoutes } from './modules/operations/operations-routes.js';
import { brandingOf, logoOriginOf } from './modules/privacy-center/branding.js';
import { privacyRoutes } from './modules/privacy-center/privacy-routes.js';
import { dashboardRoutes } from './modules/reports/dashboard-routes.js';
import { reportRoutes } from './modules/reports/report-routes.js';
import { reportsRoutes } from './modules/reports/reports-routes.js';
import { fulfilmentRoutes } from './modules/requests/fulfilment-routes.js';
import { requestExportRoutes } from './modules/requests/request-export-routes.js';
import { requestRoutes } from './modules/requests/request-routes.js';
import { minimizationRoutes } from './modules/retention/minimization-routes.js';
import { retentionRoutes } from './modules/retention/retention-routes.js';
import { taxonomyRoutes } from './modules/taxonomy/taxonomy-routes.js';
import { transferRoutes } from './modules/transfers/transfer-routes.js';
import { importRoutes } from './modules/vault/import-routes.js';
import { vaultRoutes } from './modules/vault/vault-routes.js';
import type { Services } from './services.js';
import { version } from './version.js';

export type AppDeps = {
  config: Config;
  database: Database;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  jobs: JobQueue;
  services: Services;
  https?: HttpsOptions;
  /** The built console and privacy center (default: `dist/web` of this repository). */
  webRoot?: string;
};

export type App = FastifyInstance;

/** The consent banner, built with the SDK (same depth from src/ and dist/). */
const consentBannerScript = new URL('../packages/sdk/dist/consent.js', import.meta.url);

// The headers that matter for an API holding personal data (OWASP REST guidance); legacy ones for
// browsers long gone (X-XSS-Protection, X-Download-Options, Flash policies, DNS prefetch) are left out.
const securityHeaders = responseSecurityHeaders({
  hsts: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
  originAgentCluster: false,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
    },
  },
  crossOriginEmbedderPolicy: false,
});

/** Builds the HTTP application: cross-cutting hooks first, then every module's routes. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, database, logger, metrics, jobs, services } = deps;
  const hsts = `max-age=${config.hstsMaxAge}; includeSubDomains`;
  // Answers made before any hook runs carry the same headers (HSTS too when serving HTTPS).
  const earlyHeaders = deps.https
    ? { ...securityHeaders, 'strict-transport-security': hsts }
    : securityHeaders;
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps Fastify's default generics.
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: requestIdFor,
    logController: requestLogController(),
    bodyLimit: config.bodyLimit,
    requestTimeout: config.requestTimeout,
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    frameworkErrors: frameworkErrorHandler(earlyHeaders),
    clientErrorHandler: clientErrorHandler(earlyHeaders),
    ...(deps.https ? { https: deps.https } : {}),
  });

  acceptAbsentBodies(app);
  app.setSerializerCompiler(serializerCompiler);
  requireAccessDeclarations(app);
  registerProblemHandlers(app);
  refuseUnstorableStrings(app);

  // Callback-style hooks on the hot path: no promise per hook per request.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    if (request.protocol === 'https') reply.header('strict-transport-security', hsts);
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    // Label by route pattern, never by raw URL, so metrics neither explode nor carry identifiers.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequestDuration.observe(
      { route, method: request.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });

  registerSecurityHeaders(app, securityHeaders);
  // After the security headers, which an error in onRequest would otherwise skip.
  refuseOverlongUrls(app);
  if (config.corsOrigins.length > 0) {
    await app.register(cors, { origin: config.corsOrigins, credentials: true });
  }
  await registerOpenApi(app, { version, publicUrl: config.publicUrl });
  // Rate limits apply where a route asks for one (config.rateLimit): the authentication routes.
  await app.register(rateLimit, { global: false });
  await registerAuthentication(app, services);

  await app.register(
    operationsRoutes({ database, metrics, jobs, version, metricsToken: config.metricsToken }),
  );
  await app.register(accessRoutes({ ...services, rateLimitPerMinute: config.authRateLimit }));
  await app.register(operatorRoutes(services));
  await app.register(apiKeyRoutes(services));
  await app.register(vaultRoutes(services));
  await app.register(importRoutes({ ...services, bodyLimit: config.importBodyLimit }));
  await app.register(auditRoutes(services));
  await app.register(keysRoutes({ keys: services.keys, jobs }));
  await app.register(purposeRoutes(services));
  await app.register(taxonomyRoutes());
  await app.register(
    consentRoutes({
      consent: services.consent,
      checks: services.consentChecks,
      tcf: services.tcf,
      subjects: services.records,
      settings: {
        filterBodyLimit: config.consentFilterBodyLimit,
        gpcLastUpdate: config.gpcLastUpdate,
      },
    }),
  );
  await app.register(requestRoutes(services));
  await app.register(requestExportRoutes(services));
  await app.register(fulfilmentRoutes(services));
  await app.register(inventoryRoutes(services));
  await app.register(ropaRoutes(services));
  await app.register(
    fidesRoutes({
      dataMap: () => services.inventory.dataMap(),
      applyImport: (context, plan) => services.inventory.applyImport(context, plan),
      audit: services.audit,
    }),
  );
  await app.register(retentionRoutes(services));
  await app.register(minimizationRoutes(services));
  await app.register(drpRoutes({ ...services, rateLimitPerMinute: config.authRateLimit }));
  await app.register(drpAdminRoutes({ ...services, publicUrl: config.publicUrl }));
  await app.register(drpVerificationRoutes({ ...services, rateLimitPerMinute: config.authRateLimit }));
  await app.register(mailRoutes(services));
  await app.register(webhookRoutes(services));

  const branding = brandingOf(config);
  await app.register(
    privacyRoutes({
      subjectAccounts: services.subjectAccounts,
      registration: services.registration,
      verification: services.accountVerification,
      selfService: services.selfService,
      purposes: services.purposes,
      branding,
      rateLimitPerMinute: config.authRateLimit,
    }),
  );
  await app.register(
    bannerRoutes({
      banner: services.consentBanner,
      branding,
      scriptPath: consentBannerScript,
      settings: { demo: config.consentBannerDemo, rateLimitPerMinute: 120 },
    }),
  );
  await app.register(reportsRoutes(services));
  await app.register(accountabilityRoutes(services));
  await app.register(dashboardRoutes(services));
  await app.register(reportRoutes(services));
  await app.register(alertRoutes(services));
  await app.register(breachRoutes({ ...services, clock: deps.clock }));
  await app.register(transferRoutes(services));
  await app.register(assessmentRoutes(services));
  await app.register(monitoringRoutes(services));
  await app.register(
    consoleRoutes({
      brandName: config.brandName,
      readPurposes: config.readPurposes,
      dueSoonDays: config.requestReminderDays,
    }),
  );

  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  const logoOrigin = logoOriginOf(branding);
  await registerWebApp(app, {
    root: deps.webRoot ?? defaultWebRoot,
    imageOrigins: logoOrigin ? [logoOrigin] : [],
  });

  return app;
}
