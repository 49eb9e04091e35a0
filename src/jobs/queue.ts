import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';
import { isConnectionError } from '../db/connection-errors.js';
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
  /**
   * The longest one run may last (default 15 minutes). A running job is held under a short lease that
   * its process renews while it runs (see `createJobQueue`), so this bounds a run that hangs, not the
   * time it takes to notice a dead process.
   */
  expireInSeconds?: number;
  /** Jobs a worker fetches at once and runs side by side (default 1). */
  batchSize?: number;
  /**
   * Does the work. `signal` aborts when this process lost the job's lease (it could not renew it, so
   * another process may take the job up): a long handler stops at its next batch boundary.
   */
  handler: (data: T, job: { id: string; signal?: AbortSignal }) => Promise<void>;
};

export type JobQueue = {
  /** Installs or upgrades the pg-boss schema and, when `work` is set, starts working every defined queue. */
  start(options: { work: boolean }): Promise<void>;
  /** Starts working every defined queue, once the queue was started (`custos serve` does so after listening). */
  work(): Promise<void>;
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
  /** How long a running job stays held without its process renewing the lease (default 30 s). */
  leaseMs?: number;
}): JobQueue {
  const { database, logger, metrics, definitions, concurrency } = deps;
  const pollIntervalMs = deps.pollIntervalMs ?? 1000;
  const leaseSeconds = Math.max(1, Math.ceil((deps.leaseMs ?? 30_000) / 1000));
  const log = logger.child({ component: 'jobs' });
  const boss = new PgBoss({
    db: { executeSql: (text, values) => database.executeSql(text, values) },
    schema,
    // Completed jobs are kept a week for inspection, then pg-boss's own maintenance deletes them.
    deleteAfterDays: 7,
    archiveCompletedAfterSeconds: 3600,
    // Maintenance is what fails (and so retries) a job whose lease ran out: run it twice per lease.
    maintenanceIntervalSeconds: Math.max(1, Math.floor(leaseSeconds / 2)),
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
        // Every job starts with one lease; its process renews it while the handler runs.
        expireInSeconds: leaseSeconds,
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
    const lease = holdLease(definition, job.id);
    try {
      await definition.handler(job.data, { id: job.id, signal: lease.signal });
      lease.release();
      metrics.jobsCompleted.inc({ queue: definition.name, outcome: 'completed' });
      await boss.complete(definition.name, job.id);
    } catch (error) {
      lease.release();
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
   * Keeps a running job's lease: every third of the lease its expiry is moved to a lease from now, so
   * pg-boss's maintenance fails (and retries elsewhere) only jobs whose process stopped renewing them —
   * a process that was killed, or lost the database for longer than a lease. The renewal stops after the
   * definition's longest run. When a renewal finds the job no longer active and ours, or fails for a
   * whole lease, the signal aborts so the handler stops at its next batch.
   */
  function holdLease(definition: JobDefinition, jobId: string) {
    const controller = new AbortController();
    const started = Date.now();
    const maxRunMs = (definition.expireInSeconds ?? 15 * 60) * 1000;
    let renewedAt = started;
    const renew = async () => {
      if (Date.now() - started > maxRunMs) return;
      try {
        const { rows } = await database.executeSql(
          `update ${schema}.job set expire_in = (now() - started_on) + make_interval(secs => $3)
            where name = $1 and id = $2 and state = 'active' returning id`,
          [definition.name, jobId, leaseSeconds],
        );
        if (rows.length === 0) controller.abort(new Error('the job is no longer held by this process'));
        else renewedAt = Date.now();
      } catch (error) {
        if (Date.now() - renewedAt >= leaseSeconds * 1000) controller.abort(error);
      }
    };
    const timer = setInterval(() => void renew(), Math.max(250, (leaseSeconds * 1000) / 3));
    timer.unref();
    return { signal: controller.signal, release: () => clearInterval(timer) };
  }

  /**
   * One worker: fetches up to `batchSize` jobs and runs them side by side; fetches again at once after a
   * full batch (a backlog drains as fast as the handlers go), and waits `pollIntervalMs` after a short
   * one. A failure of the queue itself is logged (an outage only by /ready) and retried after the interval.
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
        // An outage is reported by /ready and the request log; every worker slot saying so each poll is noise.
        const outage = isConnectionError(error);
        if (!outage) log.error({ err: error, queue: definition.name }, 'job queue fetch failed');
        if (working && outage) await idle(Math.max(pollIntervalMs, 5000));
      }
      if (working && fetched < batchSize) await idle(pollIntervalMs);
    }
  }

  /**
   * Puts back in the queue, to be fetched at once, every job whose lease ran out: its process died (or
   * lost the database for a whole lease) while running it. pg-boss's maintenance would get there too, but
   * only after the job's retry delay, which is meant for failures, not for a dead process. Jobs without
   * retries left are left to pg-boss, which fails them.
   */
  async function reclaimExpired(): Promise<void> {
    try {
      const { rows } = await database.executeSql(
        `update ${schema}.job
            set state = 'retry', start_after = now(),
                output = '{"message":"taken up again: the process running it stopped renewing its lease"}'::jsonb
          where state = 'active' and started_on + expire_in < now() and retry_count < retry_limit
          returning name, id`,
        [],
      );
      const reclaimed = rows as { name: string; id: string }[];
      if (reclaimed.length > 0) log.warn({ jobs: reclaimed }, 'jobs of a stopped process taken up again');
    } catch (error) {
      log.warn({ err: error }, 'could not look for jobs of stopped processes');
    }
  }

  const loops: Promise<void>[] = [];
  let reclaimer: NodeJS.Timeout | undefined;

  async function workAll() {
    if (working) return;
    working = true;
    await reclaimExpired();
    reclaimer = setInterval(() => void reclaimExpired(), Math.max(500, (leaseSeconds * 1000) / 2));
    reclaimer.unref();
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
    async work() {
      if (!started) throw new Error('start the job queue before working it');
      await workAll();
      log.info({ queues: definitions.map((d) => d.name) }, 'job queue working');
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
      if (reclaimer) clearInterval(reclaimer);
      for (const wake of [...sleepers]) wake();
      const timeout = new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
      await Promise.race([Promise.all(loops), timeout]);
      const stopped = new Promise<void>((resolve) => boss.once('stopped', () => resolve()));
      await boss.stop({ graceful: false, close: false, wait: true });
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    },
  };
}
