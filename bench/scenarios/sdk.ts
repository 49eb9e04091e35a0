import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCustos } from '../../packages/sdk/src/index.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, logDestination } from '../../src/logger.js';
import { rolePermissions } from '../../src/modules/access/permissions.js';
import { openRuntime } from '../../src/runtime.js';
import { openBenchDatabase } from '../database.js';
import type { BenchScenario } from '../types.js';

const system = { actor: { type: 'system' as const, id: 'bench' }, requestId: null, ip: null };
const subjects = 200;
const concurrency = 16;
const rounds = 3;
const roundMs = 2000;
const warmChecks = 2_000_000;

/** Requests per second of `concurrency` loops calling `call` for `ms`. */
async function rate(call: (index: number) => Promise<unknown>, ms: number): Promise<number> {
  let done = 0;
  const until = performance.now() + ms;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      for (let index = loop; performance.now() < until; index += concurrency) {
        await call(index);
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

/** Calls per second of `call` awaited one after another, `count` times. */
async function sequentialRate(call: () => Promise<unknown>, count: number): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < count; index++) await call();
  return count / ((performance.now() - started) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export const sdkScenario: BenchScenario = {
  name: 'sdk',
  description: `@custos/sdk: a warm consent.require answered from the in-process cache, and cold checks through the SDK vs. raw fetch to POST /v1/consent/check (${concurrency} concurrent loops, ${rounds} alternating rounds of ${roundMs / 1000} s)`,
  async run() {
    const config = loadConfig({ CUSTOS_DATA_DIR: mkdtempSync(join(tmpdir(), 'custos-bench-')) });
    const logger = createLogger(config.logLevel, logDestination('/dev/null'));
    const scratch = await openBenchDatabase({ poolSize: 4 });
    const runtime = await openRuntime({ config, logger, database: scratch.database });
    const app = await buildApp(runtime);
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { services } = runtime;
      const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const { key } = await services.apiKeys.create(
        system,
        { kind: 'root' },
        {
          name: 'bench',
          permissions: [...rolePermissions.service],
        },
      );
      await services.purposes.create(system, {
        key: 'bench_newsletter',
        name: 'Newsletter',
        description: '',
        legalBasis: 'consent',
        specialCategoryCondition: null,
        dataUses: ['marketing.communications.email'],
        dataCategories: ['user.contact.email'],
        ccpa: { sale: false, sharing: false, sensitive: false },
        text: 'We send you our newsletter.',
        reconsentOnChange: true,
      });
      const ids: string[] = [];
      for (let index = 0; index < subjects; index++) {
        const { id } = await services.records.createSubject(system, {});
        ids.push(id);
      }
      await Promise.all(
        ids.map((subjectId) =>
          services.consent.record(system, {
            subjectId,
            purposes: [{ key: 'bench_newsletter' }],
            action: 'grant',
            method: 'explicit_opt_in',
            source: 'api',
          }),
        ),
      );
      const purposes = ['bench_newsletter'];
      const custos = createCustos({ baseUrl, apiKey: key, consentCache: { ttlMs: 3_600_000 } });

      // Warm: the answer is in the SDK's cache; the floor is awaiting an already-resolved promise.
      const warmSubject = ids[0] as string;
      await custos.consent.require(warmSubject, purposes);
      const resolved = Promise.resolve();
      const floor = await sequentialRate(() => resolved, warmChecks);
      const warm = await sequentialRate(() => custos.consent.require(warmSubject, purposes), warmChecks);

      // Cold: every check asks Custos (check() bypasses the cache), against the same request by raw fetch.
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const raw = (index: number) =>
        fetch(`${baseUrl}/v1/consent/check`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ subject: { id: ids[index % subjects] }, purposes }),
        }).then((response) => response.json());
      const viaSdk = (index: number) => custos.consent.check(ids[index % subjects] as string, purposes);
      await rate(raw, 1000);
      await rate(viaSdk, 1000);
      const rawRates: number[] = [];
      const sdkRates: number[] = [];
      for (let round = 0; round < rounds; round++) {
        rawRates.push(await rate(raw, roundMs));
        sdkRates.push(await rate(viaSdk, roundMs));
      }
      const database = scratch.kind;
      return [
        {
          name: 'warm consent.require checks/s',
          value: Math.round(warm),
          unit: 'checks/s',
          baseline: Math.round(floor),
          baselineName: 'await of a resolved promise, same loop',
          targetValue: 1_000_000,
          extra: { calls: warmChecks },
        },
        {
          name: 'cold check through the SDK req/s',
          value: Math.round(median(sdkRates)),
          unit: 'req/s',
          baseline: Math.round(median(rawRates)),
          baselineName: 'raw fetch to POST /v1/consent/check',
          targetRatio: 0.9,
          extra: { concurrency, rounds, roundMs, database, sdkRates, rawRates },
        },
      ];
    } finally {
      await app.close();
      await runtime.close(1000);
      await scratch.drop();
      rmSync(config.dataDir, { recursive: true, force: true });
    }
  },
};
