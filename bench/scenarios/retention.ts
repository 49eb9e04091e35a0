import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { aead } from '../../src/lib/aead.js';
import { createLogger, logDestination } from '../../src/logger.js';
import { sealFieldValue } from '../../src/modules/vault/vault-crypto.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { openBenchDatabase } from '../database.js';
import type { BenchFigure, BenchScenario } from '../types.js';

const system = { actor: { type: 'system' as const, id: 'bench' }, requestId: null, ip: null };
/** Subjects whose analytics records are due for anonymization: sealed under real data keys. */
const sealedSubjects = 5_000;
/** Consent checks kept in flight during the sweep, each worker pausing a millisecond between checks. */
const checkConcurrency = 8;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function createShapes(runtime: Runtime) {
  const { collections, retentionPolicies, purposes } = runtime.services;
  const field = (name: string, type: 'string' | 'number', classification: 'internal' | 'confidential') => ({
    name,
    type,
    category: type === 'number' ? 'user.behavior.purchase_history' : 'user.behavior.browsing_history',
    classification,
    required: false,
    indexed: false,
    tokenizable: false,
  });
  const events = await collections.create(system, {
    name: 'bench_events',
    description: '',
    multiple: true,
    fields: [field('page', 'string', 'internal')],
  });
  const analytics = await collections.create(system, {
    name: 'bench_analytics',
    description: '',
    multiple: true,
    fields: [
      field('plan', 'string', 'internal'),
      field('revenue', 'number', 'internal'),
      field('page', 'string', 'confidential'),
      field('postcode', 'string', 'confidential'),
    ],
  });
  await retentionPolicies.create(system, {
    name: 'bench events',
    collection: 'bench_events',
    duration: 'P1Y',
    action: 'delete',
    description: '',
  });
  await retentionPolicies.create(system, {
    name: 'bench analytics',
    collection: 'bench_analytics',
    duration: 'P2Y',
    action: 'anonymize',
    fields: ['plan', 'revenue'],
    anonymization: { postcode: { op: 'generalize_postcode', keep: 2 } },
    description: '',
  });
  await purposes.create(system, {
    key: 'bench_newsletter',
    name: 'Newsletter',
    description: '',
    legalBasis: 'consent',
    specialCategoryCondition: null,
    ccpa: { sale: false, sharing: false, sensitive: false },
    dataUses: ['marketing.communications.email'],
    dataCategories: ['user.contact.email'],
    text: 'We send you our newsletter.',
    reconsentOnChange: true,
  });
  return { events: events.id, analytics: analytics.id };
}

/**
 * `total` records, a fifth of them due: half of those deleted (bench_events, stored two years ago), half
 * anonymized (bench_analytics, three years ago, values sealed under real data keys). The rest were stored
 * a month ago. Plain rows by generate_series; the sealed ones through unnest in batches.
 */
async function seed(runtime: Runtime, ids: { events: string; analytics: string }, total: number) {
  const db = runtime.database.db;
  const due = Math.floor(total / 10);
  const plainSubjects = Math.max(1, Math.floor(total / 5));
  await sql`
    insert into subjects (id, status, created_at, updated_at, last_active_at)
    select gen_random_uuid(), 'active', now(), now(), now() from generate_series(1, ${plainSubjects}::int)`.execute(
    db,
  );
  await sql`
    insert into consent_state (subject_id, purpose_key, status, version, method, source, event_id, event_seq, updated_at)
    select id, 'bench_newsletter', 'granted', 1, 'explicit_opt_in', 'import', gen_random_uuid(), row_number() over (), now()
      from subjects`.execute(db);
  await sql`
    with s as (select id, row_number() over () as n from subjects)
    insert into records (id, subject_id, collection_id, plain, sealed, created_at, updated_at)
    select gen_random_uuid(), s.id, case when g.n <= ${due}::int or g.n % 2 = 0 then ${ids.events}::uuid else ${ids.analytics}::uuid end,
           jsonb_build_object('page', '/p/' || g.n), '{}'::jsonb,
           case when g.n <= ${due}::int then now() - interval '2 years' else now() - interval '30 days' end, now()
      from generate_series(1, ${total - due}::int) as g (n)
      join s on s.n = 1 + g.n % ${plainSubjects}::int`.execute(db);

  const keys = runtime.services.keys;
  const dataKeys = new Map<string, Buffer>();
  for (let i = 0; i < sealedSubjects; i += 1) dataKeys.set(crypto.randomUUID(), keys.newDataKey());
  await sql`
    insert into subjects (id, status, created_at, updated_at, last_active_at)
    select id, 'active', now(), now(), now() from unnest(${[...dataKeys.keys()]}::uuid[]) as id`.execute(db);
  await keys.storeDataKeys(db, dataKeys);
  const subjects = [...dataKeys.entries()];
  const batch = 5_000;
  for (let start = 0; start < due; start += batch) {
    const rows = Array.from({ length: Math.min(batch, due - start) }, (_, offset) => {
      const n = start + offset;
      const [subjectId, dek] = subjects[n % subjects.length] as [string, Buffer];
      const seal = (name: string, value: string) =>
        sealFieldValue(aead, dek, subjectId, 'bench_analytics', name, value);
      return {
        subjectId,
        plain: JSON.stringify({ plan: n % 3 === 0 ? 'pro' : 'free', revenue: n % 97 }),
        sealed: JSON.stringify({
          page: seal('page', `/a/${n}`),
          postcode: seal('postcode', `SW${n % 9} 1AA`),
        }),
      };
    });
    await sql`
      insert into records (id, subject_id, collection_id, plain, sealed, created_at, updated_at)
      select gen_random_uuid(), r.subject_id, ${ids.analytics}::uuid, r.plain, r.sealed, now() - interval '3 years', now()
        from unnest(${rows.map((row) => row.subjectId)}::uuid[], ${rows.map((row) => row.plain)}::jsonb[],
                    ${rows.map((row) => row.sealed)}::jsonb[]) as r (subject_id, plain, sealed)`.execute(db);
  }
  await sql`vacuum analyze records`.execute(db);
  await sql`vacuum analyze subjects`.execute(db);
  return { due: 2 * due };
}

/** Consent checks of random subjects, `checkConcurrency` in flight, until `done` resolves. */
async function checksDuring(runtime: Runtime, subjectIds: string[], done: Promise<unknown>) {
  const latencies: number[] = [];
  let stop = false;
  void done.finally(() => {
    stop = true;
  });
  const worker = async () => {
    while (!stop) {
      const subjectId = subjectIds[Math.floor(Math.random() * subjectIds.length)] as string;
      const started = performance.now();
      await runtime.services.consentChecks.check(subjectId, ['bench_newsletter']);
      latencies.push(performance.now() - started);
      // Steady traffic rather than a tight loop: cached checks resolve at once, and back-to-back they
      // would starve this process's I/O, the sweep's included, which no real caller does.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  await Promise.all(Array.from({ length: checkConcurrency }, worker));
  return latencies;
}

export const retentionScenario: BenchScenario = {
  name: 'retention',
  description:
    'a retention run over BENCH_RETENTION_RECORDS records (default 1,000,000 on PostgreSQL, 100,000 on PGlite), a fifth due (half deleted, half anonymized), beside a plain DELETE of the same rows; preview time; consent-check p99 during the sweep',
  async run() {
    const scratch = await openBenchDatabase();
    const total = Number(
      process.env.BENCH_RETENTION_RECORDS ?? (scratch.kind === 'postgres' ? 1_000_000 : 100_000),
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'custos-bench-'));
    const config = loadConfig({
      CUSTOS_DATA_DIR: dataDir,
      // The window size can be tried out without changing the default.
      CUSTOS_RETENTION_BATCH_SIZE: process.env.CUSTOS_RETENTION_BATCH_SIZE,
      CUSTOS_RETENTION_PARALLELISM: process.env.CUSTOS_RETENTION_PARALLELISM,
    });
    const runtime = await openRuntime({
      config,
      logger: createLogger(config.logLevel, logDestination('/dev/null')),
      database: scratch.database,
    });
    const db = runtime.database.db;
    try {
      const ids = await createShapes(runtime);
      const seeded = performance.now();
      const { due } = await seed(runtime, ids, total);
      const seedSeconds = (performance.now() - seeded) / 1000;

      const previewStarted = performance.now();
      const preview = await runtime.services.retentionPreview.preview();
      const previewMs = performance.now() - previewStarted;
      const previewedDue = preview.rules.reduce((sum, entry) => sum + entry.now.records, 0);
      if (previewedDue !== due) throw new Error(`preview counted ${previewedDue} due, seeded ${due}`);

      // The same rows, kept aside to be put back for the plain DELETE afterwards.
      await sql`create table bench_due_records as
                select * from records where collection_id = ${ids.events}::uuid and created_at < now() - interval '1 year'
                union all
                select * from records where collection_id = ${ids.analytics}::uuid and created_at < now() - interval '2 years'`.execute(
        db,
      );
      const checkedSubjects = (
        await sql<{ id: string }>`select subject_id::text as id from consent_state limit 100000`.execute(db)
      ).rows.map((row) => row.id);

      const runStarted = performance.now();
      const running = runtime.services.retentionRuns.run(system, 'manual');
      const latencies = await checksDuring(runtime, checkedSubjects, running);
      const run = await running;
      const runSeconds = (performance.now() - runStarted) / 1000;
      const processed = Object.values(run.results).reduce((sum, result) => sum + result.records, 0);
      if (processed !== due) throw new Error(`the run processed ${processed} records, ${due} were due`);

      await sql`insert into records select * from bench_due_records`.execute(db);
      const deleteStarted = performance.now();
      await sql`delete from records where id in (select id from bench_due_records)`.execute(db);
      const deleteSeconds = (performance.now() - deleteStarted) / 1000;

      const extra = {
        database: scratch.kind,
        records: total,
        due,
        seedSeconds: Math.round(seedSeconds),
        runSeconds: Math.round(runSeconds * 100) / 100,
        plainDeleteSeconds: Math.round(deleteSeconds * 100) / 100,
        batchSize: config.retentionBatchSize,
        parallelism: config.retentionParallelism,
      };
      return [
        {
          name: 'retention run records/s (delete + anonymize)',
          value: Math.round(due / runSeconds),
          unit: 'records/s',
          baseline: Math.round(due / deleteSeconds),
          baselineName: 'plain set-based DELETE of the same rows',
          targetValue: 50_000,
          extra,
        },
        {
          name: 'preview ms',
          value: Math.round(previewMs),
          unit: 'ms',
          baseline: 2000,
          baselineName: 'the issue’s bound',
          extra: { ...extra, rules: preview.rules.length },
        },
        {
          name: 'consent check p99 during the sweep ms',
          value: Math.round(percentile(latencies, 99) * 100) / 100,
          unit: 'ms',
          baseline: 50,
          baselineName: 'the issue’s bound',
          extra: {
            ...extra,
            checks: latencies.length,
            p50: Math.round(percentile(latencies, 50) * 100) / 100,
            concurrency: checkConcurrency,
          },
        },
      ] satisfies BenchFigure[];
    } finally {
      await runtime.close(1000);
      await scratch.drop().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
