import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { type Database, openDatabase } from '../src/db/database.js';
import type { Metrics } from '../src/metrics.js';

export type BenchDatabase = {
  database: Database;
  url: string | undefined;
  kind: 'postgres' | 'pglite';
  drop(): Promise<void>;
};

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** The connection pool a Custos process has when CUSTOS_DATABASE_POOL_SIZE is not set. */
export const defaultPoolSize = loadConfig({}).databasePoolSize;

/**
 * A scratch database for one scenario: a fresh PostgreSQL database on the DATABASE_URL server (dropped
 * afterwards, so benches never touch real data), or an in-memory PGlite when DATABASE_URL is unset. The
 * pool is a default deployment's unless a scenario needs another.
 */
export async function openBenchDatabase(
  options: { poolSize?: number; metrics?: Metrics } = {},
): Promise<BenchDatabase> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const database = await openDatabase({ kind: 'pglite' }, options.metrics);
    return { database, url: undefined, kind: 'pglite', drop: () => database.close() };
  }
  const name = `custos_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  // As pgbench does before a run: write out what earlier scenarios left in the buffers now, so their
  // checkpoint does not run during this one. Needs superuser or pg_checkpoint; skipped without.
  await admin.query('checkpoint').catch(() => {});
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const database = await openDatabase(
    { kind: 'postgres', url, poolSize: options.poolSize ?? defaultPoolSize },
    options.metrics,
  );
  return {
    database,
    url,
    kind: 'postgres',
    async drop() {
      await database.close();
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists "${name}" with (force)`);
      await dropper.end();
    },
  };
}
