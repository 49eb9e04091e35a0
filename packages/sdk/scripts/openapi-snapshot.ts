/**
 * Writes `packages/sdk/openapi.json` from the server's routes: `npm run sdk:openapi` at the repository's
 * root. Starts Custos in-process on an in-memory database, asks it for `/openapi.json` and stops it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { openDatabase } from '../../../src/db/database.js';
import { createLogger } from '../../../src/logger.js';
import { openRuntime } from '../../../src/runtime.js';
import { openApiSnapshotOf } from './openapi-snapshot-format.js';

const dataDir = mkdtempSync(join(tmpdir(), 'custos-openapi-'));
try {
  const config = loadConfig({ CUSTOS_DATA_DIR: dataDir, CUSTOS_LOG_LEVEL: 'silent' });
  const logger = createLogger('silent');
  const database = await openDatabase({ kind: 'pglite' });
  const runtime = await openRuntime({ config, logger, database });
  const app = await buildApp(runtime);
  await app.ready();
  const response = await app.inject({ method: 'GET', url: '/openapi.json' });
  if (response.statusCode !== 200) throw new Error(`/openapi.json answered ${response.statusCode}`);
  const target = new URL('../openapi.json', import.meta.url);
  writeFileSync(target, openApiSnapshotOf(response.json()));
  await app.close();
  await runtime.close(2000);
  console.log(`wrote ${target.pathname}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
