import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, logDestination } from '../../src/logger.js';
import { rolePermissions } from '../../src/modules/access/permissions.js';
import { openRuntime } from '../../src/runtime.js';
import { openBenchDatabase } from '../database.js';
import type { BenchFigure, BenchScenario } from '../types.js';

const system = { actor: { type: 'system' as const, id: 'bench' }, requestId: null, ip: null };
const connections = 50;
// The constant route and validation take turns, so a noisy neighbour on a shared machine slows both alike.
const rounds = 3;
const roundSeconds = 3;

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
 * The questions posted, in turn: an adequate destination, one needing SCCs with a recipient whose
 * mechanisms are read, one refused by the residency policy, one inside the EEA. The same bodies go to the
 * constant route, so the load generator does the same work for both.
 */
function questions(processorId: string) {
  const base = { source: 'DE', recipientRole: 'processor', data: { classification: 'confidential' } };
  return [
    { ...base, target: 'JP' },
    { ...base, target: 'US', recipient: { type: 'processor', id: processorId } },
    { ...base, target: 'IN', data: { classification: 'restricted' } },
    { ...base, target: 'FR' },
  ].map((body) => JSON.stringify(body));
}

export const transfersScenario: BenchScenario = {
  name: 'transfers',
  description: `POST /v1/transfers/validate through the full app (API key, audited) vs. a constant-JSON POST route of the same server (autocannon, ${connections} connections, ${rounds} alternating rounds of ${roundSeconds} s)`,
  async run() {
    const scratch = await openBenchDatabase({ poolSize: 8 });
    const dataDir = mkdtempSync(join(tmpdir(), 'custos-bench-'));
    const config = loadConfig({ CUSTOS_DATA_DIR: dataDir });
    const runtime = await openRuntime({
      config,
      logger: createLogger(config.logLevel, logDestination('/dev/null')),
      database: scratch.database,
    });
    const app = await buildApp(runtime);
    app.post('/bench/constant', { config: { access: 'public' } }, async () => ({
      outcome: 'allowed',
      reasons: [{ code: 'within_eea', text: 'constant', ref: null }],
    }));
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const { services } = runtime;
      await services.transferRecords.createPolicy(system, {
        name: 'EU residency',
        region: 'EU',
        allowedDestinations: null,
        classificationDestinations: { restricted: [] },
        specialCategoryDestinations: [],
        requireMechanismInPlace: false,
        storageLocations: null,
        storageAtStartup: 'warn',
      });
      const processorId = '00000000-0000-4000-8000-000000000001';
      const scc = await services.transferRecords.createMechanism(system, {
        recipientType: 'processor',
        recipientId: processorId,
        recipientName: 'Bench analytics',
        destination: 'US',
        details: {
          kind: 'scc',
          module: 2,
          exporterRole: 'controller',
          importerRole: 'processor',
          signedOn: '2025-01-01',
        },
        validFrom: null,
        validUntil: null,
      });
      await services.transferRecords.addTia(system, scc.id, {
        destinationLawAssessment: 'Assessed.',
        measures: {
          technical: ['encryption with keys held in the EEA'],
          contractual: [],
          organisational: [],
        },
        conclusion: 'proceed_with_measures',
        assessedOn: '2025-01-01',
        reviewOn: '2099-01-01',
      });
      const { key } = await services.apiKeys.create(
        system,
        { kind: 'root' },
        { name: 'bench', permissions: [...rolePermissions.service] },
      );
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const bodies = questions(processorId);
      const run = (path: string) => (duration: number) =>
        load({
          url,
          connections,
          duration,
          headers,
          requests: bodies.map((body) => ({ method: 'POST' as const, path, body })),
        });
      const runs = { validate: run('/v1/transfers/validate'), constant: run('/bench/constant') };
      const measured: Record<keyof typeof runs, Result[]> = { validate: [], constant: [] };
      for (const warmUp of Object.values(runs)) await warmUp(2);
      for (let round = 0; round < rounds; round += 1) {
        measured.validate.push(await runs.validate(roundSeconds));
        measured.constant.push(await runs.constant(roundSeconds));
      }
      const rate = (results: Result[]) =>
        Math.round(median(results.map((result) => result.requests.average)));
      const p99 = (results: Result[]) => median(results.map((result) => result.latency.p99));
      const extra = {
        connections,
        rounds,
        roundSeconds,
        database: scratch.kind,
        questions: bodies.length,
        roundsReqPerSecond: measured.validate.map((result) => Math.round(result.requests.average)),
        constantRoundsReqPerSecond: measured.constant.map((result) => Math.round(result.requests.average)),
      };
      const figures: BenchFigure[] = [
        {
          name: 'POST /v1/transfers/validate req/s (API key, audited)',
          value: rate(measured.validate),
          unit: 'req/s',
          baseline: rate(measured.constant),
          baselineName: 'constant-JSON POST route in the same server, same bodies',
          targetRatio: 0.5,
          extra: { ...extra, p99Ms: p99(measured.validate), baselineP99Ms: p99(measured.constant) },
        },
        {
          name: 'POST /v1/transfers/validate p99 latency (target < 20 ms)',
          value: p99(measured.validate),
          unit: 'ms',
          baseline: p99(measured.constant),
          baselineName: 'constant-JSON POST route in the same server, same bodies',
          extra,
        },
      ];
      return figures;
    } finally {
      await app.close();
      await runtime.close(1000);
      await scratch.drop().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
