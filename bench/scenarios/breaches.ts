import { type Kysely, sql } from 'kysely';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { DB } from '../../src/db/schema.js';
import { auditExposures, exposingActions } from '../../src/modules/audit/audit-exposures.js';
import { openBenchDatabase } from '../database.js';
import type { BenchFigure, BenchScenario } from '../types.js';

/**
 * The blast radius over a large audit log: `BENCH_BREACH_ENTRIES` entries (default 1,000,000 on
 * PostgreSQL, 200,000 on PGlite) spread over 30 days and ~1,000 principals, of which one compromised API
 * key made 50,000 reads of 40,000 subjects within one hour (and 5,000 more reads the day before, outside
 * the window). Measured: the blast radius of that key over that hour (every subject with its fields and
 * kinds, grouped in the database) against a plain indexed SELECT of the same 50,000 entries fetched to the
 * process. Both are given as entries per second; the bound (under 2 s for 50,000 entries) is
 * 25,000 entries/s.
 */
const windowReads = 50_000;
const windowSubjects = 40_000;
const earlierReads = 5_000;
const runs = 5;
const day = 86_400_000;

const principal = { type: 'api_key' as const, id: 'compromised-key' };

async function timed<T>(task: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await task();
  return { ms: performance.now() - started, result };
}

async function best<T>(task: () => Promise<T>): Promise<{ ms: number; result: T }> {
  let fastest: { ms: number; result: T } | undefined;
  for (let run = 0; run < runs; run += 1) {
    const attempt = await timed(task);
    if (!fastest || attempt.ms < fastest.ms) fastest = attempt;
  }
  return fastest as { ms: number; result: T };
}

/** The indexes PostgreSQL's plan for the window's entries reads (the exposure index, if all is well). */
async function indexesOf(
  db: Kysely<DB>,
  query: { principal: typeof principal; from: Date; until: Date },
): Promise<string[]> {
  const plan = await sql<{ 'QUERY PLAN': unknown }>`
    explain (format json)
    select seq from audit_entries
    where action in ('vault.record.read', 'vault.token.detokenized', 'request.export.created')
      and outcome = 'success' and actor_type = ${query.principal.type} and actor_id = ${query.principal.id}
      and at >= ${query.from} and at < ${query.until}
  `.execute(db);
  const text = JSON.stringify(plan.rows);
  return [...new Set([...text.matchAll(/"Index Name":"([^"]+)"/g)].map((match) => match[1] as string))];
}

export const breachesScenario: BenchScenario = {
  name: 'breaches',
  description: 'Blast radius of one principal over a 1M-entry audit log, beside a plain indexed SELECT',
  async run(): Promise<BenchFigure[]> {
    const bench = await openBenchDatabase();
    const total = Number(
      process.env.BENCH_BREACH_ENTRIES ?? (bench.kind === 'postgres' ? 1_000_000 : 200_000),
    );
    const background = total - windowReads - earlierReads;
    try {
      const db = bench.database.db;
      await migrateToLatest(db);
      const start = new Date('2026-01-01T00:00:00Z');
      const windowFrom = new Date(start.getTime() + 15 * day);
      const windowUntil = new Date(windowFrom.getTime() + 3_600_000);
      const zero = sql`decode(repeat('00', 32), 'hex')`;
      const details = `{"revealed":true,"records":1,"fields":["customers.email","customers.full_name"]}`;
      const load = await timed(async () => {
        // Everyone else: reads, detokenizations and other actions by ~1,000 keys over 30 days.
        await sql`
          insert into audit_entries (seq, chain, chain_seq, at, actor_type, actor_id, action, target_type,
            target_id, purpose, outcome, ip_hash, details, prev_hash, hash)
          select g, 0, g, ${start}::timestamptz + (g::float8 / ${background}) * interval '30 days',
            'api_key', 'key-' || (g % 997),
            (array['vault.record.read', 'vault.record.read', 'consent.purpose.granted',
                   'operator.login.failed', 'vault.token.detokenized'])[1 + g % 5],
            'subject', md5(g::text)::uuid::text, 'support', 'success', md5((g % 300)::text),
            ${details}::jsonb, ${zero}, ${zero}
          from generate_series(1, ${background}) g
        `.execute(db);
        // The compromised key: reads the day before the window, then 50,000 reads within the hour.
        await sql`
          insert into audit_entries (seq, chain, chain_seq, at, actor_type, actor_id, action, target_type,
            target_id, purpose, outcome, ip_hash, details, prev_hash, hash)
          select ${background} + g, 0, ${background} + g,
            case when g <= ${earlierReads}
              then ${windowFrom}::timestamptz - interval '1 day' + (g::float8 / ${earlierReads}) * interval '1 hour'
              else ${windowFrom}::timestamptz + ((g - ${earlierReads})::float8 / ${windowReads + 1}) * interval '1 hour'
            end,
            ${principal.type}, ${principal.id}, 'vault.record.read', 'subject',
            md5('victim-' || (g % ${windowSubjects}))::uuid::text, 'support', 'success', md5('attacker'),
            ${details}::jsonb, ${zero}, ${zero}
          from generate_series(1, ${earlierReads + windowReads}) g
        `.execute(db);
        await sql`analyze audit_entries`.execute(db);
      });

      const exposures = auditExposures(db);
      const indexesUsed = await indexesOf(db, { principal, from: windowFrom, until: windowUntil });
      const query = { principal, from: windowFrom, until: windowUntil };
      const radius = await best(() => exposures(query));
      const plain = await best(() =>
        db
          .selectFrom('audit_entries')
          .select(['seq', 'at', 'target_type', 'target_id', 'details'])
          .where('action', 'in', [...exposingActions])
          .where('outcome', '=', 'success')
          .where('actor_type', '=', principal.type)
          .where('actor_id', '=', principal.id)
          .where('at', '>=', windowFrom)
          .where('at', '<', windowUntil)
          .execute(),
      );
      if (plain.result.length !== windowReads)
        throw new Error(`expected ${windowReads} entries, got ${plain.result.length}`);
      const found = radius.result.length;
      if (found !== windowSubjects) throw new Error(`expected ${windowSubjects} subjects, found ${found}`);
      const rate = (ms: number) => Math.round(windowReads / (ms / 1000));
      return [
        {
          name: `blast radius, ${windowReads.toLocaleString('en-US')} reads in a window of ${total.toLocaleString('en-US')} entries`,
          value: rate(radius.ms),
          unit: 'entries/s',
          baseline: rate(plain.ms),
          baselineName: 'plain indexed SELECT of the same entries',
          targetValue: windowReads / 2,
          extra: {
            database: bench.kind,
            entries: total,
            windowReads,
            subjectsFound: found,
            blastRadiusMs: Math.round(radius.ms),
            plainSelectMs: Math.round(plain.ms),
            loadSeconds: Math.round(load.ms / 100) / 10,
            runs,
            indexesUsed,
          },
        },
      ];
    } finally {
      await bench.drop();
    }
  },
};
