import { createHash, hash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { faker } from '@faker-js/faker';
import { type Kysely, sql } from 'kysely';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { DB } from '../../src/db/schema.js';
import { canonicalJson } from '../../src/lib/canonical-json.js';
import { systemClock } from '../../src/lib/clock.js';
import { canonicalEntry } from '../../src/modules/audit/audit-entry.js';
import { lazyAuditKeys, publicKeysFrom } from '../../src/modules/audit/audit-keys.js';
import { readLog } from '../../src/modules/audit/audit-reader.js';
import { type AuditService, auditService } from '../../src/modules/audit/audit-service.js';
import { auditStore } from '../../src/modules/audit/audit-store.js';
import type { AuditContext, AuditEntryInput } from '../../src/modules/audit/audit-types.js';
import { type AuditLogItem, verifyAuditLog } from '../../src/modules/audit/audit-verify.js';
import { openBenchDatabase } from '../database.js';
import type { BenchFigure, BenchScenario } from '../types.js';

/** Appends per measured run; each run is repeated `rounds` times, alternating with the plain inserts. */
const appendsPerRun = 2000;
const rounds = 3;
const writerCounts = [1, 8] as const;
const verifyRepeats = 5;

type Work = { context: AuditContext; entry: AuditEntryInput };

function workload(count: number): Work[] {
  faker.seed(99);
  return Array.from({ length: count }, () => ({
    context: {
      actor: { type: 'operator', id: faker.string.uuid() },
      requestId: faker.string.uuid(),
      ip: faker.internet.ipv4(),
    },
    entry: {
      action: faker.helpers.arrayElement([
        'vault.record.read',
        'consent.purpose.granted',
        'operator.login.failed',
      ]),
      outcome: faker.helpers.arrayElement(['success', 'failure', 'denied'] as const),
      target: { type: 'subject', id: faker.string.uuid() },
      purpose: faker.helpers.arrayElement([undefined, 'support_ticket']),
      details: { fields: ['email', 'phone'], count: faker.number.int(50) },
    },
  }));
}

/** Runs `task` over `items` with `writers` concurrent loops; returns items per second. */
async function throughput<T>(items: T[], writers: number, task: (item: T) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < items.length) {
        const item = items[next] as T;
        next += 1;
        await task(item);
      }
    }),
  );
  return Math.round(items.length / ((performance.now() - started) / 1000));
}

type Mode = 'own' | 'caller';

/**
 * The same row an append stores, as a plain INSERT: no head lock, no hashing, no checkpoint. `own` runs
 * it as a statement of its own (as `record` does), `caller` inside a transaction (as `append` does).
 */
function plainInserter(db: Kysely<DB>, mode: Mode, counter: { seq: number }) {
  const zero = Buffer.alloc(32);
  const plain = db.withTables<{ audit_bench_plain: DB['audit_entries'] }>();
  return async ({ context, entry }: Work) => {
    counter.seq += 1;
    const row = {
      seq: counter.seq,
      chain: 0,
      chain_seq: counter.seq,
      at: new Date(),
      actor_type: context.actor.type,
      actor_id: context.actor.id,
      action: entry.action,
      target_type: entry.target?.type ?? null,
      target_id: entry.target?.id ?? null,
      purpose: entry.purpose ?? null,
      outcome: entry.outcome,
      request_id: context.requestId,
      ip_hash: '0'.repeat(32),
      details: canonicalJson(entry.details ?? {}),
      prev_hash: zero,
      hash: zero,
    };
    if (mode === 'own') {
      await plain.insertInto('audit_bench_plain').values(row).execute();
    } else {
      await plain.transaction().execute((tx) => tx.insertInto('audit_bench_plain').values(row).execute());
    }
  };
}

function chainedAppender(db: Kysely<DB>, audit: AuditService, mode: Mode) {
  return async ({ context, entry }: Work) => {
    if (mode === 'own') await audit.record(context, entry);
    else await db.transaction().execute((tx) => audit.append(tx, context, entry));
  };
}

const modeNames: Record<Mode, string> = {
  own: 'record(), a statement of its own',
  caller: "append() in the caller's transaction",
};

async function measureAppends(db: Kysely<DB>, audit: AuditService, kind: string): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const work = workload(appendsPerRun);
  const counter = { seq: 0 };
  for (const mode of ['own', 'caller'] as const) {
    const plain = plainInserter(db, mode, counter);
    const chained = chainedAppender(db, audit, mode);
    // Warm up both paths (plans, pool connections, JIT).
    await throughput(work.slice(0, 200), 8, plain);
    await throughput(work.slice(0, 200), 8, chained);
    for (const writers of writerCounts) {
      const plainRates: number[] = [];
      const chainRates: number[] = [];
      // Alternating runs, best of each: the machine's noise hits both sides alike.
      for (let round = 0; round < rounds; round += 1) {
        plainRates.push(await throughput(work, writers, plain));
        chainRates.push(await throughput(work, writers, chained));
      }
      figures.push({
        name: `append entries/s, ${mode === 'own' ? 'own statement' : 'in transaction'}, ${writers} writer${writers === 1 ? '' : 's'}`,
        value: Math.max(...chainRates),
        unit: 'entries/s',
        baseline: Math.max(...plainRates),
        baselineName: 'plain INSERT of the same rows',
        targetRatio: 0.5,
        extra: { database: kind, writers, mode: modeNames[mode], appendsPerRun, rounds },
      });
    }
  }
  return figures;
}

async function loadItems(db: Kysely<DB>): Promise<AuditLogItem[]> {
  const store = auditStore();
  const bounds = await store.bounds(db);
  const items: AuditLogItem[] = [];
  for await (const page of readLog({ db, store, filters: {}, bounds, pageSize: 1000 })) items.push(...page);
  return items;
}

/**
 * A full garbage collection, so a measured task starts on a clean heap: otherwise the garbage one task
 * leaves behind (the bare loop's thousands of Hash objects) is collected during the next and charged to
 * it. Each task still pays for the collections its own allocations cause while it runs.
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * Runs each task `repeats` times, alternating between them; returns each one's fastest time in ms. With
 * `cpu`, the time is this process's CPU time rather than the wall clock: for work that runs on one thread
 * without waiting, that leaves out the time other programs on a shared machine take the core away.
 */
async function fastestOf(
  tasks: Record<string, () => unknown>,
  repeats: number,
  clock: 'wall' | 'cpu' = 'wall',
): Promise<Record<string, number>> {
  const now =
    clock === 'wall'
      ? () => performance.now()
      : () => {
          const { user, system } = process.cpuUsage();
          return (user + system) / 1000;
        };
  const fastest: Record<string, number> = {};
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    for (const [name, task] of Object.entries(tasks)) {
      collectGarbage();
      const started = now();
      await task();
      fastest[name] = Math.min(fastest[name] ?? Number.POSITIVE_INFINITY, now() - started);
    }
  }
  return fastest;
}

async function measureVerify(db: Kysely<DB>, audit: AuditService, kind: string): Promise<BenchFigure[]> {
  const items = await loadItems(db);
  const entries = items.filter((item) => item.kind === 'entry');
  // The bytes every entry's hash covers, prepared up front: the floor any verifier has to pay.
  const inputs = entries.map((entry) => Buffer.from(entry.prevHash + canonicalEntry(entry), 'utf8'));
  const publicKeys = publicKeysFrom([audit.publicKeyPem()]);
  const store = auditStore();
  const perSecond = (ms: number) => Math.round(entries.length / (ms / 1000));
  const inMemory = await fastestOf(
    {
      bare: () => {
        for (const input of inputs) createHash('sha256').update(input).digest();
      },
      bareOneShot: () => {
        for (const input of inputs) hash('sha256', input, 'hex');
      },
      verify: async () => {
        const report = await verifyAuditLog([items], { publicKeys });
        if (!report.ok) throw new Error(`the bench log does not verify: ${report.message}`);
      },
    },
    verifyRepeats * 4,
    'cpu',
  );
  const fromDatabase = await fastestOf(
    {
      read: async () => {
        const bounds = await store.bounds(db);
        for await (const _page of readLog({ db, store, filters: {}, bounds, pageSize: 1000 })) {
          // Reading the pages is the baseline: verification adds the hashing and checks on top.
        }
      },
      verify: () => audit.verify(),
    },
    verifyRepeats,
  );
  const oneShot = perSecond(inMemory.bareOneShot as number);
  return [
    {
      name: 'verify entries/s (in memory)',
      value: perSecond(inMemory.verify as number),
      unit: 'entries/s',
      baseline: perSecond(inMemory.bare as number),
      baselineName: 'bare SHA-256 (createHash) over the same bytes',
      targetRatio: 0.5,
      extra: {
        entries: entries.length,
        checkpoints: items.length - entries.length,
        measured: 'CPU time of this process (single-threaded work)',
        bareOneShotHex: oneShot,
        ratioToOneShot: Math.round((perSecond(inMemory.verify as number) / oneShot) * 1000) / 1000,
      },
    },
    {
      name: 'verify entries/s (from the database)',
      value: perSecond(fromDatabase.verify as number),
      unit: 'entries/s',
      baseline: perSecond(fromDatabase.read as number),
      baselineName: 'reading the same pages without verifying',
      extra: { database: kind, entries: entries.length },
    },
  ];
}

export const scenario: BenchScenario = {
  name: 'audit',
  description: `Hash-chained audit appends (record() and append() in a transaction; 1 and 8 writers; ${appendsPerRun} per run) vs. plain INSERTs of the same rows; verification vs. bare SHA-256 and vs. reading the pages`,
  async run() {
    const bench = await openBenchDatabase({ poolSize: 10 });
    const keysDir = await mkdtemp(join(tmpdir(), 'custos-bench-audit-'));
    try {
      const db = bench.database.db;
      await migrateToLatest(db);
      await sql`create table audit_bench_plain (like audit_entries including defaults including indexes)`.execute(
        db,
      );
      const audit = auditService({
        db,
        store: auditStore(),
        keys: lazyAuditKeys({ signingKeyFile: join(keysDir, 'audit-signing-key.pem'), verifyKeyFiles: [] }),
        clock: systemClock,
        settings: { checkpointEvery: 1000, checkpointIntervalMs: 300_000 },
      });
      const appends = await measureAppends(db, audit, bench.kind);
      const verify = await measureVerify(db, audit, bench.kind);
      return [...appends, ...verify];
    } finally {
      await bench.drop();
      await rm(keysDir, { recursive: true, force: true });
    }
  },
};
