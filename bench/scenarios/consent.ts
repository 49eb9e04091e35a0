import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, logDestination } from '../../src/logger.js';
import { rolePermissions } from '../../src/modules/access/permissions.js';
import { filterBatchSize } from '../../src/modules/consent/consent-routes.js';
import { consentStore } from '../../src/modules/consent/consent-store.js';
import { rulesOf } from '../../src/modules/consent/purpose-service.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { openBenchDatabase } from '../database.js';
import { cyclingRequests, removeCyclingRequests } from '../load.js';
import { profiled } from '../profile.js';
import { alternate, figureOf } from '../rounds.js';
import type { BenchFigure, BenchScenario } from '../types.js';

const system = { actor: { type: 'system' as const, id: 'bench' }, requestId: null, ip: null };
const checkConnections = 50;
const grantConnections = 16;
// Constant route and check take turns, so a noisy neighbour on a shared machine slows both alike.
const rounds = 3;
const roundSeconds = 3;
const grantRounds = Number(process.env.BENCH_WRITE_ROUNDS ?? 5);
const grantRoundSeconds = 3;
/** Distinct request bodies each autocannon connection cycles through. */
const distinctRequests = 500;
/** As the filter route queries (consent-routes.ts). */
const filterBatch = filterBatchSize;

type Result = autocannon.Result;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function load(options: autocannon.Options): Promise<Result> {
  const result = await autocannon({ workers: 1, ...options });
  const failures = result.errors + result.timeouts + result.non2xx;
  if (failures > 0)
    throw new Error(`${options.url}: ${failures} of ${result.requests.total} requests failed`);
  return result;
}

/**
 * Subjects and their consent state written with set-based SQL (generate_series), not through the API:
 * a million rows in seconds. Three in five subjects granted `bench_newsletter`, one in ten withdrew.
 */
async function seed(runtime: Runtime, subjects: number): Promise<void> {
  const db = runtime.database.db;
  await sql`
    insert into subjects (id, status, created_at, updated_at)
    select gen_random_uuid(), case when n % 97 = 0 then 'restricted' else 'active' end, now(), now()
      from generate_series(1, ${subjects}::int) as n`.execute(db);
  await sql`
    insert into consent_state (subject_id, purpose_key, status, version, method, source, event_id, event_seq,
                               updated_at)
    select id, 'bench_newsletter', case when n % 10 = 0 then 'withdrawn' else 'granted' end, 1,
           'explicit_opt_in', 'import', gen_random_uuid(), n, now()
      from (select id, row_number() over () as n from subjects) as numbered
     where n % 5 < 3 or n % 10 = 0`.execute(db);
  // As a long-lived database would be: statistics current, visibility map and hint bits set, so the first
  // reader (the filter over HTTP) does not pay for them and the second (its SQL baseline) not.
  await sql`vacuum analyze subjects`.execute(db);
  await sql`vacuum analyze consent_state`.execute(db);
}

async function createPurposes(runtime: Runtime) {
  const base = {
    description: '',
    specialCategoryCondition: null,
    ccpa: { sale: false, sharing: false, sensitive: false },
  };
  await runtime.services.purposes.create(system, {
    ...base,
    key: 'bench_newsletter',
    name: 'Newsletter',
    legalBasis: 'consent',
    dataUses: ['marketing.communications.email'],
    dataCategories: ['user.contact.email'],
    text: 'We send you our newsletter.',
    reconsentOnChange: true,
  });
  await runtime.services.purposes.create(system, {
    ...base,
    key: 'bench_analytics',
    name: 'Analytics',
    legalBasis: 'legitimate_interests',
    dataUses: ['analytics'],
    dataCategories: [],
    text: 'We measure how the product is used.',
    reconsentOnChange: true,
  });
}

/**
 * Check requests/s through the API against a constant-JSON route of the same server; and, to show what
 * the check itself costs, against a constant route behind the same API-key authentication.
 */
async function checks(url: string, key: string, subjectIds: string[]): Promise<BenchFigure[]> {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  // The same bodies are posted to all three routes, so the load generator does the same work for each.
  const bodies = subjectIds.map((id) =>
    JSON.stringify({ subject: { id }, purposes: ['bench_newsletter', 'bench_analytics'] }),
  );
  const posting = (path: string) => bodies.map((body) => ({ method: 'POST' as const, path, body }));
  const run = (path: string) => (duration: number) =>
    load({ url, connections: checkConnections, duration, headers, requests: posting(path) });
  const runs = {
    check: run('/v1/consent/check'),
    constant: run('/bench/constant'),
    authenticated: run('/bench/authenticated'),
  };
  const measured: Record<keyof typeof runs, Result[]> = { check: [], constant: [], authenticated: [] };
  // Every subject checked once first: a check service runs warm, and the figure is the cached path (a
  // subject not cached costs one query, shared by concurrent checks of it).
  for (const body of bodies) {
    const response = await fetch(`${url}/v1/consent/check`, { method: 'POST', headers, body });
    if (!response.ok) throw new Error(`check answered ${response.status}`);
  }
  for (const warmUp of Object.values(runs)) await warmUp(2);
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, run] of Object.entries(runs) as [
      keyof typeof runs,
      (seconds: number) => Promise<Result>,
    ][]) {
      measured[name].push(await run(roundSeconds));
    }
  }
  const rate = (results: Result[]) => Math.round(median(results.map((result) => result.requests.average)));
  const p99 = (results: Result[]) => median(results.map((result) => result.latency.p99));
  const extra = {
    connections: checkConnections,
    rounds,
    roundSeconds,
    purposesPerCheck: 2,
    distinctSubjects: bodies.length,
    roundsReqPerSecond: measured.check.map((result) => Math.round(result.requests.average)),
    constantRoundsReqPerSecond: measured.constant.map((result) => Math.round(result.requests.average)),
    authenticatedRoundsReqPerSecond: measured.authenticated.map((result) =>
      Math.round(result.requests.average),
    ),
  };
  const name = 'POST /v1/consent/check req/s (2 purposes, API key)';
  return [
    {
      name,
      value: rate(measured.check),
      unit: 'req/s',
      baseline: rate(measured.constant),
      baselineName: 'constant-JSON route in the same server, same POST bodies',
      targetRatio: 0.5,
      extra: { ...extra, p99Ms: p99(measured.check), baselineP99Ms: p99(measured.constant) },
    },
    {
      name: `${name} vs. authenticated constant route`,
      value: rate(measured.check),
      unit: 'req/s',
      baseline: rate(measured.authenticated),
      baselineName: 'constant-JSON route behind the same API-key authentication, same POST bodies',
      extra: { ...extra, p99Ms: p99(measured.check), baselineP99Ms: p99(measured.authenticated) },
    },
    {
      name: 'POST /v1/consent/check p99 latency',
      value: p99(measured.check),
      unit: 'ms',
      baseline: p99(measured.constant),
      baselineName: 'constant-JSON route in the same server, same POST bodies',
      extra: { ...extra, targetMs: 20, underTarget: p99(measured.check) < 20 },
    },
  ];
}

/**
 * The HTTP client of the filter, in a worker thread so it does not take the server's event loop: sends
 * the NDJSON body in 64 KiB chunks, counts the lines that come back.
 */
const filterClient = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, key, body } = workerData;
async function* chunks() {
  const bytes = new Uint8Array(body);
  for (let start = 0; start < bytes.length; start += 65536) yield bytes.subarray(start, start + 65536);
}
(async () => {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: 'Bearer ' + key, 'content-type': 'application/x-ndjson' },
    body: ReadableStream.from(chunks()),
    duplex: 'half',
  });
  if (!response.ok) throw new Error('filter answered ' + response.status);
  let lines = 0;
  for await (const chunk of response.body) for (const byte of chunk) if (byte === 10) lines += 1;
  parentPort.postMessage({ lines, seconds: (performance.now() - started) / 1000 });
})().catch((error) => parentPort.postMessage({ error: String(error) }));
`;

function runFilterClient(
  url: string,
  key: string,
  ids: string[],
): Promise<{ lines: number; seconds: number }> {
  const body = Buffer.from(ids.map((id) => `"${id}"\n`).join(''));
  const transferable = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
  return new Promise((resolve, reject) => {
    const worker = new Worker(filterClient, {
      eval: true,
      workerData: { url, key, body: transferable },
      transferList: [transferable],
    });
    worker.once('message', (message: { lines: number; seconds: number; error?: string }) => {
      void worker.terminate();
      if (message.error) reject(new Error(message.error));
      else resolve(message);
    });
    worker.once('error', reject);
  });
}

/** The filter over every subject through HTTP, against the same set-based SQL run directly. */
async function filter(runtime: Runtime, url: string, key: string, ids: string[]): Promise<BenchFigure> {
  const client = await runFilterClient(`${url}/v1/consent/filter?purpose=bench_newsletter`, key, ids);
  const allowed = client.lines;
  const seconds = client.seconds;

  const purpose = await runtime.services.purposes.require('bench_newsletter');
  const rules = rulesOf(purpose);
  const store = consentStore();
  const sqlStarted = performance.now();
  let sqlAllowed = 0;
  const concurrency = runtime.database.kind === 'postgres' ? 3 : 1;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let start = next; start < ids.length; start = next) {
        next += filterBatch;
        const batch = ids.slice(start, start + filterBatch);
        const allowedHere = await store.allowedAmong(
          runtime.database.db,
          batch,
          purpose.key,
          rules,
          new Date(),
        );
        sqlAllowed += allowedHere.length;
      }
    }),
  );
  const sqlSeconds = (performance.now() - sqlStarted) / 1000;
  if (sqlAllowed !== allowed) throw new Error(`filter allowed ${allowed}, the SQL ${sqlAllowed}`);
  return {
    name: `filter subjects/s (${ids.length.toLocaleString('en-US')} subjects, NDJSON over HTTP)`,
    value: Math.round(ids.length / seconds),
    unit: 'subjects/s',
    baseline: Math.round(ids.length / sqlSeconds),
    baselineName: `the same batched SQL (${filterBatch}/batch) run directly, no HTTP or parsing`,
    targetValue: 100_000,
    extra: {
      subjects: ids.length,
      allowed,
      seconds: Math.round(seconds * 100) / 100,
      database: runtime.database.kind,
    },
  };
}

/** Grants and withdrawals through the API, 16 clients, against durable single-row inserts of the events. */
async function grants(
  runtime: Runtime,
  url: string,
  key: string,
  subjectIds: string[],
): Promise<BenchFigure> {
  // Each subject is granted, then withdrawn, and so on, round the list.
  const bodies = [0, 1].flatMap((round) =>
    subjectIds.map((id, index) => ({
      subject: { id },
      purposes: ['bench_newsletter'],
      action: round === 0 ? 'grant' : 'withdraw',
      method: 'explicit_opt_in',
      source: 'privacy_center',
      proof: { formId: 'bench-form', ip: `198.51.100.${index % 250}`, userAgent: 'bench/1.0' },
    })),
  );
  const requests = cyclingRequests(bodies.map((body) => ({ path: '/v1/consent/events', body })));
  const grantLoad = (duration: number) =>
    load({
      url,
      connections: grantConnections,
      duration,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      requests,
    });
  await grantLoad(2);

  // Baseline: storing one event row durably (its own commit), 16 concurrent loops through the same driver.
  let inserted = 0;
  const singleRowInserts = async () => {
    const before = inserted;
    const deadline = performance.now() + grantRoundSeconds * 1000;
    await Promise.all(
      Array.from({ length: grantConnections }, async () => {
        while (performance.now() < deadline) {
          await runtime.database.executeSql(
            `insert into consent_events (id, subject_id, purpose_key, version, action, method, source, given_at,
                                         recorded_at, form_id, ip_hash, user_agent_hash, actor_type, actor_id)
             values (gen_random_uuid(), $1, 'bench_newsletter', 1, 'grant', 'explicit_opt_in', 'api', now(), now(),
                     'bench-form', md5($2), md5('bench'), 'system', 'bench')`,
            [subjectIds[inserted % subjectIds.length], String(inserted)],
          );
          inserted += 1;
        }
      }),
    );
    return (inserted - before) / grantRoundSeconds;
  };
  // The API and the baseline take turns (see rounds.ts); the figure is the median per-round ratio.
  const latencies: { p50: number; p99: number }[] = [];
  const measured = await profiled('consent-grants', () =>
    alternate(
      grantRounds,
      async () => {
        const result = await grantLoad(grantRoundSeconds);
        latencies.push({ p50: result.latency.p50, p99: result.latency.p99 });
        return result.requests.average;
      },
      singleRowInserts,
    ),
  );
  return {
    name: 'grants/s via API (16 clients, receipt, audit entry each)',
    ...figureOf(measured),
    unit: 'events/s',
    baselineName: 'single-row INSERTs of the event, own commit each, 16 concurrent, same driver',
    targetRatio: 0.5,
    extra: {
      connections: grantConnections,
      rounds: grantRounds,
      roundSeconds: grantRoundSeconds,
      roundRatios: measured.roundRatios,
      roundValues: measured.roundValues.map(Math.round),
      baselineRoundValues: measured.baselineRoundValues.map(Math.round),
      latencies,
      database: runtime.database.kind,
    },
  };
}

export const consentScenario: BenchScenario = {
  name: 'consent',
  description:
    'consent checks through the API vs. a constant route, the NDJSON filter over 1,000,000 subjects, and grants through the API (PostgreSQL when DATABASE_URL is set)',
  async run() {
    const scratch = await openBenchDatabase();
    const subjects = Number(
      process.env.BENCH_CONSENT_SUBJECTS ?? (scratch.kind === 'postgres' ? 1_000_000 : 100_000),
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'custos-bench-'));
    const config = loadConfig({ CUSTOS_DATA_DIR: dataDir });
    const runtime = await openRuntime({
      config,
      logger: createLogger(config.logLevel, logDestination('/dev/null')),
      database: scratch.database,
    });
    const app = await buildApp(runtime);
    const constant = async () => ({ allowed: true, reason: 'granted' });
    app.post('/bench/constant', { config: { access: 'public' } }, constant);
    app.post('/bench/authenticated', { config: { access: 'consent.check' } }, constant);
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      await createPurposes(runtime);
      await seed(runtime, subjects);
      const active = (
        await sql<{
          id: string;
        }>`select id::text as id from subjects where status = 'active' limit ${distinctRequests}`.execute(
          runtime.database.db,
        )
      ).rows.map((row) => row.id);
      const { key } = await runtime.services.apiKeys.create(
        system,
        { kind: 'root' },
        { name: 'bench', permissions: [...rolePermissions.service] },
      );
      const figures = await checks(url, key, active);
      figures.push(await grants(runtime, url, key, active));
      // Every subject's id, loaded only now: a million strings in this process's heap would make the
      // server's garbage collections longer while checks and grants are measured.
      const ids = (
        await sql<{ id: string }>`select id::text as id from subjects order by id`.execute(
          runtime.database.db,
        )
      ).rows.map((row) => row.id);
      figures.push(await filter(runtime, url, key, ids));
      return figures;
    } finally {
      await app.close();
      await runtime.close(1000);
      await scratch.drop().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
      removeCyclingRequests();
    }
  },
};
