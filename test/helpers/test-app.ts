import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { type App, buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import { type Clock, systemClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { openTestDatabase } from './test-database.js';

export type TestApp = {
  app: App;
  runtime: Runtime;
  close(): Promise<void>;
};

export type TestAppOptions = {
  /** Extra environment settings, as a user would set them. */
  env?: Record<string, string>;
  clock?: Clock;
  /** Receives the JSON log lines (default: logging off). */
  logStream?: DestinationStream;
  /** Called before the app is ready, to add test-only routes. */
  beforeReady?: (app: App) => void | Promise<void>;
  /** Runs on this database instead of a fresh one: a second Custos process on the same PostgreSQL database. */
  database?: Database;
};

/** A fully wired Custos on a fresh database, for app.inject() tests. Jobs are not worked unless started. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  // Each app has its own data directory, so key files never mix between apps or test files.
  const dataDir = mkdtempSync(join(tmpdir(), 'custos-app-'));
  const config = loadConfig({
    CUSTOS_DATA_DIR: dataDir,
    CUSTOS_LOG_LEVEL: options.logStream ? 'info' : 'silent',
    ...options.env,
  });
  const logger = createLogger(config.logLevel, options.logStream);
  const metrics = createMetrics();
  const database = options.database ?? (await openTestDatabase(metrics));
  const runtime = await openRuntime({
    config,
    logger,
    database,
    metrics,
    clock: options.clock ?? systemClock,
  });
  const app = await buildApp(runtime);
  await options.beforeReady?.(app);
  await app.ready();
  return {
    app,
    runtime,
    async close() {
      await app.close();
      await runtime.close(2000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
