import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';
import type { Database, Executor } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

/** A kind of background work: its queue, optional cron schedule and handler. */
export type JobDefinition<T extends object = object> = {
  name: string;
  /** Cron expression (UTC); the job is then also enqueued on this schedule. */
  schedule?: string;
  retryLimit?: number;
  /** Seconds before a retry; doubled on each further retry. */
  retryDelaySeconds?: number;
  expireInSeconds?: number;
  handler: (data: T, job: { id: string }) => Promise<void>;
};

export type JobQueue = {
  /** Installs or upgrades the pg-boss schema and, when `work` is set, starts working every defined queue. */
  start(options: { work: boolean }): Promise<void>;
  /** Enqueues a job; pass a transaction to enqueue it atomically with the change that caused it. */
  send(
    name: string,
    data: object,
    options?: { tx?: Executor; startAfterSeconds?: number; singletonKey?: string },
  ): Promise<string | null>;
  /** Jobs waiting per queue. */
  depths(): Promise<Record<string, number>>;
  /** Stops fetching new jobs and waits (up to `timeoutMs`) for running ones to finish. */
  stop(timeoutMs: number): Promise<void>;
  readonly started: boolean;
};

const schema = 'pgboss';

/** pg-boss's db adapter over a Kysely transaction, so a job commits or rolls back with its cause. */
function transactionDb(tx: Executor): PgBoss.Db {
  return {
    executeSql: async (text, values) => {
      const result = await tx.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: result.rows as unknown[] };
    },
  };
}

export function createJobQueue(deps: {
  database: Database;
  logger: Logger;
  metrics: Metrics;
  definitions: JobDefinition[];
  concurrency: number;
}): JobQueue {
  const { database, logger, metrics, definitions, concurrency } = deps;
  const log = logger.child({ component: 'jobs' });
  const boss = new PgBoss({
    db: { executeSql: (text, values) => database.executeSql(text, values) },
    schema,
    // Completed jobs are kept a week for inspection, then pg-boss's own maintenance deletes them.
    deleteAfterDays: 7,
    archiveCompletedAfterSeconds: 3600,
    maintenanceIntervalSeconds: 300,
    monitorStateIntervalSeconds: 60,
  });
  boss.on('error', (error: Error) => log.error({ err: error }, 'job queue error'));
  let started = false;
  let working = false;

  async function createQueues() {
    for (const definition of definitions) {
      const existing = await boss.getQueue(definition.name);
      const options = {
        name: definition.name,
        retryLimit: definition.retryLimit ?? 3,
        retryDelay: definition.retryDelaySeconds ?? 30,
        retryBackoff: true,
        expireInSeconds: definition.expireInSeconds ?? 15 * 60,
      };
      if (existing) await boss.updateQueue(definition.name, options);
      else await boss.createQueue(definition.name, options);
    }
  }

  async function workAll() {
    for (const definition of definitions) {
      for (let slot = 0; slot < concurrency; slot += 1) {
        await boss.work<object>(
          definition.name,
          { batchSize: 1, pollingIntervalSeconds: 2 },
          async ([job]) => {
            if (!job) return;
            const jobLog = log.child({ queue: definition.name, jobId: job.id });
            try {
              await definition.handler(job.data, { id: job.id });
              metrics.jobsCompleted.inc({ queue: definition.name, outcome: 'completed' });
            } catch (error) {
              metrics.jobsCompleted.inc({ queue: definition.name, outcome: 'failed' });
              jobLog.warn({ err: error }, 'job failed; pg-boss will retry it if attempts remain');
              throw error;
            }
          },
        );
      }
      if (definition.schedule) await boss.schedule(definition.name, definition.schedule, {}, { tz: 'UTC' });
    }
  }

  return {
    get started() {
      return started;
    },
    async start({ work }) {
      await boss.start();
      started = true;
      await createQueues();
      if (work) {
        await workAll();
        working = true;
      }
      log.info({ queues: definitions.map((d) => d.name), working: work }, 'job queue started');
    },
    send(name, data, options = {}) {
      return boss.send(name, data, {
        ...(options.tx ? { db: transactionDb(options.tx) } : {}),
        ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
        ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
      });
    },
    async depths() {
      const entries = await Promise.all(
        definitions.map(
          async (definition) => [definition.name, await boss.getQueueSize(definition.name)] as const,
        ),
      );
      return Object.fromEntries(entries);
    },
    async stop(timeoutMs) {
      if (!started) return;
      started = false;
      // pg-boss resolves stop() at once and winds down in the background; wait for its 'stopped' event.
      const stopped = new Promise<void>((resolve) => boss.once('stopped', () => resolve()));
      await boss.stop({ graceful: working, timeout: timeoutMs, close: false, wait: true });
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, timeoutMs + 1000).unref())]);
    },
  };
}
