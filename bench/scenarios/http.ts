import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, logDestination } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { openRuntime } from '../../src/runtime.js';
import { openBenchDatabase } from '../database.js';
import { type LoadResult, measureLoad } from '../load.js';
import type { BenchScenario } from '../types.js';

const connections = 50;
// Bare and full take turns, so a noisy neighbour on a shared machine slows both alike; each is measured
// for rounds × roundSeconds in all.
const rounds = 3;
const roundSeconds = 2;
const warmupSeconds = 2;

function urlOf(server: { address(): AddressInfo | string | null }): string {
  const address = server.address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

/** The lower bound: Fastify with nothing but one route answering constant JSON. */
async function startBareServer() {
  const app = Fastify();
  app.get('/', async () => ({ status: 'ok', version: '0.0.0', uptimeSeconds: 1 }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: `${urlOf(app.server)}/`, close: () => app.close() };
}

/**
 * The whole Custos app as `custos serve` builds it (hooks, security headers, metrics, request logging at
 * the default level), on in-memory PGlite, or on a scratch database on the DATABASE_URL server when set.
 * Log lines go to /dev/null through the same kind of destination as in production, because production
 * pays for them too. Jobs are not started: they do not touch this path.
 */
async function startFullApp() {
  const config = loadConfig({ CUSTOS_DATA_DIR: mkdtempSync(join(tmpdir(), 'custos-bench-')) });
  const logger = createLogger(config.logLevel, logDestination('/dev/null'));
  const metrics = createMetrics();
  const scratch = await openBenchDatabase({ poolSize: 4, metrics });
  const runtime = await openRuntime({ config, logger, metrics, database: scratch.database }).catch(
    async (error) => {
      await scratch.drop();
      throw error;
    },
  );
  const app = await buildApp(runtime);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: `${urlOf(app.server)}/health`,
    database: scratch.kind,
    async close() {
      await app.close();
      await runtime.close(1000);
      await scratch.drop();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function summarize(results: LoadResult[]) {
  return {
    requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
    p99Ms: median(results.map((r) => r.p99Ms)),
  };
}

export const httpScenario: BenchScenario = {
  name: 'http',
  description: `GET /health through the full app vs. a bare Fastify route (autocannon, ${connections} connections, ${rounds} alternating rounds of ${roundSeconds} s each)`,
  async run() {
    const bare = await startBareServer();
    const full = await startFullApp().catch(async (error) => {
      await bare.close();
      throw error;
    });
    try {
      await measureLoad({ url: bare.url, connections, durationSeconds: warmupSeconds });
      await measureLoad({ url: full.url, connections, durationSeconds: warmupSeconds });
      const bareRounds: LoadResult[] = [];
      const fullRounds: LoadResult[] = [];
      for (let round = 0; round < rounds; round += 1) {
        bareRounds.push(await measureLoad({ url: bare.url, connections, durationSeconds: roundSeconds }));
        fullRounds.push(await measureLoad({ url: full.url, connections, durationSeconds: roundSeconds }));
      }
      // Medians of the rounds.
      const baseline = summarize(bareRounds);
      const measured = summarize(fullRounds);
      const parameters = {
        connections,
        rounds,
        roundSeconds,
        database: full.database,
        roundsReqPerSecond: fullRounds.map((r) => r.requestsPerSecond),
        baselineRoundsReqPerSecond: bareRounds.map((r) => r.requestsPerSecond),
      };
      return [
        {
          name: 'GET /health req/s',
          value: measured.requestsPerSecond,
          unit: 'req/s',
          baseline: baseline.requestsPerSecond,
          baselineName: 'bare Fastify route, constant JSON',
          targetRatio: 0.6,
          extra: { ...parameters, p99Ms: measured.p99Ms, baselineP99Ms: baseline.p99Ms },
        },
        {
          name: 'GET /health p99 latency',
          value: measured.p99Ms,
          unit: 'ms',
          baseline: baseline.p99Ms,
          baselineName: 'bare Fastify route, constant JSON',
          extra: { connections, rounds, roundSeconds, database: full.database },
        },
      ];
    } finally {
      await full.close();
      await bare.close();
    }
  },
};
