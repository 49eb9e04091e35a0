import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';
import type { JobSender } from '../jobs/job-sender.js';
import type { PruneTask } from '../jobs/maintenance.js';
import type { JobDefinition } from '../jobs/queue.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../logger.js';

/** What every module's wiring function is given: configuration, the database, time, logs and the job sender. */
export type Platform = {
  config: Config;
  database: Database;
  db: Kysely<DB>;
  clock: Clock;
  logger: Logger;
  version: string;
  /** Bound to the job queue once it exists; services enqueue through it in their transactions. */
  jobs: JobSender;
};

/** A 256-bit key derived for one use alone (`custos.<use>.v1`), so no two uses share key material. */
export type DeriveKey = (info: string) => Buffer;

/** What a module contributes to the background: its jobs and the rows the maintenance job prunes. */
export type Background = { jobs: JobDefinition[]; prune: PruneTask[] };
