import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { databaseRetryAfterSeconds, isConnectionError } from '../../db/connection-errors.js';
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
    notifications: z
      .enum(['ok', 'reconnecting'])
      .describe('Cross-process cache invalidation (LISTEN); while reconnecting, caches are bypassed'),
  }),
  reason: z.string().optional().describe('Why the instance is not ready (no credentials, no data)'),
});

/** A reason naming the kind of failure (SQLSTATE or socket error), never a message that could carry data. */
function unreachableReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const kind = typeof code === 'string' && /^[A-Z0-9_]{2,20}$/.test(code) ? ` (${code})` : '';
  return isConnectionError(error)
    ? `The database cannot be reached${kind}; requests are answered 503 until it is back.`
    : `The database did not answer the readiness query${kind}.`;
}

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
        const checks: z.infer<typeof ZReady>['checks'] = {
          database: 'ok',
          migrations: 'unknown',
          notifications: database.listening() ? 'ok' : 'reconnecting',
        };
        let reason: string | undefined;
        try {
          await database.ping();
          checks.migrations = (await pendingMigrations(database.db)).length === 0 ? 'ok' : 'pending';
          if (checks.migrations === 'pending') reason = 'Database migrations are pending.';
        } catch (error) {
          checks.database = 'unreachable';
          reason = unreachableReason(error);
        }
        const ready = checks.database === 'ok' && checks.migrations === 'ok';
        if (!ready) reply.header('Retry-After', String(databaseRetryAfterSeconds));
        return reply
          .status(ready ? 200 : 503)
          .send({ status: ready ? 'ready' : 'not_ready', checks, ...(reason ? { reason } : {}) });
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
