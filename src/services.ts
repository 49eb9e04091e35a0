import type { Database } from './db/database.js';
import { maintenanceJob, type PruneTask } from './jobs/maintenance.js';
import type { JobDefinition } from './jobs/queue.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './logger.js';
import { instanceService } from './modules/operations/instance-service.js';
import { instanceStore } from './modules/operations/instance-store.js';

export type ServiceDeps = { database: Database; clock: Clock; logger: Logger; version: string };

/**
 * The wiring root for data access and services: stores are created here and handed to the services that
 * own them; services reach each other only through what is passed in. Both the HTTP app and the worker
 * are built from this one object.
 */
export function createServices({ database, clock, logger, version }: ServiceDeps) {
  const instances = instanceService({ db: database.db, store: instanceStore(), clock, version });

  const pruneTasks: PruneTask[] = [{ name: 'instances', prune: instances.pruneStale }];
  const jobDefinitions: JobDefinition[] = [maintenanceJob(pruneTasks, logger)];

  return { instances, pruneTasks, jobDefinitions };
}

export type Services = ReturnType<typeof createServices>;
