/**
 * Runs one bulk import in its own process so its peak memory (maxRSS) is measured alone, then a plain
 * batched INSERT of the same rows as the baseline. Prints one JSON line. Used by the vault scenario.
 */
import { createReadStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { createLogger } from '../src/logger.js';
import { ndjsonLines } from '../src/modules/vault/import-parsers.js';
import { openRuntime } from '../src/runtime.js';
import { benchPeople } from './vault-fixtures.js';

const [file, url] = process.argv.slice(2) as [string, string | undefined];
const system = { actor: { type: 'system' as const, id: 'bench' }, requestId: null, ip: null };

const database = url
  ? await openDatabase({ kind: 'postgres', url, poolSize: 4 })
  : await openDatabase({ kind: 'pglite' });
const config = loadConfig({
  CUSTOS_DATA_DIR: mkdtempSync(join(tmpdir(), 'custos-bench-')),
  CUSTOS_LOG_LEVEL: 'warn',
});
const runtime = await openRuntime({
  config,
  logger: createLogger('warn', pino.destination('/dev/null')),
  database,
});
await runtime.services.collections.create(system, benchPeople('bench_import', false));

const started = performance.now();
const report = await runtime.services.imports.importLines(
  system,
  'bench_import',
  ndjsonLines(createReadStream(file)),
);
const importSeconds = (performance.now() - started) / 1000;
const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);

// Baseline: the same lines, unvalidated and unencrypted, in batches of 500 through the same driver.
await sql`create table bench_plain_import (line jsonb not null)`.execute(database.db);
const plainStarted = performance.now();
let batch: string[] = [];
let plainRows = 0;
const flush = async () => {
  if (batch.length === 0) return;
  await database.db
    .insertInto('bench_plain_import' as never)
    .values(batch.map((line) => ({ line })) as never)
    .execute();
  plainRows += batch.length;
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
const plainSeconds = (performance.now() - plainStarted) / 1000;

process.stdout.write(
  `${JSON.stringify({ rows: report.lines, failed: report.failed, importSeconds, maxRssMb, plainRows, plainSeconds })}\n`,
);
await runtime.close(1000);
