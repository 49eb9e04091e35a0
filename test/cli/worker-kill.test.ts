import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { rewrapJobName } from '../../src/modules/keys/keys-service.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const onPGlite = inject('testDatabase').kind === 'pglite';
const settings = { CUSTOS_JOB_LEASE: '2s', CUSTOS_LOG_LEVEL: 'silent' };
const context = { actor: { type: 'system' as const, id: 'tests' }, requestId: null, ip: null };

/**
 * The real thing: `custos worker` killed with SIGKILL in the middle of a master-key rewrap, and another
 * process finishing it with nobody running a command. Two processes on one database: PostgreSQL only.
 */
describe.skipIf(onPGlite)('a worker killed during a rewrap (PostgreSQL only)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'custos-kill-'));
  let runtime: Runtime | undefined;
  afterAll(async () => {
    await runtime?.close(2000);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const pending = async (version: number) =>
    Number(
      (
        await (runtime as Runtime).database.db
          .selectFrom('data_keys')
          .select(sql<number>`count(*)`.as('count'))
          .where('kek_version', '<', version)
          .executeTakeFirstOrThrow()
      ).count,
    );

  it('is taken up by another process within seconds, which rewraps only what is left', async () => {
    const database: TestDatabase = await openTestDatabase();
    const config = loadConfig({ CUSTOS_DATA_DIR: dataDir, CUSTOS_REWRAP_BATCH_SIZE: '100', ...settings });
    runtime = await openRuntime({ config, logger: createLogger('silent'), database });
    const { keys } = runtime.services;
    const subjects = Array.from({ length: 3000 }, () => randomUUID());
    await database.db
      .insertInto('subjects')
      .values(subjects.map((id) => ({ id, status: 'active' as const })))
      .execute();
    await database.db
      .transaction()
      .execute((tx) => keys.storeDataKeys(tx, new Map(subjects.map((id) => [id, keys.newDataKey()]))));
    await runtime.jobs.start({ work: false });
    const { version } = await keys.rotate(context, runtime.jobs);

    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('CUSTOS_') && name !== 'DATABASE_URL'),
    );
    const worker = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'worker'], {
      cwd: root,
      // One key per batch, so the kill lands in the middle of the run.
      env: {
        ...inherited,
        ...settings,
        CUSTOS_REWRAP_BATCH_SIZE: '1',
        CUSTOS_DATA_DIR: dataDir,
        DATABASE_URL: database.url as string,
      },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await vi.waitFor(async () => expect(await pending(version)).toBeLessThan(subjects.length), {
      timeout: 60_000,
      interval: 10,
    });
    worker.kill('SIGKILL');
    await exited;
    const left = await pending(version);
    expect(left).toBeGreaterThan(0);
    const { rows } = await database.executeSql(`select state from pgboss.job where name = $1`, [
      rewrapJobName,
    ]);
    expect(rows).toEqual([{ state: 'active' }]);

    await runtime.jobs.work();
    await vi.waitFor(
      async () => {
        const { rows: states } = await database.executeSql(`select state from pgboss.job where name = $1`, [
          rewrapJobName,
        ]);
        expect(states).toEqual([{ state: 'completed' }]);
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(await pending(version)).toBe(0);
    const completed = await database.db
      .selectFrom('audit_entries')
      .select('details')
      .where('action', '=', 'keys.rewrap.completed')
      .execute();
    expect(completed.map((entry) => entry.details)).toEqual([expect.objectContaining({ rewrapped: left })]);
  }, 120_000);
});
