import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faker } from '@faker-js/faker';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { maintenanceJobName } from '../../src/jobs/maintenance.js';
import { createLogger } from '../../src/logger.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { openTestDatabase } from '../helpers/test-database.js';

faker.seed(3);

const hour = 3_600_000;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  // Newest first: a worker lets go of the database before the database it shares is dropped.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A Custos process's runtime (what `custos serve` or `custos worker` runs on) over the given database. */
async function runtimeOn(database: Database): Promise<Runtime> {
  const dataDir = mkdtempSync(join(tmpdir(), 'custos-jobs-'));
  const config = loadConfig({ CUSTOS_DATA_DIR: dataDir, CUSTOS_LOG_LEVEL: 'silent' });
  const runtime = await openRuntime({ config, logger: createLogger('silent'), database });
  cleanups.push(async () => {
    await runtime.close(2000);
    rmSync(dataDir, { recursive: true, force: true });
  });
  return runtime;
}

/** One stale instance (silent for an hour) and one that heartbeated just now. */
async function insertStaleAndFreshInstances(runtime: Runtime) {
  const now = runtime.clock.now();
  const row = (lastSeen: Date) => ({
    id: faker.string.uuid(),
    role: 'worker' as const,
    hostname: faker.internet.domainWord(),
    pid: faker.number.int({ min: 2, max: 99_999 }),
    version: faker.system.semver(),
    started_at: new Date(lastSeen.getTime() - hour),
    last_seen_at: lastSeen,
  });
  const stale = row(new Date(now.getTime() - hour));
  const fresh = row(now);
  await runtime.database.db.insertInto('instances').values([stale, fresh]).execute();
  return { stale, fresh };
}

async function instanceIds(runtime: Runtime): Promise<string[]> {
  const rows = await runtime.database.db.selectFrom('instances').select('id').execute();
  return rows.map((row) => row.id);
}

async function completedJobs(runtime: Runtime, queue: string): Promise<number> {
  const { values } = await runtime.metrics.jobsCompleted.get();
  return values.find((v) => v.labels.queue === queue && v.labels.outcome === 'completed')?.value ?? 0;
}

describe('background jobs', () => {
  it('prunes instances that stopped heartbeating when the maintenance job runs, and keeps live ones', async () => {
    const runtime = await runtimeOn(await openTestDatabase());
    await runtime.jobs.start({ work: true });
    const { stale, fresh } = await insertStaleAndFreshInstances(runtime);

    await runtime.jobs.send(maintenanceJobName, {});

    await vi.waitFor(
      async () => {
        const ids = await instanceIds(runtime);
        expect(ids).not.toContain(stale.id);
        expect(ids).toContain(fresh.id);
      },
      { timeout: 20_000, interval: 100 },
    );
  });

  it('lets a process that only enqueues (custos serve, CUSTOS_JOBS=false) hand work to a worker process', async (context) => {
    context.skip(
      inject('testDatabase').kind === 'pglite',
      'needs two processes on one database: PGlite is embedded in a single process, so only PostgreSQL can show it',
    );
    const database = await openTestDatabase();
    const server = await runtimeOn(database);
    await server.jobs.start({ work: false });
    const worker = await runtimeOn(
      await openDatabase({ kind: 'postgres', url: database.url as string, poolSize: 4 }),
    );
    await worker.jobs.start({ work: true });
    const { stale, fresh } = await insertStaleAndFreshInstances(server);

    await server.jobs.send(maintenanceJobName, {});

    await vi.waitFor(
      async () => {
        expect(await completedJobs(worker, maintenanceJobName)).toBeGreaterThanOrEqual(1);
        const ids = await instanceIds(server);
        expect(ids).not.toContain(stale.id);
        expect(ids).toContain(fresh.id);
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(await completedJobs(server, maintenanceJobName)).toBe(0);
  });
});
