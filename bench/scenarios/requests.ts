import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { rolePermissions } from '../../src/modules/access/permissions.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { openBenchDatabase } from '../database.js';
import { profiled } from '../profile.js';
import { alternate, figureOf } from '../rounds.js';
import type { BenchFigure, BenchScenario } from '../types.js';
import { benchPeople, syntheticPerson } from '../vault-fixtures.js';

const system = { actor: { type: 'system' as const, id: 'bench' }, requestId: null, ip: null };
const collectionCount = 10;
const recordsPerCollection = 1000;
const submissions = 1000;
const submissionRounds = Number(process.env.BENCH_WRITE_ROUNDS ?? 5);
const collectionNames = Array.from({ length: collectionCount }, (_, index) => `bench_requests_${index}`);

async function* linesFor(externalId: string, count: number, offset: number) {
  for (let index = 0; index < count; index += 1) {
    yield { line: index + 1, values: { externalId, ...syntheticPerson(offset + index) } };
  }
}

/** A subject with 1,000 records in each of the ten collections, written by the vault's set-based import. */
async function heavySubject(runtime: Runtime, externalId: string): Promise<string> {
  for (const [index, name] of collectionNames.entries()) {
    const report = await runtime.services.imports.importLines(
      system,
      name,
      linesFor(externalId, recordsPerCollection, index * recordsPerCollection),
    );
    if (report.failed > 0) throw new Error(`seeding ${name}: ${report.failed} lines failed`);
  }
  const [subject] = await runtime.services.records.searchSubjects(system, { externalId });
  if (!subject) throw new Error(`seeded subject ${externalId} not found`);
  return subject.id;
}

/** A request of `type` for the subject, verified and in progress, as an operator would leave it. */
async function workedRequest(
  runtime: Runtime,
  type: 'access' | 'erasure',
  subjectId: string,
): Promise<string> {
  const { requests } = runtime.services;
  const filed = await requests.file(system, {
    type,
    regime: 'gdpr',
    channel: 'api',
    filedBy: 'subject',
    subjectId,
    authenticatedSubject: true,
  });
  await requests.transition(system, filed.id, { to: 'in_progress' });
  return filed.id;
}

async function timed<T>(body: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await body();
  return { ms: performance.now() - started, value };
}

/** The access package (JSON and HTML, sealed and stored) of 10 collections × 1,000 records. */
async function accessPackage(runtime: Runtime): Promise<BenchFigure> {
  const subjectId = await heavySubject(runtime, 'access-heavy');
  const requestId = await workedRequest(runtime, 'access', subjectId);
  const built = await profiled('requests-access-package', () =>
    timed(() => runtime.services.requestExports.create(system, requestId)),
  );
  // Baseline: the same 10,000 stored rows, fetched as they are (no decryption, no package).
  const fetched = await timed(() =>
    runtime.database.db.selectFrom('records').selectAll().where('subject_id', '=', subjectId).execute(),
  );
  const read = await timed(() =>
    runtime.services.records.readRecords(system, subjectId, { purpose: 'dsr_fulfilment', reveal: true }),
  );
  return {
    name: `access package of ${collectionCount} collections × ${recordsPerCollection.toLocaleString('en-US')} records`,
    value: Math.round(built.ms),
    unit: 'ms',
    baseline: Math.round(fetched.ms),
    baselineName: 'SELECT of the same 10,000 stored rows',
    targetMaxRatio: 3,
    extra: {
      records: fetched.value.length,
      files: built.value.map((file) => ({ format: file.format, bytes: file.size })),
      vaultReadDecryptMs: Math.round(read.ms),
      targetMs: 1000,
      underOneSecond: built.ms < 1000,
      database: runtime.database.kind,
    },
  };
}

/** Erasure requests fulfilled for subjects with 10,000 records: shredded, and minimised under retention. */
async function erasure(runtime: Runtime): Promise<BenchFigure[]> {
  const shredSubject = await heavySubject(runtime, 'erase-heavy');
  const keepSubject = await heavySubject(runtime, 'erase-retained');
  const baselineSubject = await heavySubject(runtime, 'erase-baseline');
  const shredRequest = await workedRequest(runtime, 'erasure', shredSubject);
  const shred = await timed(() => runtime.services.erasure.erase(system, shredRequest));

  await runtime.services.retentionPolicies.create(system, {
    name: 'Bench invoices',
    collection: collectionNames[0] as string,
    fields: ['email', 'plan'],
    anonymization: { birth_date: { op: 'generalize_date', to: 'year' } },
    legalBasis: 'legal_obligation',
    description: 'Kept ten years',
    duration: 'P10Y',
  });
  const keepRequest = await workedRequest(runtime, 'erasure', keepSubject);
  const kept = await timed(() => runtime.services.erasure.erase(system, keepRequest));

  // Baseline: deleting the same number of rows (records and their blind indexes) in one transaction.
  const deleted = await timed(() =>
    runtime.database.db.transaction().execute(async (tx) => {
      await sql`delete from blind_indexes where subject_id = ${baselineSubject}`.execute(tx);
      const result = await sql`delete from records where subject_id = ${baselineSubject}`.execute(tx);
      return Number(result.numAffectedRows ?? 0);
    }),
  );
  const shared = { targetMs: 1000, database: runtime.database.kind, baselineRows: deleted.value };
  return [
    {
      name: 'erasure of a subject with 10,000 records (crypto-shredded)',
      value: Math.round(shred.ms),
      unit: 'ms',
      baseline: Math.round(deleted.ms),
      baselineName: 'plain DELETE of 10,000 records and their blind indexes',
      extra: { ...shared, removed: shred.value.removed, underOneSecond: shred.ms < 1000 },
    },
    {
      name: 'erasure of a subject with 10,000 records, 1,000 kept minimised under retention',
      value: Math.round(kept.ms),
      unit: 'ms',
      baseline: Math.round(deleted.ms),
      baselineName: 'plain DELETE of 10,000 records and their blind indexes',
      extra: {
        ...shared,
        removed: kept.value.removed,
        retained: kept.value.kept.map((group) => group.records),
        underOneSecond: kept.ms < 1000,
      },
    },
  ];
}

function post(agent: Agent, url: URL, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** 1,000 request submissions sent at once over 1,000 connections; every one must be filed. */
async function concurrentSubmissions(runtime: Runtime, baseUrl: string, key: string): Promise<BenchFigure> {
  const agent = new Agent({ keepAlive: true, maxSockets: submissions });
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const url = new URL('/v1/requests', baseUrl);
  const bodies = Array.from({ length: submissions }, (_, index) =>
    JSON.stringify({
      type: index % 2 === 0 ? 'access' : 'delete',
      contactEmail: `requester${index}@example.org`,
    }),
  );
  const submitOnce = async () => {
    const before = await countRequests(runtime);
    const submitted = await timed(() => Promise.all(bodies.map((body) => post(agent, url, headers, body))));
    const created = submitted.value.filter((status) => status === 201).length;
    const stored = (await countRequests(runtime)) - before;
    if (created !== submissions || stored !== submissions) {
      throw new Error(`${created} of ${submissions} submissions answered 201, ${stored} stored`);
    }
    return submissions / (submitted.ms / 1000);
  };
  // Baseline: the same number of request rows, inserted 1,000 at once through the same pool.
  const insertOnce = async () => {
    const received = new Date();
    const inserted = await timed(() =>
      Promise.all(
        bodies.map(() =>
          runtime.database.executeSql(
            `insert into data_subject_requests (id, type, regime, state, channel, filed_by, filer_type, filer_id,
               received_at, due_at, initial_due_at) values ($1, 'access', 'gdpr', 'received', 'api', 'subject',
               'api_key', null, $2, $2, $2)`,
            [randomUUID(), received],
          ),
        ),
      ),
    );
    return inserted.value.length / (inserted.ms / 1000);
  };
  // Submissions and the baseline take turns (see rounds.ts); the figure is the median per-round ratio.
  const measured = await profiled('requests-submissions', () =>
    alternate(submissionRounds, submitOnce, insertOnce),
  );
  agent.destroy();
  return {
    name: `${submissions.toLocaleString('en-US')} concurrent request submissions (POST /v1/requests)`,
    ...figureOf(measured),
    unit: 'requests/s',
    baselineName: '1,000 concurrent plain INSERTs of request rows, same pool',
    targetRatio: 0.3,
    extra: {
      rounds: submissionRounds,
      roundRatios: measured.roundRatios,
      roundValues: measured.roundValues.map(Math.round),
      baselineRoundValues: measured.baselineRoundValues.map(Math.round),
      allSucceeded: true,
      database: runtime.database.kind,
    },
  };
}

async function countRequests(runtime: Runtime): Promise<number> {
  const row = await runtime.database.db
    .selectFrom('data_subject_requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export const requestsScenario: BenchScenario = {
  name: 'requests',
  description:
    'access package of 10 × 1,000 records, erasure of 10,000 records, 1,000 concurrent submissions (PostgreSQL when DATABASE_URL is set)',
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
      for (const name of collectionNames)
        await runtime.services.collections.create(system, benchPeople(name, true));
      const { key } = await runtime.services.apiKeys.create(
        system,
        { kind: 'root' },
        { name: 'bench', permissions: [...rolePermissions.service] },
      );
      const access = await accessPackage(runtime);
      const erasures = await erasure(runtime);
      const submitted = await concurrentSubmissions(runtime, url, key);
      return [access, ...erasures, submitted];
    } finally {
      await app.close();
      await runtime.close(1000);
      await scratch.drop().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
