import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../src/config.js';
import { type Database, openDatabase } from '../src/db/database.js';
import { createLogger } from '../src/logger.js';
import { openRuntime } from '../src/runtime.js';
import { databaseUrlFor } from './helpers/test-database.js';

/** Migrates (and installs the job queue schema into) the database every test file then starts from. */
async function prepare(database: Database) {
  const config = loadConfig({ CUSTOS_LOG_LEVEL: 'silent', CUSTOS_DATA_DIR: tmpdir() });
  const runtime = await openRuntime({ config, logger: createLogger('silent'), database });
  await runtime.jobs.start({ work: false });
  await runtime.jobs.stop(1000);
}

export default async function setup(project: TestProject) {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const database = await openDatabase({ kind: 'pglite' });
    await prepare(database);
    const image = await database.dumpImage();
    await database.close();
    const dir = await mkdtemp(join(tmpdir(), 'custos-test-'));
    const imagePath = join(dir, 'template.tar');
    await writeFile(imagePath, Buffer.from(await image.arrayBuffer()));
    project.provide('testDatabase', { kind: 'pglite', imagePath });
    return async () => {
      await rm(dir, { recursive: true, force: true });
    };
  }

  // One run, one prefix: parallel CI runs on the same server never touch each other's databases.
  const runId = `custos_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const template = `${runId}_template`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${template}"`);
  const database = await openDatabase({
    kind: 'postgres',
    url: databaseUrlFor(adminUrl, template),
    poolSize: 2,
  });
  await prepare(database);
  await database.close();
  project.provide('testDatabase', { kind: 'postgres', adminUrl, template, runId });
  return async () => {
    const { rows } = await admin.query<{ datname: string }>(
      'select datname from pg_database where datname like $1',
      [`${runId}%`],
    );
    for (const row of rows) await admin.query(`drop database if exists "${row.datname}" with (force)`);
    await admin.end();
  };
}
