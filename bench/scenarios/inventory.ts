import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';
import { computeFindings } from '../../src/modules/inventory/findings.js';
import type { DataMap } from '../../src/modules/inventory/inventory-model.js';
import { buildRopa, ropaCsv } from '../../src/modules/inventory/ropa.js';
import { ropaHtml } from '../../src/modules/inventory/ropa-document.js';
import { generatedDataMap } from '../../test/helpers/data-map.js';
import { openBenchDatabase } from '../database.js';
import type { BenchFigure, BenchScenario } from '../types.js';

const size = { activities: 500, systems: 200, collections: 100 };
const rounds = 5;
const targetMs = 1000;

/**
 * The map's entries stored one row each (kind, id, JSON entry), in a scratch table of the bench
 * database: what any store of the map has to read, and what the outputs are computed from. Every
 * figure reads the rows and builds the map again, so each one includes the database read it needs.
 */
async function seed(db: Database['db'], map: DataMap): Promise<number> {
  await sql`create table bench_inventory_entries (kind text not null, id text not null, entry jsonb not null, primary key (kind, id))`.execute(
    db,
  );
  const rows = [
    ...map.systems.map((entry) => ({ kind: 'system', id: entry.id, entry })),
    ...map.processors.map((entry) => ({ kind: 'processor', id: entry.id, entry })),
    ...map.activities.map((entry) => ({ kind: 'activity', id: entry.id, entry })),
    ...map.measures.map((entry) => ({ kind: 'measure', id: entry.id, entry })),
    ...map.purposes.map((entry) => ({ kind: 'purpose', id: entry.key, entry })),
    ...map.retention.map((entry) => ({ kind: 'retention', id: entry.id, entry })),
    { kind: 'organization', id: 'organization', entry: map.organization },
  ];
  for (let start = 0; start < rows.length; start += 500) {
    const batch = rows.slice(start, start + 500);
    await sql`insert into bench_inventory_entries (kind, id, entry) values ${sql.join(
      batch.map((row) => sql`(${row.kind}, ${row.id}, ${JSON.stringify(row.entry)}::jsonb)`),
    )}`.execute(db);
  }
  return rows.length;
}

type Row = { kind: string; entry: unknown };

async function selectRows(db: Database['db']): Promise<Row[]> {
  const result = await sql<Row>`select kind, entry from bench_inventory_entries`.execute(db);
  return result.rows;
}

/** The map from its rows, dates revived, as a store's `dataMap()` would assemble it. */
function mapFrom(rows: Row[], generatedAt: Date): DataMap {
  const of = <T>(kind: string) => rows.filter((row) => row.kind === kind).map((row) => row.entry as T);
  const dated = <T extends { createdAt: unknown; updatedAt: unknown }>(entry: T): T => ({
    ...entry,
    createdAt: new Date(entry.createdAt as string),
    updatedAt: new Date(entry.updatedAt as string),
  });
  const [organization] = of<DataMap['organization']>('organization');
  if (!organization) throw new Error('no organization row');
  return {
    generatedAt,
    organization: {
      ...organization,
      updatedAt: organization.updatedAt ? new Date(organization.updatedAt) : null,
    },
    systems: of<DataMap['systems'][number]>('system').map(dated),
    processors: of<DataMap['processors'][number]>('processor').map(dated),
    activities: of<DataMap['activities'][number]>('activity').map(dated),
    measures: of('measure'),
    purposes: of('purpose'),
    retention: of('retention'),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function medianMs(body: () => Promise<unknown>): Promise<number> {
  await body();
  const times: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    await body();
    times.push(performance.now() - started);
  }
  return Math.round(median(times) * 10) / 10;
}

export const inventoryScenario: BenchScenario = {
  name: 'inventory',
  description: `RoPA (JSON, HTML, CSV) and findings over ${size.activities} activities, ${size.systems} systems and ${size.collections} collections, read from the database, beside a SELECT of the same rows`,
  async run(): Promise<BenchFigure[]> {
    const scratch = await openBenchDatabase();
    try {
      const db = scratch.database.db;
      const rows = await seed(db, generatedDataMap(size));
      const generatedAt = new Date();
      const load = async () => mapFrom(await selectRows(db), generatedAt);
      const baseline = await medianMs(() => selectRows(db));
      const sizes = { json: 0, html: 0, csv: 0, findings: 0 };
      const figures = {
        json: await medianMs(async () => {
          sizes.json = JSON.stringify(buildRopa(await load())).length;
        }),
        html: await medianMs(async () => {
          sizes.html = ropaHtml(buildRopa(await load())).length;
        }),
        csv: await medianMs(async () => {
          sizes.csv = ropaCsv(buildRopa(await load())).length;
        }),
        findings: await medianMs(async () => {
          sizes.findings = computeFindings(await load()).length;
        }),
      };
      const figure = (name: string, value: number, extra: Record<string, unknown>): BenchFigure => ({
        name,
        value,
        unit: 'ms',
        baseline,
        baselineName: `SELECT of the same ${rows} rows`,
        extra: { ...extra, rows, targetMs, underOneSecond: value < targetMs, database: scratch.kind },
      });
      return [
        figure(`RoPA JSON, ${size.activities} activities`, figures.json, { bytes: sizes.json }),
        figure(`RoPA HTML, ${size.activities} activities`, figures.html, { bytes: sizes.html }),
        figure(`RoPA CSV, ${size.activities} activities`, figures.csv, { bytes: sizes.csv }),
        figure(`findings over the same map`, figures.findings, { findings: sizes.findings }),
      ];
    } finally {
      await scratch.drop();
    }
  },
};
