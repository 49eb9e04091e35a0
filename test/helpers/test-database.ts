import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import type { Metrics } from '../../src/metrics.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase:
      | { kind: 'pglite'; imagePath: string }
      | { kind: 'postgres'; adminUrl: string; template: string; runId: string };
  }
}

export function databaseUrlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

let image: Blob | undefined;

/** A test database; on PostgreSQL with its URL, so a test can connect a second time as another process would. */
export type TestDatabase = Database & { url: string | undefined };

/**
 * A fresh, migrated database for one test file: PGlite loaded from the run's migrated image, or a
 * PostgreSQL database cloned from the run's template (dropped again by `close`).
 */
export async function openTestDatabase(metrics?: Metrics): Promise<TestDatabase> {
  const target = inject('testDatabase');
  if (target.kind === 'pglite') {
    image ??= new Blob([await readFile(target.imagePath)]);
    return { ...(await openDatabase({ kind: 'pglite', loadDataDir: image }, metrics)), url: undefined };
  }
  const name = `${target.runId}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: target.adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template "${target.template}"`);
  } finally {
    await admin.end();
  }
  const url = databaseUrlFor(target.adminUrl, name);
  const database = await openDatabase({ kind: 'postgres', url, poolSize: 10 }, metrics);
  return {
    ...database,
    url,
    async close() {
      await database.close();
      const dropper = new pg.Client({ connectionString: target.adminUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists "${name}" with (force)`).finally(() => dropper.end());
    },
  };
}
