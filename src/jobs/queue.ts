import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';
import type { Database, Executor } from '../db/database.js';
import { errorMessageForLog, type Logger } from '../logger.js';
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
  /** Jobs a worker fetches at once and runs side by side (default 1). */
  batchSize?: number;
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
  /** How long an idle worker waits before it asks for jobs again. */
  pollIntervalMs?: number;
}): JobQueue {
  const { database, logger, metrics, definitions, concurrency } = deps;
  const pollIntervalMs = deps.pollIntervalMs ?? 1000;
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

  const sleepers = new Set<() => void>();

  /** Resolves after `ms`, or at once when the queue stops. */
  function idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });
  }

  async function run(definition: JobDefinition, job: PgBoss.Job<object>): Promise<void> {
    try {
      await definition.handler(job.data, { id: job.id });
      metrics.jobsCompleted.inc({ queue: definition.name, outcome: 'completed' });
      await boss.complete(definition.name, job.id);
    } catch (error) {
      metrics.jobsCompleted.inc({ queue: definition.name, outcome: 'failed' });
      log.warn(
        { err: error, queue: definition.name, jobId: job.id },
        'job failed; pg-boss will retry it if attempts remain',
      );
      // Scrubbed like a log line: this message is kept in the queue's table.
      const message = errorMessageForLog(error);
      await boss.fail(definition.name, job.id, { message: message.slice(0, 500) });
    }
  }

  /**
   * One worker: fetches up to `batchSize` jobs and runs them side by side; fetches again at once after a
   * full batch (a backlog drains as fast as the handlers go), and waits `pollIntervalMs` after a short
   * one. A failure of the queue itself (database down) is logged and retried after the interval.
   */
  async function workLoop(definition: JobDefinition): Promise<void> {
    const batchSize = definition.batchSize ?? 1;
    while (working) {
      let fetched = 0;
      try {
        const jobs = (await boss.fetch<object>(definition.name, { batchSize })) ?? [];
        fetched = jobs.length;
        await Promise.all(jobs.map((job) => run(definition, job)));
      } catch (error) {
        log.error({ err: error, queue: definition.name }, 'job queue fetch failed');
      }
      if (working && fetched < batchSize) await idle(pollIntervalMs);
    }
  }

  const loops: Promise<void>[] = [];

  async function workAll() {
    working = true;
    for (const definition of definitions) {
      for (let slot = 0; slot < concurrency; slot += 1) loops.push(workLoop(definition));
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
      if (work) await workAll();
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
      // Our workers finish the jobs in hand and fetch no more; then pg-boss stops its maintenance.
      working = false;
      for (const wake of [...sleepers]) wake();
      const timeout = new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
      await Promise.race([Promise.all(loops), timeout]);
      const stopped = new Promise<void>((resolve) => boss.once('stopped', () => resolve()));
      await boss.stop({ graceful: false, close: false, wait: true });
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    },
  };
}
