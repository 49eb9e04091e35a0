import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InsertObject, Kysely } from 'kysely';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import type { DB } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import type { LegalBasis } from '../../src/modules/consent/consent-rules.js';
import type { DataMap } from '../../src/modules/inventory/inventory-model.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { generatedDataMap } from '../../test/helpers/data-map.js';
import { openBenchDatabase } from '../database.js';
import type { BenchFigure, BenchScenario } from '../types.js';

const size = { activities: 500, systems: 200, collections: 100 };
const rounds = 5;
const targetMs = 1000;
const batchSize = 500;
const system = { actor: { type: 'system' as const, id: 'bench' }, requestId: null, ip: null };

/** Rows written a batch at a time: one multi-row INSERT per batch, as a bulk load would. */
async function insertAll<T extends keyof DB & string>(db: Kysely<DB>, table: T, rows: InsertObject<DB, T>[]) {
  for (let start = 0; start < rows.length; start += batchSize) {
    await db
      .insertInto(table)
      .values(rows.slice(start, start + batchSize))
      .execute();
  }
}

/**
 * The generated map written into the tables the migrations create: the vault's collections, consent
 * purposes and retention policies the activities name, then the inventory's register (processors,
 * systems, activities and their links to systems, processors and the measures migration 0024 seeds) and
 * the organization profile. What the map derives (Custos and its collections as assets) is not written.
 * Answers how many rows `dataMap()` reads.
 */
async function seed(db: Kysely<DB>, map: DataMap, at: Date): Promise<number> {
  const collections = map.systems.filter((entry) => entry.origin === 'collection');
  const registered = map.systems.filter((entry) => entry.origin === 'registered');
  // Names are unique in the register; generated company names may repeat, so each carries its number.
  const unique = (name: string, index: number) => `${name} (${index + 1})`;
  await insertAll(
    db,
    'collections',
    collections.map((entry, index) => ({
      id: randomUUID(),
      name: entry.name,
      description: entry.description,
      multiple: false,
      fields: JSON.stringify(
        (entry.fields ?? []).map((field) => ({
          name: field.name,
          type: 'string',
          category: field.dataCategory,
          classification: field.classification,
          required: false,
          indexed: false,
          tokenizable: false,
        })),
      ),
      created_at: new Date(at.getTime() + index),
      updated_at: at,
    })),
  );
  await insertAll(
    db,
    'consent_purposes',
    map.purposes.map((purpose) => ({
      key: purpose.key,
      name: purpose.name,
      description: purpose.description,
      legal_basis: purpose.legalBasis as LegalBasis,
      data_uses: purpose.dataUses,
      data_categories: purpose.dataCategories,
      ccpa_sale: false,
      ccpa_sharing: false,
      ccpa_sensitive: false,
      reconsent_on_change: true,
      version: 1,
      min_version: 1,
      text: purpose.description,
    })),
  );
  await insertAll(
    db,
    'retention_policies',
    map.retention.map((policy) => ({
      id: policy.id,
      name: policy.name,
      collection: policy.collection,
      data_category: policy.dataCategory,
      fields: null,
      trigger: JSON.stringify({ type: policy.trigger }),
      anonymization: '{}',
      description: '',
      legal_basis: 'legal_obligation' as const,
      duration: policy.duration,
      created_at: at,
      updated_at: at,
    })),
  );
  await insertAll(
    db,
    'inventory_processors',
    map.processors.map((processor, index) => ({
      id: processor.id,
      name: unique(processor.name, index),
      contact: processor.contact,
      country: processor.country,
      role: processor.role,
      parent_id: processor.parentId,
      dpa_signed_at: processor.dpa?.signedAt ?? null,
      dpa_version: processor.dpa?.version ?? null,
      dpa_review_at: processor.dpa?.reviewAt ?? null,
      dpa_reference: processor.dpa?.reference ?? null,
      created_at: at,
      updated_at: at,
    })),
  );
  await insertAll(
    db,
    'inventory_systems',
    registered.map((entry, index) => ({
      id: entry.id,
      name: unique(entry.name, index),
      owner: entry.owner,
      description: entry.description,
      data_categories: entry.dataCategories,
      endpoint_id: null,
      kind: entry.kind,
      locations: entry.locations,
      data_subjects: entry.dataSubjects,
      classification: entry.classification,
      retention_policy_id: null,
      retention_period: 'P1Y',
      processor_id: entry.processorId,
      created_at: at,
      updated_at: at,
    })),
  );
  await insertAll(
    db,
    'inventory_activities',
    map.activities.map((activity) => ({
      id: activity.id,
      name: activity.name,
      description: activity.description,
      role: activity.role,
      controller: activity.controller ? JSON.stringify(activity.controller) : null,
      joint_controllers: JSON.stringify(activity.jointControllers),
      purpose_keys: activity.purposeKeys,
      collection_names: activity.collectionNames,
      extra_data_categories: activity.extraDataCategories,
      extra_data_subjects: activity.extraDataSubjects,
      recipient_categories: activity.recipientCategories,
      transfer_safeguards: JSON.stringify(activity.transferSafeguards),
      retention_note: activity.retentionNote,
      created_at: at,
      updated_at: at,
    })),
  );
  const measureIds = (await db.selectFrom('inventory_measures').select('id').execute()).map((row) => row.id);
  const links = {
    systems: map.activities.flatMap((activity) =>
      activity.systemIds.map((id) => ({ activity_id: activity.id, system_id: id })),
    ),
    processors: map.activities.flatMap((activity) =>
      activity.processorIds.map((id) => ({ activity_id: activity.id, processor_id: id })),
    ),
    measures: map.activities.flatMap((activity) =>
      measureIds.map((id) => ({ activity_id: activity.id, measure_id: id })),
    ),
  };
  await insertAll(db, 'inventory_activity_systems', links.systems);
  await insertAll(db, 'inventory_activity_processors', links.processors);
  await insertAll(db, 'inventory_activity_measures', links.measures);
  const { organization } = map;
  await db
    .insertInto('inventory_organization')
    .values({
      id: true,
      controller_name: organization.controllerName,
      address: organization.address,
      country: organization.country,
      representative: null,
      dpo_contact: organization.dpoContact,
      supervisory_authority: organization.supervisoryAuthority,
      updated_at: at,
    })
    .execute();
  return (await selectMapRows(db)).reduce((total, rows) => total + rows.length, 0);
}

/**
 * The baseline: every row `dataMap()` reads (the register, its links, the measures, the organization,
 * and the collections, purposes, retention policies and webhook endpoints it derives from), fetched as
 * they are and concurrently, as the map reads them, with nothing built from them.
 */
function selectMapRows(db: Kysely<DB>): Promise<unknown[][]> {
  return Promise.all([
    db.selectFrom('inventory_organization').selectAll().execute(),
    db.selectFrom('inventory_systems').selectAll().execute(),
    db.selectFrom('inventory_processors').selectAll().execute(),
    db.selectFrom('inventory_activities').selectAll().execute(),
    db.selectFrom('inventory_activity_systems').selectAll().execute(),
    db.selectFrom('inventory_activity_processors').selectAll().execute(),
    db.selectFrom('inventory_activity_measures').selectAll().execute(),
    db.selectFrom('inventory_measures').selectAll().execute(),
    db.selectFrom('collections').selectAll().execute(),
    db.selectFrom('consent_purposes').selectAll().execute(),
    db.selectFrom('retention_policies').selectAll().execute(),
    db.selectFrom('webhook_endpoints').selectAll().execute(),
  ]);
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

/** Each output as the routes make it: `services.ropa` reads `dataMap()`, builds, renders and audits. */
async function measure(runtime: Runtime, rows: number, kind: string): Promise<BenchFigure[]> {
  const { ropa, inventory } = runtime.services;
  const db = runtime.database.db;
  const map = await inventory.dataMap();
  if (map.activities.length !== size.activities) throw new Error('the map lacks activities');
  const baseline = await medianMs(() => selectMapRows(db));
  const sizes = { json: 0, html: 0, csv: 0, findings: 0 };
  const bytesOf = async (format: 'html' | 'csv') => {
    const exported = await ropa.exportRopa(system, format);
    if (exported.format === 'json') throw new Error('expected a file');
    return exported.body.length;
  };
  const figures = {
    dataMap: await medianMs(() => inventory.dataMap()),
    json: await medianMs(async () => {
      const exported = await ropa.exportRopa(system, 'json');
      if (exported.format === 'json') sizes.json = JSON.stringify(exported.ropa).length;
    }),
    html: await medianMs(async () => {
      sizes.html = await bytesOf('html');
    }),
    csv: await medianMs(async () => {
      sizes.csv = await bytesOf('csv');
    }),
    findings: await medianMs(async () => {
      sizes.findings = (await ropa.findings()).items.length;
    }),
  };
  const figure = (name: string, value: number, extra: Record<string, unknown>): BenchFigure => ({
    name,
    value,
    unit: 'ms',
    baseline,
    baselineName: `SELECT of the ${rows} rows the map reads`,
    extra: { ...extra, rows, targetMs, underOneSecond: value < targetMs, database: kind },
  });
  return [
    figure(`data map, ${size.activities} activities`, figures.dataMap, {}),
    figure(`RoPA JSON, ${size.activities} activities`, figures.json, { bytes: sizes.json }),
    figure(`RoPA HTML, ${size.activities} activities`, figures.html, { bytes: sizes.html }),
    figure(`RoPA CSV, ${size.activities} activities`, figures.csv, { bytes: sizes.csv }),
    figure(`findings over the same map`, figures.findings, { findings: sizes.findings }),
  ];
}

export const inventoryScenario: BenchScenario = {
  name: 'inventory',
  description: `RoPA (JSON, HTML, CSV) and findings through services.ropa over ${size.activities} activities, ${size.systems} systems and ${size.collections} collections in the inventory's tables, beside a SELECT of the rows the map reads`,
  async run(): Promise<BenchFigure[]> {
    const scratch = await openBenchDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'custos-bench-'));
    const config = loadConfig({ CUSTOS_DATA_DIR: dataDir, CUSTOS_PORT: '0', CUSTOS_LOG_LEVEL: 'warn' });
    const runtime = await openRuntime({
      config,
      logger: createLogger('warn', pino.destination('/dev/null')),
      database: scratch.database,
    });
    try {
      const rows = await seed(runtime.database.db, generatedDataMap(size), new Date());
      return await measure(runtime, rows, scratch.kind);
    } finally {
      await runtime.close(1000);
      await scratch.drop().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
