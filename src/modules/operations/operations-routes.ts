import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/database.js';
import { pendingMigrations } from '../../db/migrate.js';
import type { JobQueue } from '../../jobs/queue.js';
import { AppError } from '../../lib/app-error.js';
import type { Metrics } from '../../metrics.js';

const ZHealth = z.object({ status: z.literal('ok'), version: z.string(), uptimeSeconds: z.number() });
const ZReady = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.object({
    database: z.enum(['ok', 'unreachable']),
    migrations: z.enum(['ok', 'pending', 'unknown']),
  }),
});

type Deps = {
  database: Database;
  metrics: Metrics;
  jobs: JobQueue;
  version: string;
  metricsToken: string | undefined;
};

function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** Liveness, readiness and Prometheus metrics for orchestrators and monitoring. */
export function operationsRoutes({
  database,
  metrics,
  jobs,
  version,
  metricsToken,
}: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/health',
      {
        config: { access: 'public' },
        // Probes and scrapes arrive every few seconds from orchestrators: they log only when they fail.
        logLevel: 'warn',
        schema: { tags: ['operations'], summary: 'The process is alive', response: { 200: ZHealth } },
      },
      async () => ({ status: 'ok' as const, version, uptimeSeconds: Math.round(process.uptime()) }),
    );

    app.get(
      '/ready',
      {
        config: { access: 'public' },
        // Probes and scrapes arrive every few seconds from orchestrators: they log only when they fail.
        logLevel: 'warn',
        schema: {
          tags: ['operations'],
          summary: 'The database is reachable and its schema is current',
          response: { 200: ZReady, 503: ZReady },
        },
      },
      async (_request, reply) => {
        const checks: z.infer<typeof ZReady>['checks'] = { database: 'ok', migrations: 'unknown' };
        try {
          await database.ping();
          checks.migrations = (await pendingMigrations(database.db)).length === 0 ? 'ok' : 'pending';
        } catch {
          checks.database = 'unreachable';
        }
        const ready = checks.database === 'ok' && checks.migrations === 'ok';
        return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
      },
    );

    app.get(
      '/metrics',
      {
        config: { access: 'public' },
        // Probes and scrapes arrive every few seconds from orchestrators: they log only when they fail.
        logLevel: 'warn',
        schema: {
          tags: ['operations'],
          summary: 'Prometheus metrics (bearer token when CUSTOS_METRICS_TOKEN is set)',
          response: { 200: z.string() },
        },
      },
      async (request, reply) => {
        if (metricsToken && !tokenMatches(request.headers.authorization, metricsToken)) {
          throw new AppError(
            'unauthenticated',
            'Metrics need the bearer token configured in CUSTOS_METRICS_TOKEN.',
          );
        }
        if (jobs.started) {
          const depths = await jobs.depths().catch(() => ({}));
          for (const [queue, depth] of Object.entries(depths)) metrics.jobQueueDepth.set({ queue }, depth);
        }
        return reply
          .type(metrics.registry.contentType)
          .serializer((body: string) => body)
          .send(await metrics.registry.metrics());
      },
    );
  };
}
