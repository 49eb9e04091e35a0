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
// for rounds × roundSeconds in all. Each pair of neighbouring rounds gives a ratio; the figure is the
// median of those ratios (a burst of load from elsewhere spoils one pair, not the result), reported with
// their spread. Which of the two goes first alternates, so neither always runs right after the warm-up.
const rounds = Number(process.env.BENCH_HTTP_ROUNDS ?? 9);
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

/** The value below which `fraction` of the sorted values lie (nearest rank). */
function quantile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
}

function summarize(results: LoadResult[]) {
  return {
    requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
    p99Ms: median(results.map((r) => r.p99Ms)),
  };
}

export const httpScenario: BenchScenario = {
  name: 'http',
  description: `GET /health through the full app vs. a bare Fastify route (autocannon, ${connections} connections, ${rounds} alternating rounds of ${roundSeconds} s each; median of the per-round ratios, with their spread)`,
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
        const measure = (url: string) => measureLoad({ url, connections, durationSeconds: roundSeconds });
        if (round % 2 === 0) {
          bareRounds.push(await measure(bare.url));
          fullRounds.push(await measure(full.url));
        } else {
          fullRounds.push(await measure(full.url));
          bareRounds.push(await measure(bare.url));
        }
      }
      // Medians of the rounds, and the median of the per-round ratios with its spread.
      const baseline = summarize(bareRounds);
      const measured = summarize(fullRounds);
      const ratios = fullRounds
        .map((result, round) => result.requestsPerSecond / (bareRounds[round]?.requestsPerSecond || 1))
        .sort((a, b) => a - b);
      const medianRatio = median(ratios);
      const spread = {
        min: Math.round((ratios[0] ?? 0) * 1000) / 1000,
        p25: Math.round(quantile(ratios, 0.25) * 1000) / 1000,
        median: Math.round(medianRatio * 1000) / 1000,
        p75: Math.round(quantile(ratios, 0.75) * 1000) / 1000,
        max: Math.round((ratios.at(-1) ?? 0) * 1000) / 1000,
      };
      const parameters = {
        connections,
        rounds,
        roundSeconds,
        database: full.database,
        roundsReqPerSecond: fullRounds.map((r) => r.requestsPerSecond),
        baselineRoundsReqPerSecond: bareRounds.map((r) => r.requestsPerSecond),
        roundRatios: spread,
      };
      return [
        {
          name: 'GET /health req/s (median of per-round ratios)',
          // The printed ratio is the median of the per-round ratios: value is that ratio of the baseline.
          value: Math.round(medianRatio * baseline.requestsPerSecond),
          unit: 'req/s',
          baseline: baseline.requestsPerSecond,
          baselineName: 'bare Fastify route, constant JSON',
          targetRatio: 0.6,
          extra: {
            ...parameters,
            medianReqPerSecond: measured.requestsPerSecond,
            p99Ms: measured.p99Ms,
            baselineP99Ms: baseline.p99Ms,
          },
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
