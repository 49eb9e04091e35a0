import type { Config } from './config.js';
import { type Database, databaseOptionsFrom, openDatabase } from './db/database.js';
import { type MigrationProgress, migrateToLatest } from './db/migrate.js';
import { createJobQueue, type JobQueue } from './jobs/queue.js';
import { type Clock, systemClock } from './lib/clock.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { readAgentDirectory } from './modules/drp/drp-directory.js';
import { readDeclaredCollections } from './modules/vault/declared-collections.js';
import { createServices, type Services } from './services.js';
import { version } from './version.js';

/** Everything a Custos process runs on, shared by `serve`, `worker` and the tests. */
export type Runtime = {
  config: Config;
  logger: Logger;
  clock: Clock;
  metrics: Metrics;
  database: Database;
  services: Services;
  jobs: JobQueue;
  /** Stops jobs and closes the database. */
  close(timeoutMs?: number): Promise<void>;
};

export async function openRuntime(options: {
  config: Config;
  logger: Logger;
  clock?: Clock;
  database?: Database;
  metrics?: Metrics;
  onMigration?: MigrationProgress;
}): Promise<Runtime> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? createMetrics();
  const database = options.database ?? (await openDatabase(databaseOptionsFrom(config), metrics));
  try {
    const applied = await migrateToLatest(database.db, options.onMigration);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    const services = createServices({ config, database, clock, logger, version });
    services.registerRetentionMetrics(metrics.registry);
    services.registerReportMetrics(metrics.registry);
    // Data residency: subjects stored on an instance whose location their policy refuses (warns or refuses).
    await services.checkSubjectStorage();
    if (config.collectionsFile) {
      const applied = await services.collections.applyDeclared(
        { actor: { type: 'system', id: 'config' }, requestId: null, ip: null },
        readDeclaredCollections(config.collectionsFile),
      );
      if (applied.length > 0) logger.info({ collections: applied }, 'declared collections applied');
    }
    if (config.drpAgentsFile) {
      const applied = await services.drpAgents.applyDirectory(
        { actor: { type: 'system', id: 'config' }, requestId: null, ip: null },
        readAgentDirectory(config.drpAgentsFile),
      );
      if (applied.length > 0) logger.info({ agents: applied }, 'DRP service directory applied');
    }
    const jobs = createJobQueue({
      database,
      logger,
      metrics,
      definitions: services.jobDefinitions,
      concurrency: config.jobConcurrency,
      leaseMs: config.jobLease,
    });
    services.jobSender.bind(jobs);
    return {
      config,
      logger,
      clock,
      metrics,
      database,
      services,
      jobs,
      async close(timeoutMs = config.shutdownTimeout) {
        await jobs.stop(timeoutMs);
        await services.audit.checkpointsSigned();
        await database.close();
      },
    };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}
