import { faker } from '@faker-js/faker';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createJobQueue, type JobDefinition } from '../../src/jobs/queue.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { rewrapJobName } from '../../src/modules/keys/keys-service.js';
import { actAs } from '../helpers/auth.js';
import {
  answerTaskDone,
  caller,
  createCollections,
  erasureAwaitingSystem,
  eventually,
  startReceiver,
} from '../helpers/fulfilment.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

faker.seed(1442);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A lease short enough for a test; production's default is 30 s. */
const leaseMs = 2000;

type JobState = { state: string; retry_count: number };

async function jobStates(database: TestDatabase | TestApp['runtime']['database'], name: string) {
  const { rows } = await database.executeSql(
    'select state, retry_count from pgboss.job where name = $1 order by created_on',
    [name],
  );
  return rows as JobState[];
}

/**
 * What a process killed in the middle of a job leaves behind: the job marked active, started by it, and
 * nobody renewing its lease. (A real `kill -9` leaves exactly this row; no process is left to clean up.)
 */
async function holdByDeadProcess(database: TestApp['runtime']['database'], name: string) {
  const { rows } = await database.executeSql(
    `update pgboss.job set state = 'active', started_on = now()
      where name = $1 and state = 'created' returning id`,
    [name],
  );
  expect(rows).toHaveLength(1);
}

describe('jobs held by a process that died', () => {
  it('keeps renewing the lease of a job that runs longer than the lease, and runs it once', async () => {
    const database = await openTestDatabase();
    let runs = 0;
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const slow: JobDefinition = {
      name: `test.slow.${faker.string.alphanumeric({ length: 8, casing: 'lower' })}`,
      retryDelaySeconds: 1,
      handler: async () => {
        runs += 1;
        await finished;
      },
    };
    const queue = createJobQueue({
      database,
      logger: createLogger('silent'),
      metrics: createMetrics(),
      definitions: [slow],
      concurrency: 2,
      pollIntervalMs: 100,
      leaseMs: 1000,
    });
    cleanups.push(async () => {
      await queue.stop(2000);
      await database.close();
    });
    await queue.start({ work: true });
    await queue.send(slow.name, {});

    // Held for three leases and more: without renewal, maintenance would have failed and retried it.
    await vi.waitFor(
      async () => {
        const { rows } = await database.executeSql(
          `select 1 from pgboss.job where name = $1 and state = 'active' and started_on < now() - interval '3.5 seconds'`,
          [slow.name],
        );
        expect(rows).toHaveLength(1);
      },
      { timeout: 15_000, interval: 200 },
    );
    finish();
    await vi.waitFor(
      async () => expect(await jobStates(database, slow.name)).toMatchObject([{ state: 'completed' }]),
      {
        timeout: 10_000,
        interval: 100,
      },
    );
    expect(runs).toBe(1);
  });

  it('takes up a rewrap a killed process held, continues where it stopped and rewraps no key twice', async () => {
    const t = await createTestApp({
      env: { CUSTOS_JOB_LEASE: `${leaseMs}ms`, CUSTOS_REWRAP_BATCH_SIZE: '2' },
    });
    cleanups.push(() => t.close());
    const headers = await actAs(t, 'service');
    await Promise.all(
      Array.from({ length: 7 }, async () => {
        const subject = await t.app.inject({ method: 'POST', url: '/v1/subjects', headers, payload: {} });
        expect(subject.statusCode).toBe(201);
      }),
    );
    // The queues take this process's lease; the worker itself is started later, as a fresh process would.
    await t.runtime.jobs.start({ work: false });
    const rotated = await t.app.inject({
      method: 'POST',
      url: '/v1/keys/rotate',
      headers: await actAs(t, 'security'),
    });
    expect(rotated.statusCode).toBe(202);
    const { version, dataKeysToRewrap } = rotated.json() as { version: number; dataKeysToRewrap: number };
    expect(dataKeysToRewrap).toBeGreaterThanOrEqual(7);

    // The dead process took the job and committed one batch before it was killed.
    await holdByDeadProcess(t.runtime.database, rewrapJobName);
    const context = { actor: { type: 'system' as const, id: rewrapJobName }, requestId: null, ip: null };
    expect(await t.runtime.services.keys.rewrap(context, { maxBatches: 1 })).toMatchObject({ rewrapped: 2 });

    await t.runtime.jobs.work();
    await vi.waitFor(
      async () =>
        expect(await jobStates(t.runtime.database, rewrapJobName)).toMatchObject([{ state: 'completed' }]),
      { timeout: 30_000, interval: 200 },
    );
    const pending = await t.runtime.database.db
      .selectFrom('data_keys')
      .select(sql<number>`count(*)`.as('count'))
      .where('kek_version', '<', version)
      .executeTakeFirstOrThrow();
    expect(Number(pending.count)).toBe(0);
    // The run that took it up moved exactly the keys the dead one had not: none twice.
    const completed = await t.runtime.database.db
      .selectFrom('audit_entries')
      .select('details')
      .where('action', '=', 'keys.rewrap.completed')
      .execute();
    expect(completed.map((entry) => entry.details)).toEqual([
      expect.objectContaining({ rewrapped: dataKeysToRewrap - 2 }),
    ]);
  });

  it('delivers the downstream task of an erasure a killed process held, once, and the erasure completes', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const t = await createTestApp({
      env: {
        CUSTOS_JOB_LEASE: `${leaseMs}ms`,
        CUSTOS_WEBHOOK_ALLOW_HTTP: 'true',
        CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      },
    });
    cleanups.push(() => t.close());
    await t.runtime.jobs.start({ work: false });
    const _as = caller(t);
    const _service = await actAs(t, 'service');
    await createCollections(t, ['customers']);
    const { path, requestId } = await erasureAwaitingSystem(t, receiver);

    // The process that took the task's delivery was killed before it sent anything.
    await holdByDeadProcess(t.runtime.database, 'webhooks.deliver');
    await t.runtime.jobs.work();
    const [message] = await eventually(() => (receiver.at(path).length > 0 ? receiver.at(path) : undefined));
    const { callbackUrl } = (JSON.parse(message?.body ?? '{}') as { data: { callbackUrl: string } }).data;
    await answerTaskDone(t, callbackUrl, requestId);
    await vi.waitFor(
      async () =>
        expect(await jobStates(t.runtime.database, 'webhooks.deliver')).toMatchObject([
          { state: 'completed' },
        ]),
      { timeout: 10_000, interval: 100 },
    );
    expect(receiver.at(path)).toHaveLength(1);
  });
});
