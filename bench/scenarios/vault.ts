import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { pino } from 'pino';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { type Database, databaseOptionsFrom, openDatabase } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { rolePermissions } from '../../src/modules/access/permissions.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { openBenchDatabase } from '../database.js';
import { cyclingRequests, removeCyclingRequests } from '../load.js';
import { profiled } from '../profile.js';
import { alternate, figureOf } from '../rounds.js';
import type { BenchFigure, BenchScenario } from '../types.js';
import { benchPeople, syntheticPerson, writeImportFile } from '../vault-fixtures.js';

const run = promisify(execFile);
const system = { actor: { type: 'system' as const, id: 'bench' }, requestId: null, ip: null };
const connections = 16;
const rounds = Number(process.env.BENCH_WRITE_ROUNDS ?? 5);
const roundSeconds = 3;

async function* linesFor(count: number, externalId: (index: number) => string) {
  for (let index = 0; index < count; index += 1)
    yield { line: index + 1, values: { externalId: externalId(index), ...syntheticPerson(index) } };
}

/** Record creates through the HTTP API, 16 clients, against plain INSERTs of the same bytes. */
async function recordCreates(runtime: Runtime, url: string, key: string): Promise<BenchFigure> {
  await runtime.services.imports.importLines(
    system,
    'bench_people',
    linesFor(1000, (index) => `subject-${index}`),
  );
  const subjects = (await runtime.database.db.selectFrom('subjects').select('id').execute()).map(
    (row) => row.id,
  );
  const requests = cyclingRequests(
    Array.from({ length: 2000 }, (_, index) => ({
      path: `/v1/subjects/${subjects[index % subjects.length]}/records`,
      body: { collection: 'bench_people', fields: syntheticPerson(index + 5000) },
    })),
  );
  const load = async (duration: number) => {
    const result = await autocannon({
      url,
      connections,
      duration,
      workers: 1,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      requests,
    });
    if (result.non2xx + result.errors > 0)
      throw new Error(`record creates: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return result;
  };
  // Warm-up, as a running server is: compiled code, subjects' data keys cached, statements prepared.
  await load(3);

  // Baseline: the same stored bytes, inserted by 16 concurrent loops through the same driver.
  const sample = await runtime.database.db
    .selectFrom('records')
    .select(['plain', 'sealed'])
    .limit(1)
    .executeTakeFirstOrThrow();
  await sql`create table bench_plain_records (id uuid primary key, subject_id uuid not null, plain jsonb, sealed jsonb)`.execute(
    runtime.database.db,
  );
  const plainInserts = async () => {
    let inserted = 0;
    const deadline = performance.now() + roundSeconds * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < deadline) {
          await runtime.database.executeSql(
            'insert into bench_plain_records (id, subject_id, plain, sealed) values (gen_random_uuid(), $1, $2, $3)',
            [
              subjects[inserted % subjects.length],
              JSON.stringify(sample.plain),
              JSON.stringify(sample.sealed),
            ],
          );
          inserted += 1;
        }
      }),
    );
    return inserted / roundSeconds;
  };
  // The API and the baseline take turns (see rounds.ts); the figure is the median per-round ratio.
  const latencies: { p50: number; p99: number }[] = [];
  const measured = await profiled('vault-record-creates', () =>
    alternate(
      rounds,
      async () => {
        const result = await load(roundSeconds);
        latencies.push({ p50: result.latency.p50, p99: result.latency.p99 });
        return result.requests.average;
      },
      plainInserts,
    ),
  );
  return {
    name: 'record creates/s via API (5 fields, 2 indexed, 16 clients)',
    ...figureOf(measured),
    unit: 'records/s',
    baselineName: 'plain INSERTs of the same bytes, same driver, 16 concurrent',
    targetRatio: 0.35,
    extra: {
      latencies,
      connections,
      rounds,
      roundSeconds,
      roundRatios: measured.roundRatios,
      roundValues: measured.roundValues.map(Math.round),
      baselineRoundValues: measured.baselineRoundValues.map(Math.round),
      database: runtime.database.kind,
    },
  };
}

/** Shredding a subject with 10,000 records against one with 10. */
async function shredding(runtime: Runtime): Promise<BenchFigure> {
  await runtime.services.imports.importLines(
    system,
    'bench_people',
    linesFor(10_000, () => 'heavy-subject'),
  );
  await runtime.services.imports.importLines(
    system,
    'bench_people',
    linesFor(10, () => 'light-subject'),
  );
  const find = async (externalId: string) =>
    (await runtime.services.records.searchSubjects(system, { externalId }))[0]?.id as string;
  const heavy = await find('heavy-subject');
  const light = await find('light-subject');
  const time = async (subjectId: string) => {
    const started = performance.now();
    const removed = await runtime.services.records.shredSubject(system, subjectId);
    return { ms: performance.now() - started, records: removed.records };
  };
  const small = await time(light);
  const big = await time(heavy);
  return {
    name: 'shred of a subject with 10,000 records',
    value: Math.round(big.ms),
    unit: 'ms',
    baseline: Math.round(small.ms),
    baselineName: 'shred of a subject with 10 records',
    extra: {
      heavyRecords: big.records,
      lightRecords: small.records,
      targetMs: 1000,
      underOneSecond: big.ms < 1000 && small.ms < 1000,
    },
  };
}

/**
 * Runs `custos import` from the build, the command an operator runs, in a process of its own, sampling its
 * peak resident memory (VmHWM) from /proc while it runs. Returns seconds and the peak in MB.
 */
async function runCliImport(
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<{ seconds: number; maxRssMb: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/cli/index.js', 'import', 'bench_import', file], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  let peakKb = 0;
  const sample = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    } catch {
      // The process has just exited.
    }
  };
  const sampler = setInterval(sample, 20);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`custos import exited with ${code}: ${output.slice(-2000)}`);
  return { seconds, maxRssMb: Math.round(peakKb / 1024) };
}

/** The baseline: the same lines, unvalidated and unencrypted, in batches of 500 through the same driver. */
async function plainImport(database: Database, file: string): Promise<{ rows: number; seconds: number }> {
  await sql`create table bench_plain_import (line jsonb not null)`.execute(database.db);
  const started = performance.now();
  let batch: string[] = [];
  let rows = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await database.db
      .insertInto('bench_plain_import' as never)
      .values(batch.map((line) => ({ line })) as never)
      .execute();
    rows += batch.length;
    batch = [];
  };
  for await (const line of createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    batch.push(line);
    if (batch.length >= 500) await flush();
  }
  await flush();
  return { rows, seconds: (performance.now() - started) / 1000 };
}

/**
 * Bulk import through `custos import` (built first), against plain batched INSERTs of the same lines on
 * the same database afterwards.
 */
async function bulkImport(): Promise<BenchFigure[]> {
  await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { maxBuffer: 1 << 24 });
  const scratch = await openBenchDatabase({ poolSize: 4 });
  await scratch.database.close();
  const rows = Number(process.env.BENCH_IMPORT_ROWS ?? (scratch.kind === 'postgres' ? 1_000_000 : 100_000));
  const dir = mkdtempSync(join(tmpdir(), 'custos-import-'));
  const file = join(dir, 'people.ndjson');
  const collectionsFile = join(dir, 'collections.json');
  try {
    await writeImportFile(file, rows, (index) => `import-${index}`);
    writeFileSync(collectionsFile, JSON.stringify([benchPeople('bench_import', false)]));
    const { DATABASE_URL: _ignored, ...inherited } = process.env;
    const env = {
      ...inherited,
      CUSTOS_DATA_DIR: join(dir, 'data'),
      CUSTOS_COLLECTIONS_FILE: collectionsFile,
      CUSTOS_LOG_LEVEL: 'warn',
      ...(scratch.url ? { DATABASE_URL: scratch.url } : {}),
    };
    const measured = await runCliImport(file, env);
    const database = await openDatabase(
      databaseOptionsFrom(loadConfig(env as Record<string, string | undefined>)),
    );
    const plain = await plainImport(database, file).finally(() => database.close());
    const figure = {
      name: `bulk import rows/s (${rows.toLocaleString('en-US')} rows, NDJSON, custos import)`,
      value: Math.round(rows / measured.seconds),
      unit: 'rows/s',
      baseline: Math.round(plain.rows / plain.seconds),
      baselineName: 'plain batched INSERT (500/batch) of the same lines',
      targetRatio: 0.25,
      extra: { rows, seconds: Math.round(measured.seconds * 10) / 10, database: scratch.kind },
    };
    return [
      figure,
      {
        name: `bulk import peak RSS (${rows.toLocaleString('en-US')} rows, custos import)`,
        value: measured.maxRssMb,
        unit: 'MB',
        baseline: 300,
        baselineName: 'the 300 MB ceiling',
        targetMaxRatio: 1,
        extra: { underCeiling: measured.maxRssMb < 300 },
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await scratch.drop().catch(() => {});
  }
}

export const vaultScenario: BenchScenario = {
  name: 'vault',
  description:
    'record creates through the API, bulk import, and crypto-shredding (PostgreSQL when DATABASE_URL is set)',
  async run() {
    const scratch = await openBenchDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'custos-bench-'));
    const config = loadConfig({ CUSTOS_DATA_DIR: dataDir, CUSTOS_PORT: '0', CUSTOS_LOG_LEVEL: 'warn' });
    const runtime = await openRuntime({
      config,
      logger: createLogger('warn', pino.destination('/dev/null')),
      database: scratch.database,
    });
    const app = await buildApp(runtime);
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      await runtime.services.collections.create(system, benchPeople('bench_people', true));
      const { key } = await runtime.services.apiKeys.create(
        system,
        { kind: 'root' },
        { name: 'bench', permissions: [...rolePermissions.service] },
      );
      // BENCH_VAULT_PARTS=import measures the bulk import alone (it takes the longest).
      if (process.env.BENCH_VAULT_PARTS === 'import') {
        await app.close();
        return await bulkImport();
      }
      const creates = await recordCreates(runtime, url, key);
      const shred = await shredding(runtime);
      await app.close();
      const imports = await bulkImport();
      return [creates, ...imports, shred];
    } finally {
      await app.close();
      await runtime.close(1000);
      await scratch.drop().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
      removeCyclingRequests();
    }
  },
};
